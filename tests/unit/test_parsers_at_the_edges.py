"""Every parser of client input, fed the edges: dates near both ends of the calendar with every
UTC offset, huge and tiny decimals, odd Unicode. Each answers with a value or the project's
INVALID error, never another exception; and a value it returns is the one that was meant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from graphql import (
    BooleanValueNode,
    EnumValueNode,
    FloatValueNode,
    GraphQLError,
    IntValueNode,
    NullValueNode,
    StringValueNode,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.schema.ids import parse_id, to_global_id
from api.schema.scalars import SCALARS
from domain.business_time import parse_calendar
from domain.decimals import MAX_DIGITS
from domain.errors import DomainError, ErrorCode
from domain.moments import EARLIEST_DATE, EARLIEST_TIME, LATEST_DATE, LATEST_TIME, format_time
from domain.opportunities import clean_amount, clean_currency
from domain.values import (
    clean_text,
    normalize_country,
    normalize_email,
    normalize_phone,
    normalize_website,
    phone_with_extension,
)

EXAMPLES = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
DATE_TIME, DATE, DECIMAL = (SCALARS[t] for t in (datetime, date, Decimal))

# Text that is hard on parsers: every plane, combining marks, digits of other scripts,
# right-to-left marks, full-width forms, separators and controls.
odd_text = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(categories=["Nd", "No", "Mn", "Zs", "Cf", "Cc", "Pd", "Sm"]),
            max_size=20),
    st.text(st.sampled_from("0123456789-+.:eEtTzZ_, \u00a0\u2212\u200f٣१２"), max_size=30),
)


def _invalid_domain_error(exc: DomainError) -> None:
    assert exc.problems and all(p.code is ErrorCode.INVALID for p in exc.problems), exc.problems


def scalar_answer(scalar, value):
    """The scalar's value, or None when it refused the input with code INVALID."""
    try:
        return scalar.parse_value(value)
    except GraphQLError as exc:
        assert exc.extensions == {"code": "INVALID"}, exc.extensions
        assert exc.message
        return None


# -- Times: every offset, near both ends of what Python can even represent ------------------

edge_years = st.one_of(st.integers(1, 3), st.integers(1897, 1902), st.integers(2997, 3002),
                       st.integers(9997, 9999), st.integers(1, 9999))
offsets = st.one_of(st.just("Z"), st.just("z"), st.just("-00:00"),
                    st.tuples(st.sampled_from("+-"), st.integers(0, 99), st.integers(0, 99)).map(
                        lambda o: f"{o[0]}{o[1]:02d}:{o[2]:02d}"))


@st.composite
def rfc3339_texts(draw) -> str:
    """RFC 3339 shaped text, its fields anywhere near and beyond their limits."""
    year, month, day = draw(edge_years), draw(st.integers(0, 13)), draw(st.integers(0, 32))
    hour, minute, second = draw(st.integers(0, 25)), draw(st.integers(0, 61)), draw(st.integers(0, 61))
    fraction = draw(st.one_of(st.just(""), st.from_regex(r"\.[0-9]{1,10}", fullmatch=True)))
    sep = draw(st.sampled_from("Tt "))
    return (f"{year:04d}-{month:02d}-{day:02d}{sep}{hour:02d}:{minute:02d}:{second:02d}"
            f"{fraction}{draw(offsets)}")


def _meant(text: str) -> datetime | None:
    """The instant an RFC 3339 text names if it lies in the range, worked out independently."""
    body, zone = (text[:-1], "+00:00") if text[-1] in "Zz" else (text[:-6], text[-6:])
    hours, minutes = int(zone[1:3]), int(zone[4:])
    head, _, fraction = body.partition(".")
    if hours > 23 or minutes > 59 or len(fraction) > 9:
        return None
    try:
        local = datetime.strptime(head.replace("t", "T").replace(" ", "T"), "%Y-%m-%dT%H:%M:%S")
        offset = (-1 if zone[0] == "-" else 1) * timedelta(hours=hours, minutes=minutes)
        meant = local.replace(tzinfo=UTC) - offset + timedelta(
            microseconds=int((fraction or "0").ljust(6, "0")[:6]))
    except (ValueError, OverflowError):
        return None
    return meant if EARLIEST_TIME <= meant <= LATEST_TIME else None


