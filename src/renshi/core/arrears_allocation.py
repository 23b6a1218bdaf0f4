"""Which of an employee's debts to the company are still owed: credits settle the oldest first.

The arrears ledger only says how much the employee owes in total (the sum of its entries). To
tell an employee which months' advanced shares are still open, and which were since recovered,
the ledger's credits (recoveries from pay, repayments, prepayments, waivers, final-settlement
offsets) must be allocated to its debits (advances, other amounts owed). The rule, named
``FIFO_RULE`` and shown to the reader with the result, is first in, first out:

* every credit, whenever it was recorded, settles the oldest debt still open: the debt of the
  earliest month, and among debts of one month the one recorded first (a prepayment made before
  a leave is thus used up by the leave's advances, as ``renshi.payroll.leave_cost`` intends);
* within one debt, the items (pension, medical, unemployment, housing fund) are settled in the
  order the debt lists them, which is the order of the payslip;
* an entry and the reversal that names it cancel out and take no part.

So the total still owed is the ledger's balance when the balance is not negative; when it is
negative (more was credited than was ever owed), every debt is settled and the rest of the
credit is ``unapplied``. This is a reading of the ledger for the employee, not a legal
appropriation of payments: the company's ledger and its balance are unchanged by it.

Pure: frozen dataclasses, ``Decimal`` in cents, no Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from renshi.core.errors import CoreError
from renshi.core.i18n import gettext_noop
from renshi.core.money import CENT, ZERO
from renshi.core.months import Month

FIFO_RULE = gettext_noop(
    "Payments, recoveries and waivers settle the oldest amount owed first (by month, then as "
    "recorded); within a month, items in the order of the payslip."
)
# The one item of a debt recorded without items (an overpaid bonus, unreturned equipment).
OTHER_ITEM = "other"

# --- Errors ---------------------------------------------------------------------------------

NOT_CENTS = gettext_noop("{field}: '{value}' is not an amount in yuan and fen")
ITEMS_DO_NOT_ADD_UP = gettext_noop(
    "{field}: the items add up to {items}, not to the amount {amount}"
)
ITEM_NEGATIVE = gettext_noop("{field}: item '{item}' is {value}; items are not negative")
ITEMS_ON_CREDIT = gettext_noop("{field}: a credit ({amount}) has no items")
UNKNOWN_REVERSED = gettext_noop(
    "{field}: entry {ref} reverses entry {reverses}, which is not among the earlier entries"
)
REVERSAL_MISMATCH = gettext_noop(
    "{field}: entry {ref} ({amount}) does not cancel entry {reverses} ({reversed_amount})"
)
REVERSED_TWICE = gettext_noop("{field}: entry {reverses} is reversed more than once")
DUPLICATE_REF = gettext_noop("{field}: entry {ref} appears more than once")


class AllocationError(CoreError):
    """A ledger that cannot be read as given; ``template`` is one of the constants above."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template  # type: ignore[misc]
        super().__init__(**params)


