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
