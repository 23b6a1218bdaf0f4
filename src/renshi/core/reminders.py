"""Personal reminders: which of the knowledge base's warnings fit one person now.

A pure rule set over a frozen snapshot of the person's situation; the portal gathers the
snapshot from the records and renders the messages in the reader's language. Every reminder
names the knowledge-base article (by slug) that explains it and gives the sources; the rules
here only decide who is told what.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from renshi.core.errors import Message
from renshi.core.i18n import gettext_noop
from renshi.core.money import ZERO
from renshi.core.pension import RetirementCategory, minimum_years_shortfall_months


class ReminderCode(enum.StrEnum):
    HOME_PURCHASE_CONTINUITY = "home_purchase_continuity"
    MEDICAL_AFTER_GAP = "medical_after_gap"
    MINIMUM_YEARS_SHORT = "minimum_years_short"
    AMOUNT_OWED = "amount_owed"
    BACKPAY_GAP = "backpay_gap"
    CONTINUE_AFTER_LEAVING = "continue_after_leaving"
    UNPAID_LEAVE_ADVANCE = "unpaid_leave_advance"


class Severity(enum.StrEnum):
    """Ordered from the most to the least pressing (see ``_SEVERITY_ORDER``)."""

    DANGER = "danger"
    WARNING = "warning"
    INFO = "info"


_SEVERITY_ORDER = {Severity.DANGER: 0, Severity.WARNING: 1, Severity.INFO: 2}


class ReminderAction(enum.StrEnum):
    """Something the reader can do about it in Renshi, besides reading the article."""

    NONE = ""
    BACKPAY_REQUEST = "backpay_request"
    PAY_OWED = "pay_owed"
    PENSION_SIMULATOR = "pension_simulator"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The rules' thresholds, as data: each says why it is where it is."""

    # Home-purchase continuity matters most to people who are yet to buy; under 40 is a proxy
    # for that (no source: a judgement, change it freely).
    home_purchase_below_age: int = 40
    # From 40 on, the chance of needing hospital care in any one year grows, so losing medical
    # cover during a gap weighs more (a judgement, not a statutory age).
    medical_from_age: int = 40
    # Within five years of retirement there is still time to close a shortfall by contributing
    # monthly; later, only lump-sum payment is left (the reform decision, annex 2, art. 4) [R].
    near_retirement_months: int = 60
    # The window for counting broken-off months: Beijing's and Shanghai's home-purchase rules
    # look back up to five years (see the article gap-home-purchase) [R], and back-payment
    # requests for older months are rarely accepted [U].
    gap_lookback_months: int = 60


THRESHOLDS = Thresholds()

# Cities whose home-purchase rules for buyers without local hukou count continuous social
# insurance (or income tax) months in the city, and where a gap restarts the count. Sources in
# the article gap-home-purchase: Beijing (Xinhua, 2024-04-30, 2025-08-08 and 2025-12-24
# reports) [R]; Shanghai (Shine 2024-01-30; Sixth Tone on the 2025 easing) [R]; Shenzhen
# (Shenzhen Government Online, 2024-02-08) [R]. Guangzhou is left out: it stopped reviewing
# purchase eligibility on 2024-09-30 (Xinhua via Bastille Post, 2024-10-04) [R].
HOME_PURCHASE_CONTINUITY_CITIES: frozenset[str] = frozenset({"beijing", "shanghai", "shenzhen"})

# Article slugs (files under renshi/portal/knowledge/).
ARTICLE_HOME_PURCHASE = "gap-home-purchase"
ARTICLE_MEDICAL = "gap-medical"
ARTICLE_RETIREMENT = "retirement-age"
ARTICLE_UNPAID_LEAVE = "unpaid-leave-advance"
ARTICLE_BACKPAY = "backpay"
ARTICLE_AFTER_LEAVING = "after-leaving"


@dataclass(frozen=True, slots=True)
class ReminderInput:
    """One person's situation on one day, as far as the records tell it."""

    age_years: int
    age_extra_months: int
    category: RetirementCategory
    city: str  # the policy library's code, e.g. "beijing"; "" if unknown
    city_name: str  # as the reader should see it
    months_to_retirement: int  # negative once past the statutory retirement month
    retirement_year: int
    contributed_months: int  # contribution months the records show (this employer only)
    minimum_years: Decimal  # for a pension starting in ``retirement_year``
    months_broken_recently: int  # employed here without contributions, last ``gap_lookback``
    amount_owed: Decimal
    is_on_unpaid_leave: bool
    is_long_leave_planned: bool
    has_left: bool
    is_hukou_unknown: bool = True  # Renshi does not record hukou


