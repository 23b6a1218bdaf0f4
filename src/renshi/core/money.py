"""Money is ``Decimal``; every rounding is one named rule.

The rules are the ones Chinese payroll and social insurance practice actually uses: amounts to
the cent (四舍五入到分), housing fund shares to the whole yuan (Shanghai: 四舍五入到元), and a few
bureaus that round up to the jiao or cent. A policy file names its rule per item.
"""

from __future__ import annotations

import enum
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop

ZERO = Decimal("0")
CENT = Decimal("0.01")
JIAO = Decimal("0.1")
YUAN = Decimal("1")


class RoundingRule(enum.StrEnum):
    """A named rounding rule; the value is the name used in policy files."""

    HALF_UP_CENT = "half_up_cent"  # 四舍五入到分
    HALF_UP_JIAO = "half_up_jiao"  # 四舍五入到角
    HALF_UP_YUAN = "half_up_yuan"  # 四舍五入到元
    UP_CENT = "up_cent"  # 见分进角前的“进位到分”
    UP_JIAO = "up_jiao"  # 进位到角
    UP_YUAN = "up_yuan"  # 进位到元
    DOWN_CENT = "down_cent"  # 舍去到分


_RULES: dict[RoundingRule, tuple[Decimal, str]] = {
    RoundingRule.HALF_UP_CENT: (CENT, ROUND_HALF_UP),
    RoundingRule.HALF_UP_JIAO: (JIAO, ROUND_HALF_UP),
    RoundingRule.HALF_UP_YUAN: (YUAN, ROUND_HALF_UP),
    RoundingRule.UP_CENT: (CENT, ROUND_CEILING),
    RoundingRule.UP_JIAO: (JIAO, ROUND_CEILING),
    RoundingRule.UP_YUAN: (YUAN, ROUND_CEILING),
    RoundingRule.DOWN_CENT: (CENT, ROUND_DOWN),
}


class MoneyError(CoreError):
    """An amount that is not a valid decimal number."""

    template = gettext_noop("{field}: '{value}' is not an amount of money")


class NegativeAmountError(CoreError):
    """An amount that must not be negative."""

    template = gettext_noop("{field}: '{value}' must not be negative")


def apply_rounding(amount: Decimal, rule: RoundingRule) -> Decimal:
    """Round ``amount`` by ``rule`` and return it with two decimal places.

    Amounts here are never negative when rounded up (contributions and taxes), so ceiling and
    "away from zero" agree; the ceiling is used so the rule reads the way bureaus state it.
    """
    quantum, mode = _RULES[rule]
    return amount.quantize(quantum, rounding=mode).quantize(CENT)


def round_cent(amount: Decimal) -> Decimal:
    """四舍五入到分: the default rule for wages, taxes and contributions."""
    return apply_rounding(amount, RoundingRule.HALF_UP_CENT)


def parse_money(value: object, *, field: str) -> Decimal:
    """Parse a string, int or Decimal into a finite Decimal; floats are refused outright."""
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(field=field, value=value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise MoneyError(field=field, value=value) from None
    if not amount.is_finite():
        raise MoneyError(field=field, value=value)
    return amount


def parse_non_negative(value: object, *, field: str) -> Decimal:
    """Parse like ``parse_money`` and refuse a negative amount."""
    amount = parse_money(value, field=field)
    if amount < 0:
        raise NegativeAmountError(field=field, value=value)
    return amount


def format_money(amount: Decimal) -> str:
    """The contract's form: a plain string with exactly two decimals, e.g. ``"1500.00"``."""
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):f}"
