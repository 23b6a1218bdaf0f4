from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def percent(rate: str) -> str:
    """``"0.098"`` → ``"9.8%"``: rates travel as fractions, people read percentages."""
    try:
        value = Decimal(rate) * 100
    except (InvalidOperation, TypeError):
        return rate
    return f"{value.normalize():f}%"


@register.filter
def has_left(employee: object) -> bool:
    """Whether the employee has left the company as of the (possibly simulated) clock."""
    from renshi import clock
    from renshi.people.models import Employee
    from renshi.people.selectors import employee_has_left

    if not isinstance(employee, Employee):
        return False
    return employee_has_left(employee, today=clock.today())