def _cents(value: object, *, field: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or value != value.quantize(CENT):
        raise AllocationError(NOT_CENTS, field=field, value=value)
    return value


# --- Inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Movement:
    """One ledger entry: ``amount`` positive adds to the debt (an advance, another amount owed),
    negative reduces it. A debit lists what it is made of in ``items`` (code, amount), which add
    up to ``amount``; without items it is one item, ``OTHER_ITEM``. ``reverses`` names the entry
    this one cancels."""

    ref: int
    month: str
    amount: Decimal
    items: tuple[tuple[str, Decimal], ...] = ()
    reverses: int | None = None

    def __post_init__(self) -> None:
        field = f"entry {self.ref}"
        Month.parse(self.month, field=f"{field}.month")
        _cents(self.amount, field=f"{field}.amount")
        if not self.items:
            return
        if self.amount < ZERO:
            raise AllocationError(ITEMS_ON_CREDIT, field=field, amount=self.amount)
        total = ZERO
        for code, value in self.items:
            _cents(value, field=f"{field}.{code}")
            if value < ZERO:
                raise AllocationError(ITEM_NEGATIVE, field=field, item=code, value=value)
            total += value
        if total != self.amount:
            raise AllocationError(ITEMS_DO_NOT_ADD_UP, field=field, items=total, amount=self.amount)

    @property
    def is_credit(self) -> bool:
        return self.amount < ZERO


# --- Results --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemAllocation:
    """One item of a debt: what it was, how much of it is settled, what is still owed."""

    code: str
    amount: Decimal
    settled: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.settled


@dataclass(frozen=True, slots=True)
class DebtAllocation:
    """One debit of the ledger after allocation."""

    ref: int
    month: str
    amount: Decimal
    items: tuple[ItemAllocation, ...]

    @property
    def settled(self) -> Decimal:
        return sum((item.settled for item in self.items), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.settled

    @property
    def is_settled(self) -> bool:
        return self.outstanding == ZERO


@dataclass(frozen=True, slots=True)
class Allocation:
    """Every debt in the order credits reach them, the credits' total, and what credit no debt
    used (``unapplied``, when more was credited than owed)."""

    debts: tuple[DebtAllocation, ...]
    credited: Decimal
    unapplied: Decimal

    @property
    def owed(self) -> Decimal:
        return sum((debt.amount for debt in self.debts), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return sum((debt.outstanding for debt in self.debts), ZERO)

    @property
    def balance(self) -> Decimal:
        """The ledger's balance: what was owed less what was credited."""
        return self.owed - self.credited

    def by_month_item(self) -> dict[tuple[str, str], ItemAllocation]:
        """(month, item code) → the item, debts of one month and item added together."""
        found: dict[tuple[str, str], ItemAllocation] = {}
        for debt in self.debts:
            for item in debt.items:
                key = (debt.month, item.code)
                if key in found:
                    before = found[key]
                    item = ItemAllocation(
                        item.code, before.amount + item.amount, before.settled + item.settled
                    )
                found[key] = item
        return found


# --- The rule -------------------------------------------------------------------------------


def _without_reversed_pairs(movements: Sequence[Movement]) -> list[Movement]:
    """The movements less every entry that was reversed and its reversal."""
    seen: dict[int, Movement] = {}
    cancelled: set[int] = set()
    for movement in movements:
        if movement.ref in seen:
            raise AllocationError(DUPLICATE_REF, field="ledger", ref=movement.ref)
        seen[movement.ref] = movement
        target_ref = movement.reverses
        if target_ref is None:
            continue
        target = seen.get(target_ref)
        if target is None or target_ref == movement.ref:
            raise AllocationError(
                UNKNOWN_REVERSED, field="ledger", ref=movement.ref, reverses=target_ref
            )
        if target_ref in cancelled:
            raise AllocationError(REVERSED_TWICE, field="ledger", reverses=target_ref)
        if target.amount + movement.amount != ZERO:
            raise AllocationError(
                REVERSAL_MISMATCH,
                field="ledger",
                ref=movement.ref,
                amount=movement.amount,
                reverses=target_ref,
                reversed_amount=target.amount,
            )
        cancelled.update((target_ref, movement.ref))
    return [movement for movement in movements if movement.ref not in cancelled]


def _settle(items: Iterable[tuple[str, Decimal]], credit: Decimal) -> tuple[ItemAllocation, ...]:
    allocated = []
    for code, amount in items:
        settled = min(amount, credit)
        credit -= settled
        allocated.append(ItemAllocation(code, amount, settled))
    return tuple(allocated)


def allocate_fifo(movements: Sequence[Movement]) -> Allocation:
    """Allocate the ledger's credits to its debits by ``FIFO_RULE``; ``movements`` in the order
    they were recorded (a reversal after the entry it reverses)."""
    live = _without_reversed_pairs(movements)
    credit = -sum((m.amount for m in live if m.is_credit), ZERO)
    credited = credit
    # sorted() is stable: debts of one month keep the order they were recorded in.
    debits = sorted((m for m in live if m.amount > ZERO), key=lambda m: Month.parse(m.month))
    debts = []
    for debit in debits:
        items = debit.items or ((OTHER_ITEM, debit.amount),)
        allocated = _settle(items, credit)
        credit -= sum((item.settled for item in allocated), ZERO)
        debts.append(DebtAllocation(debit.ref, debit.month, debit.amount, allocated))
    return Allocation(debts=tuple(debts), credited=credited, unapplied=credit)