@EXAMPLES
@given(rfc3339_texts())
def test_datetime_parses_every_offset_near_both_ends_or_is_invalid(text):
    # a moment of the range is parsed to that moment in UTC; anything else is INVALID
    parsed = scalar_answer(DATE_TIME, text)
    assert parsed == _meant(text)
    if parsed is not None:
        assert parsed.tzinfo is UTC
        # and it is written back in the one text form, which parses to the same moment
        assert DATE_TIME.parse_value(format_time(parsed)) == parsed


@EXAMPLES
@given(st.one_of(odd_text, st.integers(), st.floats(), st.booleans(), st.none(),
                 st.lists(st.integers(), max_size=2), st.dictionaries(st.text(), st.text(), max_size=1)))
def test_datetime_and_date_refuse_odd_input_as_invalid(value):
    for scalar in (DATE_TIME, DATE):
        parsed = scalar_answer(scalar, value)
        assert parsed is None or isinstance(value, str)


@EXAMPLES
@given(st.dates(), st.booleans())
def test_date_parses_every_day_of_the_range_and_refuses_the_rest(day, padded):
    text = day.isoformat() if padded else f"{day.year}-{day.month}-{day.day}"
    parsed = scalar_answer(DATE, text)
    if EARLIEST_DATE <= day <= LATEST_DATE and text == day.isoformat():
        assert parsed == day
    else:
        assert parsed is None


def test_the_ends_of_the_range_are_inclusive():
    assert DATE.parse_value("1900-01-01") == EARLIEST_DATE
    assert DATE.parse_value("2999-12-31") == LATEST_DATE
    assert DATE_TIME.parse_value("1900-01-01T00:00:00Z") == EARLIEST_TIME
    assert DATE_TIME.parse_value("2999-12-31T23:59:59.999999Z") == LATEST_TIME
    assert DATE_TIME.parse_value("3000-01-01T13:59:59+14:00") == datetime(2999, 12, 31, 23, 59, 59,
                                                                           tzinfo=UTC)
    for outside in ("1899-12-31T23:59:59.999999Z", "3000-01-01T00:00:00Z",
                    "1900-01-01T00:00:00+00:01", "2999-12-31T23:59:59-00:01"):
        assert scalar_answer(DATE_TIME, outside) is None, outside


# -- Decimals: huge, tiny, in every notation -------------------------------------------------

decimal_texts = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: f"{d:f}"),
    st.integers(-10**40, 10**40).map(str),
    st.from_regex(r"-?[0-9]{0,35}(\.[0-9]{0,35})?", fullmatch=True),
    st.from_regex(r"[+-]?[0-9]{1,5}([eE][+-]?[0-9]{1,7})?", fullmatch=True),
    st.sampled_from(["NaN", "-nan", "sNaN", "Infinity", "-Infinity", "inf", "1_000", "1,5",
                     " 10 ", "0x10", "1e999999", "-0", "-0.00", "0." + "0" * 40 + "1"]),
    odd_text,
)


@EXAMPLES
@given(decimal_texts)
def test_decimal_parses_plain_digits_exactly_or_is_invalid(text):
    parsed = scalar_answer(DECIMAL, text)
    if parsed is not None:
        assert parsed.is_finite() and parsed == Decimal(text)
        assert len(parsed.as_tuple().digits) <= MAX_DIGITS
        assert set(text) <= set("-0123456789.") and "e" not in text.lower()


@EXAMPLES
@given(st.one_of(st.integers(), st.floats(), st.booleans(), st.none()))
def test_decimal_refuses_anything_but_a_string(value):
    assert scalar_answer(DECIMAL, value) is None


@EXAMPLES
@given(decimal_texts)
def test_an_amount_is_a_value_in_cents_or_invalid(text):
    try:
        amount = clean_amount(text)
    except DomainError as exc:
        _invalid_domain_error(exc)
    else:
        assert amount is None or (amount >= 0 and amount == amount.quantize(Decimal("0.01")))


@pytest.mark.parametrize("scalar", [DATE_TIME, DATE, DECIMAL], ids=["DateTime", "Date", "Decimal"])
@given(node=st.one_of(
    odd_text.map(lambda t: StringValueNode(value=t)),
    st.integers().map(lambda i: IntValueNode(value=str(i))),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: FloatValueNode(value=repr(f))),
    st.just(FloatValueNode(value="1e999999")), st.just(BooleanValueNode(value=True)),
    st.just(EnumValueNode(value="NOW")), st.just(NullValueNode())))
