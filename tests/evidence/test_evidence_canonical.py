"""Canonical JSON: one byte string per document, and a refusal for values with no single form."""

from __future__ import annotations

import datetime
import enum
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renshi.evidence.canonical import (
    BytesRefusedError,
    CanonicalValueError,
    FloatRefusedError,
    InvalidTextError,
    KeyTypeError,
    NaiveDatetimeError,
    NonFiniteDecimalError,
    UnsupportedTypeError,
    _normalize,
    canonical_json,
    canonical_object,
)

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
COMPACT: dict[str, object] = {"separators": (",", ":"), "ensure_ascii": False}


def test_keys_are_sorted_without_whitespace_and_text_is_utf8() -> None:
    assert canonical_json({"b": 1, "a": [True, None], "名": "张三"}) == (
        '{"a":[true,null],"b":1,"名":"张三"}'.encode()
    )


def test_decimal_is_a_string_that_keeps_its_scale() -> None:
    assert canonical_json({"net": Decimal("1500.00")}) == b'{"net":"1500.00"}'


def test_a_datetime_is_iso_8601_with_its_offset_and_a_date_is_iso() -> None:
    moment = datetime.datetime(2025, 11, 7, 9, 0, 0, 123000, tzinfo=SHANGHAI)

    assert canonical_json([moment, moment.date()]) == (
        b'["2025-11-07T09:00:00.123000+08:00","2025-11-07"]'
    )


def test_choices_are_written_as_their_value() -> None:
    class State(enum.StrEnum):
        SENT = "sent"

    assert canonical_json({"state": State.SENT}) == b'{"state":"sent"}'


@pytest.mark.parametrize(
    ("value", "error", "field"),
    [
        ({"a": {"b": 1.5}}, FloatRefusedError, "$.a.b"),
        ({"pdf": b"%PDF"}, BytesRefusedError, "$.pdf"),
        ({"at": datetime.datetime(2025, 1, 1)}, NaiveDatetimeError, "$.at"),  # noqa: DTZ001
        ({"x": Decimal("NaN")}, NonFiniteDecimalError, "$.x"),
        ({1: "one"}, KeyTypeError, "$"),
        ({"s": {1, 2}}, UnsupportedTypeError, "$.s"),
        ({"t": "\ud800"}, InvalidTextError, "$.t"),
        ([0, 1.0], FloatRefusedError, "$[1]"),
    ],
)
def test_values_without_one_written_form_are_refused_with_their_path(
    value: object, error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as refused:
        canonical_json(value)

    assert refused.value.field == field  # type: ignore[attr-defined]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.characters(codec="utf-8")),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(alphabet=st.characters(codec="utf-8"), max_size=5), children, max_size=4
        )
    ),  # noqa: E501
    max_leaves=20,
)


@given(json_values)
def test_decoding_and_encoding_again_gives_the_same_bytes(value: object) -> None:
    encoded = canonical_json(value)

    assert canonical_json(json.loads(encoded)) == encoded


any_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()  # lone surrogates included: refused on both paths
    | st.decimals(allow_nan=True, allow_infinity=True)
    | st.floats(allow_nan=False)
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(SHANGHAI)),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=5) | st.integers(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(any_values)
def test_the_quick_path_writes_and_refuses_exactly_as_the_careful_walk(value: object) -> None:
    try:
        careful = ("written", json.dumps(_normalize(value, "$"), sort_keys=True, **COMPACT))
    except CanonicalValueError as error:
        careful = ("refused", f"{type(error).__name__} {error.field}")
    try:
        quick = ("written", canonical_json(value).decode())
    except CanonicalValueError as error:
        quick = ("refused", f"{type(error).__name__} {error.field}")

    assert quick == careful


@given(st.dictionaries(st.text(alphabet=st.characters(codec="utf-8")), json_values, max_size=6))
def test_an_object_put_together_from_canonical_members_is_the_canonical_object(
    members: dict[str, object],
) -> None:
    encoded = {key: canonical_json(value) for key, value in members.items()}

    assert canonical_object(encoded) == canonical_json(members)