@dataclass(frozen=True, slots=True)
class Reminder:
    code: ReminderCode
    severity: Severity
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)
    article: str = ""
    action: ReminderAction = ReminderAction.NONE

    def message(self) -> Message:
        return Message(self.template, self.params)


HOME_PURCHASE_HUKOU_UNKNOWN = gettext_noop(
    "If your hukou is not in {city}: buying a home there requires years of continuous social "
    "insurance or income tax payments in the city. A gap restarts the count, and a later "
    "back-payment may not mend it."
)
HOME_PURCHASE = gettext_noop(
    "Buying a home in {city} without local hukou requires years of continuous social insurance "
    "or income tax payments in the city. A gap restarts the count, and a later back-payment may "
    "not mend it."
)
HOME_PURCHASE_BROKEN = gettext_noop(
    "Your records show {months} months without contributions here in the last five years: in "
    "{city} such a gap may restart the continuous-payment count that buying a home without "
    "local hukou requires."
)
MEDICAL = gettext_noop(
    "A gap in medical insurance stops reimbursement from the month after, and resuming may come "
    "with a waiting period; the rules differ by city. Avoid a gap, or close it quickly."
)
MEDICAL_BROKEN = gettext_noop(
    "Your records show {months} months without contributions here in the last five years. "
    "Medical reimbursement stops during a gap and may come with a waiting period after it: "
    "check whether the months can still be back-paid."
)
MINIMUM_YEARS_SHORT = gettext_noop(
    "Your records here show {years} contribution years; a pension starting in {year} needs "
    "{minimum}. Unless earlier employers add the rest, {missing} months are missing now, and "
    "{missing_at_retirement} would still be missing at retirement if you contribute every month "
    "until then."
)
MINIMUM_YEARS_SHORT_PAST = gettext_noop(
    "Your records here show {years} contribution years; a pension starting in {year} needs "
    "{minimum}. Unless earlier employers add the rest, {missing} months are missing: the law "
    "lets you keep contributing until the minimum is reached."
)
AMOUNT_OWED = gettext_noop(
    "You owe the company {amount} (your social insurance share it advanced, or another amount). "
    "Pay it, or agree a plan with HR, so that it is not deducted from a later wage all at once."
)
BACKPAY_GAP = gettext_noop(
    "Your records show {months} months in the last five years when you worked here but no "
    "contributions were paid. You can ask for a back-payment (补缴) of those months."
)
BACKPAY_GAP_FORMER = gettext_noop(
    "Your records show {months} months in the last five years when you worked here but no "
    "contributions were paid. Ask the company's HR about a back-payment (补缴) of those months."
)
CONTINUE_AFTER_LEAVING = gettext_noop(
    "You have left the company. To avoid a gap, start contributing again within the month: with "
    "your next employer, or on your own as a flexible worker (灵活就业)."
)
UNPAID_LEAVE_NOW = gettext_noop(
    "You are on unpaid leave: your wages do not cover your social insurance share, so the "
    "company advances it and recovers it from later wages (or you repay it)."
)
UNPAID_LEAVE_PLANNED = gettext_noop(
    "Your long unpaid leave ahead means your wages will not cover your social insurance share: "
    "the company advances it and recovers it later, unless you prepay it."
)


def _years_text(months: int) -> str:
    """Contribution years to two decimals, as the reader counts them (18 months: 1.50)."""
    return f"{(Decimal(months) / 12).quantize(Decimal('0.01')):f}"


def _home_purchase(person: ReminderInput, limits: Thresholds) -> Reminder | None:
    if person.city not in HOME_PURCHASE_CONTINUITY_CITIES:
        return None
    if person.age_years >= limits.home_purchase_below_age:
        return None
    params = {"city": person.city_name}
    if person.months_broken_recently > 0:
        return Reminder(
            ReminderCode.HOME_PURCHASE_CONTINUITY,
            Severity.WARNING,
            HOME_PURCHASE_BROKEN,
            {**params, "months": person.months_broken_recently},
            ARTICLE_HOME_PURCHASE,
        )
    template = HOME_PURCHASE_HUKOU_UNKNOWN if person.is_hukou_unknown else HOME_PURCHASE
    return Reminder(
        ReminderCode.HOME_PURCHASE_CONTINUITY,
        Severity.INFO,
        template,
        params,
        ARTICLE_HOME_PURCHASE,
    )