@EXAMPLES
def test_a_literal_in_a_document_is_a_value_or_invalid(scalar, node):
    try:
        scalar.parse_literal(node)
    except GraphQLError as exc:
        assert exc.extensions == {"code": "INVALID"}


# -- Ids and the text values of the record ---------------------------------------------------

@EXAMPLES
@given(st.one_of(odd_text, st.uuids().map(lambda u: to_global_id("Contact", u)),
                 st.uuids().map(lambda u: to_global_id("Contact", str(u) + "\u0301")),
                 st.binary(max_size=40).map(lambda b: b.hex())))
def test_an_id_is_a_uuid_or_an_expected_failure(text):
    try:
        parse_id(text, "Contact")
    except DomainError as exc:
        assert {p.code for p in exc.problems} <= {ErrorCode.INVALID, ErrorCode.NOT_FOUND}


hostnames = st.one_of(
    odd_text,
    st.lists(st.text(st.characters(categories=["Ll", "Lo", "Mn", "Nd", "Pd"]), min_size=1,
                     max_size=12), min_size=1, max_size=4).map(".".join),
    st.from_regex(r"xn--[a-z0-9-]{1,20}\.[a-z]{2,6}", fullmatch=True),
)


@EXAMPLES
@given(st.one_of(odd_text, odd_text.map(lambda t: f"user@{t}"), hostnames.map(lambda h: f"u@{h}")))
def test_an_email_is_normalised_or_invalid(text):
    try:
        normalize_email(text, "email")
    except DomainError as exc:
        _invalid_domain_error(exc)


@EXAMPLES
@given(st.one_of(odd_text, hostnames, hostnames.map(lambda h: f"https://{h}/path")))
def test_a_website_is_normalised_or_invalid(text):
    try:
        assert normalize_website(text, "website").startswith(("http://", "https://"))
    except DomainError as exc:
        _invalid_domain_error(exc)


phone_texts = st.one_of(
    odd_text,
    st.from_regex(r"\+?[0-9 ()\-.]{0,25}((ext\.?|x|#|;ext=) ?[0-9]{0,25})?", fullmatch=True),
)


@EXAMPLES
@given(phone_texts, st.one_of(st.none(), odd_text), st.sampled_from([None, "US", "DE", "ZZ"]))
def test_a_phone_is_e164_with_its_extension_or_invalid(text, extension, region):
    try:
        number, ext = phone_with_extension(text, "number", region, extension)
    except DomainError as exc:
        _invalid_domain_error(exc)
    else:
        assert number.startswith("+") and number[1:].isdigit() and len(number) <= 16
        assert ext is None or (ext.isascii() and ext.isdigit() and len(ext) <= 20)
    try:
        normalize_phone(text, "phone", region)
    except DomainError as exc:
        _invalid_domain_error(exc)


@EXAMPLES
@given(odd_text)
def test_codes_and_text_are_values_or_invalid(text):
    for parse in (lambda: normalize_country(text, "country"), lambda: clean_currency(text),
                  lambda: clean_text(text, "name", limit=20)):
        try:
            parse()
        except DomainError as exc:
            assert {p.code for p in exc.problems} <= {ErrorCode.INVALID, ErrorCode.REQUIRED}


@EXAMPLES
@given(st.lists(st.fixed_dictionaries({"date": st.one_of(odd_text, st.dates().map(str),
                                                         st.integers(), st.none())}),
                max_size=3))
def test_holidays_are_days_of_the_range_or_invalid(holidays):
    try:
        calendar = parse_calendar("UTC", [{"day": "MONDAY", "start": "09:00", "end": "17:00"}],
                                  holidays)
    except DomainError as exc:
        _invalid_domain_error(exc)
    else:
        assert all(EARLIEST_DATE <= d <= LATEST_DATE for d in calendar.holidays)


def test_a_phone_longer_than_e164_allows_is_invalid():
    # libphonenumber calls this German number valid, but it has 16 digits
    with pytest.raises(DomainError) as raised:
        phone_with_extension("+49 201 0000 0000 000", "number")
    assert raised.value.problems[0].code is ErrorCode.INVALID
