"""The resident ID (居民身份证号码, GB 11643-1999): validation, what it says, and masking.

The 18 characters are a 6-digit area code, the birth date as YYYYMMDD, a 3-digit sequence
whose parity is the gender (odd: male), and an ISO 7064 MOD 11-2 check character (0-9 or X).
``stdnum.cn.ric`` supplies the normalisation and the check digit; its ``validate`` also looks
the area code up in a bundled table, which we do not do: codes retired or added since the
table was made would turn away real people's IDs, and the area says nothing payroll needs.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from stdnum.cn import ric

from renshi.people.errors import (
    ResidentIdBirthDateError,
    ResidentIdChecksumError,
    ResidentIdFormatError,
    ResidentIdLengthError,
)

ID_LENGTH = 18
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
MASK = "*"
_SEPARATORS = re.compile(r"[\s\-]")  # people type IDs in groups: 110105 19491231 002X


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str  # 18 characters, a final x upper-cased
    birth_date: datetime.date
    gender: str  # "male" or "female", as Gender's values

    @property
    def last4(self) -> str:
        return self.number[-4:]


def parse_resident_id(
    value: str,
    *,
    field: str = "id_number",
    number: str | None = None,
    today: datetime.date | None = None,
) -> ResidentId:
    """Validate ``value`` and read the birth date and gender from it.

    ``number`` is the employee number, named in the error when given. Raises a
    ``ResidentIdError`` subclass: length, format, check digit, or impossible birth date.
    """
    context = {"field": field, "number": number}
    compact = ric.compact(_SEPARATORS.sub("", value or ""))
    if len(compact) != ID_LENGTH:
        raise ResidentIdLengthError(**context, length=len(compact))
    if not compact[:-1].isdigit() or not (compact[-1].isdigit() or compact[-1] == "X"):
        raise ResidentIdFormatError(**context)
    if compact[-1] != ric.calc_check_digit(compact):
        raise ResidentIdChecksumError(**context)
    birth_date = _birth_date(compact, context, today=today)
    gender = "male" if int(compact[16]) % 2 == 1 else "female"
    return ResidentId(number=compact, birth_date=birth_date, gender=gender)


def _birth_date(
    compact: str, context: dict[str, str | None], *, today: datetime.date | None
) -> datetime.date:
    digits = compact[6:14]
    try:
        birth_date = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ResidentIdBirthDateError(**context, digits=digits) from None
    latest = today or timezone.localdate()
    if not EARLIEST_BIRTH <= birth_date <= latest:
        raise ResidentIdBirthDateError(**context, digits=digits)
    return birth_date


def resident_id_check_digit(first17: str) -> str:
    """The check character for 17 digits (used to make valid test IDs)."""
    return ric.calc_check_digit(first17 + "0")


def mask_id_number(last4: str) -> str:
    """``**************123X``: the length of an ID, only the last four shown."""
    return MASK * (ID_LENGTH - len(last4)) + last4 if last4 else ""


def mask_bank_account(last4: str) -> str:
    """``**** **** **** 1234``: enough to recognise one's own account, not to use it."""
    return f"{MASK * 4} {MASK * 4} {MASK * 4} {last4}" if last4 else ""


def is_masked(value: str) -> bool:
    return MASK in value
