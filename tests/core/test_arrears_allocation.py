"""Which advances are still owed: the ledger's credits settle the oldest debts first (FIFO),
item by item in payslip order; reversed pairs take no part; the total still owed is the
ledger's balance whenever that is not negative."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renshi.core.arrears_allocation import (
    DUPLICATE_REF,
    ITEM_NEGATIVE,
    ITEMS_DO_NOT_ADD_UP,
    ITEMS_ON_CREDIT,
    NOT_CENTS,
    OTHER_ITEM,
    REVERSAL_MISMATCH,
    REVERSED_TWICE,
    UNKNOWN_REVERSED,
    AllocationError,
    Movement,
    allocate_fifo,
)
from renshi.core.months import MonthFormatError

D = Decimal
AUGUST = (("pension", D("800.00")), ("medical", D("203.00")), ("housing_fund", D("1200.00")))


def test_a_recovery_settles_the_oldest_month_first_item_by_item():
    ledger = [
        Movement(1, "2025-08", D("2203.00"), AUGUST),
        Movement(2, "2025-09", D("500.00"), (("pension", D("500.00")),)),
        Movement(3, "2025-10", D("-1003.00")),
    ]

    allocation = allocate_fifo(ledger)

    august, september = allocation.debts
    assert [(i.code, i.settled, i.outstanding) for i in august.items] == [
        ("pension", D("800.00"), D("0.00")),
        ("medical", D("203.00"), D("0.00")),
        ("housing_fund", D("0.00"), D("1200.00")),
    ]
    assert september.settled == D("0")
    assert september.outstanding == D("500.00")
    assert allocation.outstanding == allocation.balance == D("1700.00")


def test_a_credit_recorded_before_an_advance_settles_it_like_a_prepayment():
    ledger = [
        Movement(1, "2025-07", D("-300.00")),
        Movement(2, "2025-08", D("300.00"), (("pension", D("300.00")),)),
    ]

    allocation = allocate_fifo(ledger)

    assert allocation.debts[0].is_settled
    assert allocation.outstanding == D("0")
    assert allocation.unapplied == D("0")


def test_debts_are_taken_in_month_order_even_when_recorded_out_of_order():
    ledger = [
        Movement(1, "2025-09", D("100.00")),
        Movement(2, "2025-06", D("100.00")),
        Movement(3, "2025-10", D("-100.00")),
    ]

    allocation = allocate_fifo(ledger)

    assert [(d.ref, d.is_settled) for d in allocation.debts] == [(2, True), (1, False)]


def test_a_debt_without_items_is_one_other_item():
    allocation = allocate_fifo([Movement(7, "2025-11", D("88.00"))])

    assert [(i.code, i.amount) for i in allocation.debts[0].items] == [(OTHER_ITEM, D("88.00"))]


def test_an_entry_and_its_reversal_take_no_part():
    ledger = [
        Movement(1, "2025-08", D("2203.00"), AUGUST),
        Movement(2, "2025-09", D("-500.00")),
        Movement(3, "2025-09", D("500.00"), reverses=2),
        Movement(4, "2025-08", D("-2203.00"), reverses=1),
        Movement(5, "2025-08", D("1003.00"), AUGUST[:2]),
    ]

    allocation = allocate_fifo(ledger)

    assert [d.ref for d in allocation.debts] == [5]
    assert allocation.credited == D("0")
    assert allocation.outstanding == D("1003.00")


def test_more_credit_than_debt_leaves_the_rest_unapplied():
    ledger = [Movement(1, "2025-08", D("100.00")), Movement(2, "2025-09", D("-150.00"))]

    allocation = allocate_fifo(ledger)

    assert allocation.outstanding == D("0")
    assert allocation.unapplied == D("50.00")
    assert allocation.balance == D("-50.00")


def test_month_items_of_one_month_add_together():
    ledger = [
        Movement(1, "2025-08", D("100.00"), (("pension", D("100.00")),)),
        Movement(2, "2025-08", D("50.00"), (("pension", D("50.00")),)),
        Movement(3, "2025-09", D("-120.00")),
    ]

    item = allocate_fifo(ledger).by_month_item()[("2025-08", "pension")]

    assert (item.amount, item.settled, item.outstanding) == (D("150.00"), D("120.00"), D("30.00"))


@pytest.mark.parametrize(
    ("make", "template"),
    [
        (lambda: Movement(1, "2025-08", D("1.005")), NOT_CENTS),
        (lambda: Movement(1, "2025-08", 1.5), NOT_CENTS),  # type: ignore[arg-type]
        (
            lambda: Movement(1, "2025-08", D("10.00"), (("pension", D("9.00")),)),
            ITEMS_DO_NOT_ADD_UP,
        ),
        (
            lambda: Movement(1, "2025-08", D("0.00"), (("a", D("1.00")), ("b", D("-1.00")))),
            ITEM_NEGATIVE,
        ),
        (lambda: Movement(1, "2025-08", D("-1.00"), (("a", D("-1.00")),)), ITEMS_ON_CREDIT),
    ],
)
def test_a_movement_that_does_not_add_up_is_refused(make, template):
    with pytest.raises(AllocationError) as error:
        make()
    assert error.value.template == template


def test_a_month_not_written_yyyy_mm_is_refused():
    with pytest.raises(MonthFormatError):
        Movement(1, "2025-8", D("1.00"))


@pytest.mark.parametrize(
    ("ledger", "template"),
    [
        ([Movement(1, "2025-08", D("-1.00"), reverses=9)], UNKNOWN_REVERSED),
        (
            [Movement(1, "2025-08", D("2.00")), Movement(2, "2025-08", D("-1.00"), reverses=1)],
            REVERSAL_MISMATCH,
        ),
        (
            [
                Movement(1, "2025-08", D("2.00")),
                Movement(2, "2025-08", D("-2.00"), reverses=1),
                Movement(3, "2025-08", D("-2.00"), reverses=1),
            ],
            REVERSED_TWICE,
        ),
        ([Movement(1, "2025-08", D("2.00")), Movement(1, "2025-09", D("-2.00"))], DUPLICATE_REF),
    ],
)
def test_a_ledger_with_inconsistent_reversals_is_refused(ledger, template):
    with pytest.raises(AllocationError) as error:
        allocate_fifo(ledger)
    assert error.value.template == template


# --- Properties -----------------------------------------------------------------------------

cents = st.integers(min_value=1, max_value=500_000).map(lambda n: Decimal(n).scaleb(-2))
months = st.sampled_from([f"2025-{m:02d}" for m in range(1, 13)])
item_codes = ["pension", "medical", "unemployment", "housing_fund"]


@st.composite
def debit(draw: st.DrawFn, ref: int) -> Movement:
    parts = draw(st.lists(cents, min_size=0, max_size=4))
    month = draw(months)
    if not parts:
        return Movement(ref, month, draw(cents))
    items = tuple(zip(item_codes, parts, strict=False))
    return Movement(ref, month, sum((v for _, v in items), Decimal("0")), items)


@st.composite
def ledgers(draw: st.DrawFn) -> list[Movement]:
    movements: list[Movement] = []
    for ref in range(draw(st.integers(min_value=0, max_value=12))):
        if draw(st.booleans()):
            movements.append(draw(debit(ref)))
        else:
            movements.append(Movement(ref, draw(months), -draw(cents)))
    return movements


@given(ledgers())
def test_no_item_is_ever_settled_beyond_what_was_advanced(ledger):
    allocation = allocate_fifo(ledger)

    for debt in allocation.debts:
        for item in debt.items:
            assert Decimal("0") <= item.settled <= item.amount


@given(ledgers())
def test_what_is_still_owed_is_the_balance_when_the_balance_is_not_negative(ledger):
    allocation = allocate_fifo(ledger)
    balance = sum((m.amount for m in ledger), Decimal("0"))

    assert allocation.balance == balance
    if balance >= 0:
        assert allocation.outstanding == balance
        assert allocation.unapplied == 0
    else:
        assert allocation.outstanding == 0
        assert allocation.unapplied == -balance


@given(ledgers())
def test_a_later_debt_is_touched_only_once_every_earlier_one_is_settled(ledger):
    debts = allocate_fifo(ledger).debts

    for earlier, later in zip(debts, debts[1:], strict=False):
        assert earlier.month <= later.month
        if later.settled > 0:
            assert earlier.is_settled


@given(ledgers(), st.data())
def test_reversing_an_entry_is_the_same_as_never_recording_it(ledger, data):
    if not ledger:
        return
    target = data.draw(st.sampled_from(ledger))
    reversal = Movement(1000, target.month, -target.amount, reverses=target.ref)

    with_reversal = allocate_fifo([*ledger, reversal])
    without = allocate_fifo([m for m in ledger if m.ref != target.ref])

    assert with_reversal == without
