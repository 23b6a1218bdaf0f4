"""What can be wrong with a company's people data, as errors that name the field at fault.

Every error renders as ``<employee>, <field label>: <reason>`` for services and admin pages, and
keeps its ``reason`` on its own for spreadsheets, which name the row and column instead. Tests
assert on the class and ``params`` (``field``, ``number``, ...), never on rendered text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from renshi.core.errors import CoreError, Message
from renshi.core.i18n import gettext_noop

# What the user calls each field, in messages. Keys are the services' argument names.
FIELD_LABELS: dict[str, str] = {
    "company": gettext_noop("company"),
    "code": gettext_noop("code"),
    "default_city": gettext_noop("default city"),
    "payday": gettext_noop("payday"),
    "parent": gettext_noop("parent department"),
    "number": gettext_noop("employee number"),
    "name": gettext_noop("name"),
    "id_number": gettext_noop("resident ID"),
    "phone": gettext_noop("phone"),
    "email": gettext_noop("email"),
    "bank_name": gettext_noop("bank"),
    "bank_account": gettext_noop("bank account"),
    "department": gettext_noop("department"),
    "position": gettext_noop("position"),
    "employment_type": gettext_noop("employment type"),
    "work_city": gettext_noop("work city"),
    "hire_date": gettext_noop("hire date"),
    "enrolment": gettext_noop("social insurance enrolment"),
    "city": gettext_noop("social insurance city"),
    "work_injury_class": gettext_noop("industry class (work injury)"),
    "base": gettext_noop("contribution base"),
    "pension_base": gettext_noop("pension base"),
    "medical_base": gettext_noop("medical base"),
    "unemployment_base": gettext_noop("unemployment base"),
    "work_injury_base": gettext_noop("work injury base"),
    "maternity_base": gettext_noop("maternity base"),
    "housing_fund_base": gettext_noop("housing fund base"),
    "housing_fund_rate": gettext_noop("housing fund rate"),
    "start_month": gettext_noop("first month"),
    "end_month": gettext_noop("last month"),
    "leave_date": gettext_noop("last working day"),
    "leave_reason": gettext_noop("reason for leaving"),
    "state": gettext_noop("state"),
    "contract_type": gettext_noop("contract type"),
    "start_date": gettext_noop("start date"),
    "end_date": gettext_noop("end date"),
    "probation_end_date": gettext_noop("end of probation"),
    "signed_date": gettext_noop("signed on"),
    "title": gettext_noop("title"),
    "training_type": gettext_noop("training type"),
    "hours": gettext_noop("hours"),
    "file": gettext_noop("file"),
    "note": gettext_noop("note"),
    "provider": gettext_noop("provider"),
    "credit_code": gettext_noop("unified social credit code"),
    "address": gettext_noop("address"),
}
_META_PARAMS = ("who", "label", "reason")


class PeopleError(CoreError):
    """Bad people data: ``field`` names the argument, ``number`` the employee when known."""

    template = gettext_noop("{who}{label}: {reason}")
    reason_template: ClassVar[str] = gettext_noop("invalid value")

    def __init__(self, **params: Any) -> None:
        facts = {key: value for key, value in params.items() if key not in _META_PARAMS}
        field = facts.get("field")
        number = facts.get("number")
        label = FIELD_LABELS.get(str(field), str(field or ""))
        params = {
            **facts,
            "who": Message(gettext_noop("employee {number}, "), {"number": number})
            if number
            else "",
            "label": Message(label),
            "reason": Message(self.reason_template, facts),
        }
        super().__init__(**params)

    @property
    def reason(self) -> Message:
        """The reason alone, for a spreadsheet row that already names the row and column."""
        message = self.params["reason"]
        assert isinstance(message, Message)
        return message

    def render_reason(self, translate: Callable[[str], str] = str) -> str:
        return self.reason.render(translate)


class RequiredValueError(PeopleError):
    reason_template = gettext_noop("a value is required")


class ValueTooLongError(PeopleError):
    reason_template = gettext_noop("at most {limit} characters")


class ResidentIdError(PeopleError):
    """Any reason a resident ID is not valid."""

    reason_template = gettext_noop("not a valid resident ID")


class ResidentIdLengthError(ResidentIdError):
    reason_template = gettext_noop(
        "a resident ID has 18 characters, this one has {length} (the old 15-digit IDs are not "
        "accepted)"
    )


class ResidentIdFormatError(ResidentIdError):
    reason_template = gettext_noop("a resident ID is 17 digits followed by a digit or X")


class ResidentIdChecksumError(ResidentIdError):
    reason_template = gettext_noop(
        "the check digit (the last character) does not match; the ID was probably mistyped"
    )


class ResidentIdBirthDateError(ResidentIdError):
    reason_template = gettext_noop("characters 7 to 14 ({digits}) are not a possible birth date")


class StoredAsNumberError(PeopleError):
    reason_template = gettext_noop(
        "the spreadsheet holds this as a number, which keeps only 15 digits (and no X); "
        "format the column as text and type it again"
    )


class MaskedValueError(PeopleError):
    reason_template = gettext_noop(
        "the value is masked ('*'); export again by someone allowed to see it in full"
    )


class BankAccountError(PeopleError):
    reason_template = gettext_noop("a bank account number is 8 to 32 digits")


class EmailError(PeopleError):
    reason_template = gettext_noop("'{value}' is not an email address")


class PhoneError(PeopleError):
    reason_template = gettext_noop("'{value}' is not a phone number")


class UnknownCodeError(PeopleError):
    """A department, position or company code the company does not have."""

    reason_template = gettext_noop("no such code '{value}'")


class UnknownEmployeeError(PeopleError):
    reason_template = gettext_noop("the company has no employee numbered '{value}'")


class UnknownCityError(PeopleError):
    reason_template = gettext_noop("unknown city '{value}'; the policy library has: {known}")


class BadChoiceError(PeopleError):
    reason_template = gettext_noop("'{value}' is not one of: {choices}")


class DuplicateNumberError(PeopleError):
    reason_template = gettext_noop("the employee number {value} is already taken")


class DuplicateIdNumberError(PeopleError):
    reason_template = gettext_noop("employee {other} already has this resident ID")


class DuplicateCodeError(PeopleError):
    reason_template = gettext_noop("the code '{value}' is already taken")


class DuplicateInFileError(PeopleError):
    reason_template = gettext_noop("the same value as row {other_row}")


class BadDateError(PeopleError):
    reason_template = gettext_noop("'{value}' is not a date (write YYYY-MM-DD)")


class BadMonthError(PeopleError):
    reason_template = gettext_noop("'{value}' is not a month (write YYYY-MM)")


class BadAmountError(PeopleError):
    reason_template = gettext_noop("'{value}' is not an amount with at most two decimals")


class NotPositiveError(PeopleError):
    reason_template = gettext_noop("'{value}' must be greater than zero")


class BadRateError(PeopleError):
    reason_template = gettext_noop("'{value}' is not a rate such as 0.12 or 12%")


class RateOutOfRangeError(PeopleError):
    reason_template = gettext_noop(
        "{value} lies outside {city}'s housing fund range {low}..{high} in {month}"
    )


class UnknownInjuryClassError(PeopleError):
    reason_template = gettext_noop("{city} has no industry class '{value}'; it has: {known}")


class DateOrderError(PeopleError):
    reason_template = gettext_noop("{value} is before {other_label} {other}")

    def __init__(self, **params: Any) -> None:
        other_field = str(params.get("other_field", ""))
        params["other_label"] = Message(FIELD_LABELS.get(other_field, other_field))
        super().__init__(**params)


class EnrolmentRequiredError(PeopleError):
    reason_template = gettext_noop(
        "a {employment_type} employee must be enrolled in social insurance; only temporary, "
        "flexible and intern workers may go without"
    )


class EnrolmentStateError(PeopleError):
    reason_template = gettext_noop("the enrolment is {state}; this needs it to be {expected}")


class EmployeeStateError(PeopleError):
    reason_template = gettext_noop("the employee is {status}; this needs {expected}")


class UnknownFieldError(PeopleError):
    reason_template = gettext_noop("cannot be changed here; changeable: {allowed}")


class SpreadsheetError(PeopleError):
    """The upload as a whole is unreadable: not an .xlsx file, or no sheet."""

    reason_template = gettext_noop("not a readable .xlsx spreadsheet ({detail})")


class MissingColumnError(PeopleError):
    reason_template = gettext_noop("the header row has no column '{value}'")


class EmptySpreadsheetError(PeopleError):
    reason_template = gettext_noop("the spreadsheet has no rows below the header")


class CreditCodeError(PeopleError):
    reason_template = gettext_noop("not a valid unified social credit code (18 characters)")


class PaydayError(PeopleError):
    reason_template = gettext_noop("'{value}' is not a day of the month (1 to 31)")


class DepartmentCycleError(PeopleError):
    reason_template = gettext_noop("a department cannot sit below itself or its own sub-department")


class OpenEndedContractEndError(PeopleError):
    reason_template = gettext_noop("an open-ended contract has no end date")


class NotInCompanyError(PeopleError):
    reason_template = gettext_noop("'{value}' belongs to another company")


# The labels of the models' choices, repeated as message templates (same English, so the same
# translation) because an error's parameters must stay untranslated until it is rendered.
CHOICE_LABELS: dict[str, str] = {
    "full_time": gettext_noop("full-time"),
    "temporary": gettext_noop("temporary"),
    "flexible": gettext_noop("flexible / part-time"),
    "intern": gettext_noop("intern"),
    "active": gettext_noop("active"),
    "leaving": gettext_noop("leaving"),
    "left": gettext_noop("left"),
    "pending_add": gettext_noop("pending enrolment (增员)"),
    "pending_remove": gettext_noop("pending removal (减员)"),
    "ended": gettext_noop("ended"),
    "not_ended": gettext_noop("not yet ended"),
}


def choice_label(value: str) -> Message:
    return Message(CHOICE_LABELS.get(value, value))


class AccountTakenError(PeopleError):
    reason_template = gettext_noop("the user account {value} already belongs to employee {other}")
