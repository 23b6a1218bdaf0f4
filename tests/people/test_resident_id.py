"""The resident ID: checked digit by digit, and the birth date and gender read from it."""

from __future__ import annotations

from datetime import date

import pytest
from tests.factories import valid_resident_id

from renshi.people.errors import (
    ResidentIdBirthDateError,
    ResidentIdChecksumError,
    ResidentIdFormatError,
    ResidentIdLengthError,
)
from renshi.people.identity import (
    mask_bank_account,
    mask_id_number,
    parse_resident_id,
    resident_id_check_digit,
)


def test_a_valid_id_gives_its_birth_date_and_gender() -> None:
    # The example in GB 11643-1999: born 1949-12-31, sequence 002 (even: female), check X.
    resident = parse_resident_id("11010519491231002X")

    assert resident.number == "11010519491231002X"
    assert resident.birth_date == date(1949, 12, 31)
    assert resident.gender == "female"
    assert resident.last4 == "002X"


def test_an_odd_sequence_is_a_man() -> None:
    number = valid_resident_id(date(1988, 2, 29), "male", seq=137)

    resident = parse_resident_id(number)

    assert (resident.gender, resident.birth_date) == ("male", date(1988, 2, 29))


def test_spaces_and_a_lower_case_x_are_accepted() -> None:
    assert parse_resident_id(" 110105 19491231 002x ").number == "11010519491231002X"


def test_a_wrong_check_digit_is_a_checksum_error_naming_the_field_and_employee() -> None:
    with pytest.raises(ResidentIdChecksumError) as caught:
        parse_resident_id("110105194912310021", number="E007")

    assert caught.value.params["field"] == "id_number"
    assert caught.value.params["number"] == "E007"
    assert "110105194912310021" not in str(caught.value)  # errors never repeat the ID


@pytest.mark.parametrize("value", ["", "11010519491231002", "110105491231002", "1" * 19])
def test_an_id_of_the_wrong_length_is_a_length_error(value: str) -> None:
    with pytest.raises(ResidentIdLengthError) as caught:
        parse_resident_id(value)

    assert caught.value.params["length"] == len(value)


def test_letters_inside_the_id_are_a_format_error() -> None:
    with pytest.raises(ResidentIdFormatError):
        parse_resident_id("1101051949A231002X")


@pytest.mark.parametrize("birth", ["19490230", "19491301", "18991231", "21000101"])
def test_an_impossible_birth_date_is_refused_even_with_a_good_check_digit(birth: str) -> None:
    first17 = f"110105{birth}002"

    with pytest.raises(ResidentIdBirthDateError) as caught:
        parse_resident_id(first17 + resident_id_check_digit(first17), today=date(2026, 1, 1))

    assert caught.value.params["digits"] == birth


def test_the_factory_makes_ids_that_pass_with_the_gender_asked_for() -> None:
    for gender in ("male", "female"):
        number = valid_resident_id(date(2000, 6, 15), gender)
        assert parse_resident_id(number).gender == gender


def test_masks_keep_only_the_last_four() -> None:
    assert mask_id_number("002X") == "**************002X"
    assert len(mask_id_number("002X")) == 18
    assert mask_bank_account("3445") == "**** **** **** 3445"
    assert mask_bank_account("") == ""