def _medical(person: ReminderInput, limits: Thresholds) -> Reminder | None:
    if person.age_years < limits.medical_from_age:
        return None
    if person.months_broken_recently > 0:
        return Reminder(
            ReminderCode.MEDICAL_AFTER_GAP,
            Severity.WARNING,
            MEDICAL_BROKEN,
            {"months": person.months_broken_recently},
            ARTICLE_MEDICAL,
        )
    return Reminder(ReminderCode.MEDICAL_AFTER_GAP, Severity.INFO, MEDICAL, {}, ARTICLE_MEDICAL)


def _minimum_years(person: ReminderInput, limits: Thresholds) -> Reminder | None:
    if person.months_to_retirement > limits.near_retirement_months:
        return None
    missing = minimum_years_shortfall_months(
        contributed_months=person.contributed_months, minimum_years=person.minimum_years
    )
    if missing == 0:
        return None
    params: dict[str, Any] = {
        "years": _years_text(person.contributed_months),
        "minimum": f"{person.minimum_years:f}",
        "year": person.retirement_year,
        "missing": missing,
    }
    if person.months_to_retirement <= 0:
        return Reminder(
            ReminderCode.MINIMUM_YEARS_SHORT,
            Severity.DANGER,
            MINIMUM_YEARS_SHORT_PAST,
            params,
            ARTICLE_RETIREMENT,
            ReminderAction.PENSION_SIMULATOR,
        )
    # As the message says: if every month until retirement is contributed (here, with a next
    # employer or as a flexible worker).
    params["missing_at_retirement"] = minimum_years_shortfall_months(
        contributed_months=person.contributed_months + person.months_to_retirement,
        minimum_years=person.minimum_years,
    )
    return Reminder(
        ReminderCode.MINIMUM_YEARS_SHORT,
        Severity.DANGER if params["missing_at_retirement"] > 0 else Severity.WARNING,
        MINIMUM_YEARS_SHORT,
        params,
        ARTICLE_RETIREMENT,
        ReminderAction.PENSION_SIMULATOR,
    )


def _amount_owed(person: ReminderInput, limits: Thresholds) -> Reminder | None:
    if person.amount_owed <= ZERO:
        return None
    return Reminder(
        ReminderCode.AMOUNT_OWED,
        Severity.WARNING,
        AMOUNT_OWED,
        {"amount": person.amount_owed},
        ARTICLE_UNPAID_LEAVE,
        ReminderAction.PAY_OWED,
    )


def _backpay(person: ReminderInput, limits: Thresholds) -> Reminder | None:
    if person.months_broken_recently <= 0:
        return None
    if person.has_left:
        # A former employee's records are read-only here: the request goes through HR.
        return Reminder(
            ReminderCode.BACKPAY_GAP,
            Severity.WARNING,
            BACKPAY_GAP_FORMER,
            {"months": person.months_broken_recently},
            ARTICLE_BACKPAY,
        )
    return Reminder(
        ReminderCode.BACKPAY_GAP,
        Severity.WARNING,
        BACKPAY_GAP,
        {"months": person.months_broken_recently},
        ARTICLE_BACKPAY,
        ReminderAction.BACKPAY_REQUEST,
    )


def _after_leaving(person: ReminderInput, limits: Thresholds) -> Reminder | None:
    if not person.has_left or person.months_to_retirement <= 0:
        return None
    return Reminder(
        ReminderCode.CONTINUE_AFTER_LEAVING,
        Severity.WARNING,
        CONTINUE_AFTER_LEAVING,
        {},
        ARTICLE_AFTER_LEAVING,
    )


def _unpaid_leave(person: ReminderInput, limits: Thresholds) -> Reminder | None:
    if person.has_left:
        return None
    if person.is_on_unpaid_leave:
        template = UNPAID_LEAVE_NOW
    elif person.is_long_leave_planned:
        template = UNPAID_LEAVE_PLANNED
    else:
        return None
    return Reminder(
        ReminderCode.UNPAID_LEAVE_ADVANCE, Severity.INFO, template, {}, ARTICLE_UNPAID_LEAVE
    )


_RULES = (
    _minimum_years,
    _amount_owed,
    _backpay,
    _after_leaving,
    _unpaid_leave,
    _home_purchase,
    _medical,
)


def reminders(person: ReminderInput, *, limits: Thresholds = THRESHOLDS) -> list[Reminder]:
    """The reminders that fit ``person``, the most pressing first (rule order breaks ties)."""
    found = [r for rule in _RULES if (r := rule(person, limits)) is not None]
    return sorted(found, key=lambda r: _SEVERITY_ORDER[r.severity])
