"""Value objects of the customer record: emails, phones and postal addresses."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date
from functools import lru_cache
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from domain.errors import DomainError, ErrorCode, Problems
from domain.hostnames import check_hostname
from domain.moments import check_date

MAX_TEXT = 200
MAX_LONG_TEXT = 20_000
EXTENSION = re.compile(r"\d{1,20}", re.ASCII)  # as many digits as libphonenumber reads


@dataclass(frozen=True, slots=True)
class Email:
    """An email address of a contact; exactly one of a contact's emails is primary."""

    address: str
    primary: bool = False
    label: str | None = None

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Phone:
    """A phone number, always held in E.164 form, and the extension to dial after it."""

    number: str
    primary: bool = False
    label: str | None = None
    extension: str | None = None

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """A postal address; country is an ISO 3166-1 alpha-2 code."""

    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None

    def as_json(self) -> dict:
        return {
            "street": self.street,
            "city": self.city,
            "region": self.region,
            "postalCode": self.postal_code,
            "country": self.country,
        }


# email-validator checks an address's domain afresh each time (its IDNA and UTS #46 rules are
# two thirds of the cost), while an import names the same few domains thousands of times. The
# check is a pure function of its arguments and its answer is only read, so answers are kept;
# a refused domain raises, which is never kept.
# Should a release of the library rename the function, addresses are checked as before, only
# slower (tests/unit/imports/test_normalise.py notices).
_email_checks = importlib.import_module("email_validator.validate_email")
_domain_check = getattr(_email_checks, "validate_email_domain_name", None)
if _domain_check is not None and not hasattr(_domain_check, "cache_info"):
    _email_checks.validate_email_domain_name = lru_cache(maxsize=8192)(_domain_check)


def normalize_email(raw: str, field: str) -> str:
    """Return the normalised address, or raise INVALID on `field`."""
    try:
        # Deliverability needs DNS, which a CRM write must not wait on.
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise DomainError.one(field, ErrorCode.INVALID, f"Not a valid email address: {exc}") from exc
    check_hostname(checked.ascii_domain, field)
    return checked.normalized


# libphonenumber compiles its metadata's patterns through re, whose cache of 512 patterns a
# file of numbers from many countries overflows, recompiling on every number; kept for good,
# they are bounded by the metadata, and parsing is about an eighth faster.
phonenumbers.enable_pattern_cache()


def _parse_phone(raw: str, field: str, region: str | None) -> phonenumbers.PhoneNumber:
    """A valid number; one without a leading + is read in `region`, the contact's country."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            message = (f"{raw!r} has no country: write it as +<country code> <number>, "
                       "or give the address a country.")
        else:
            message = f"Not a phone number: {raw!r}."
        raise DomainError.one(field, ErrorCode.INVALID, message) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise DomainError.one(field, ErrorCode.INVALID, f"Not a valid phone number: {raw!r}.")
    # libphonenumber takes some German numbers of 16 digits; E.164 allows 15 at most.
    if len(_e164(parsed)) > 16:
        raise DomainError.one(field, ErrorCode.INVALID,
                              f"{raw!r} has more than the 15 digits a phone number may have.")
    return parsed


def _e164(parsed: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone(raw: str, field: str, region: str | None = None) -> str:
    """The number in E.164, for a phone that has no place for an extension (a lead's): one
    written after the number is INVALID rather than cut off."""
    parsed = _parse_phone(raw, field, region)
    if parsed.extension:
        raise DomainError.one(field, ErrorCode.INVALID, f"{raw!r} has an extension "
                              f"({parsed.extension}); this phone takes none: give the number alone.")
    return _e164(parsed)


def phone_with_extension(raw: str, field: str, region: str | None = None,
                         extension: str | None = None,
                         extension_field: str = "extension") -> tuple[str, str | None]:
    """(E.164 number, extension): the extension written after the number ("ext. 123",
    "x123", ";ext=123") or given on its own; both given, they must agree."""
    parsed = _parse_phone(raw, field, region)
    given = extension.strip() if extension and extension.strip() else None
    if given is not None and not EXTENSION.fullmatch(given):
        raise DomainError.one(extension_field, ErrorCode.INVALID, "An extension is 1 to 20 digits.")
    if given and parsed.extension and given != parsed.extension:
        raise DomainError.one(extension_field, ErrorCode.INVALID,
                              f"The number gives extension {parsed.extension}, not {given}.")
    return _e164(parsed), given or parsed.extension or None


def normalize_country(raw: str, field: str) -> str:
    """Return an upper-case ISO 3166-1 alpha-2 code known to libphonenumber."""
    code = raw.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise DomainError.one(field, ErrorCode.INVALID, f"Unknown country code {raw!r}.")
    return code


def normalize_website(raw: str, field: str) -> str:
    """Accept an http(s) URL, adding https:// when the scheme is missing."""
    value = raw.strip()
    if "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
        hostname = parts.hostname or ""
    except ValueError:  # e.g. an unbalanced [ ] that reads as a broken IPv6 address
        hostname = ""
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or "." not in hostname:
        raise DomainError.one(field, ErrorCode.INVALID, f"Not a website address: {raw!r}.")
    check_hostname(hostname, field)
    return value


def clean_text(raw: str | None, field: str, *, required: bool = False, limit: int = MAX_TEXT):
    """Trim text; blank becomes None; enforce presence and length."""
    value = raw.strip() if isinstance(raw, str) else raw
    if not value:
        if required:
            raise DomainError.one(field, ErrorCode.REQUIRED, f"{field} is required.")
        return None
    if len(value) > limit:
        raise DomainError.one(field, ErrorCode.INVALID, f"{field} is longer than {limit}.")
    return value


def _with_one_primary(items: list, field: str, key: Callable[[object], str]) -> list:
    """Order the list primary-first; refuse duplicates and more than one primary."""
    if not items:
        return []
    primaries = [i for i in items if i.primary]
    if len(primaries) > 1:
        raise DomainError.one(field, ErrorCode.INVALID, "Only one entry can be primary.")
    seen: set[str] = set()
    for item in items:
        value = key(item).lower()
        if value in seen:
            raise DomainError.one(field, ErrorCode.INVALID, f"{key(item)} is listed twice.")
        seen.add(value)
    primary = primaries[0] if primaries else items[0]
    rest = [i for i in items if i is not primary]
    return [replace(primary, primary=True)] + [replace(i, primary=False) for i in rest]


def emails_from_input(items: list[tuple[str, bool, str | None]], field: str = "emails") -> list[Email]:
    """Validate and normalise a list of (address, primary, label)."""
    problems = Problems()
    emails = []
    for index, (address, primary, label) in enumerate(items):
        try:
            emails.append(Email(normalize_email(address, f"{field}[{index}].address"), primary,
                                clean_text(label, f"{field}[{index}].label")))
        except DomainError as exc:
            problems.absorb(exc)
    problems.raise_if_any()
    return _with_one_primary(emails, field, lambda e: e.address)


def phones_from_input(items: list[tuple], region: str | None, field: str = "phones") -> list[Phone]:
    """Validate and normalise a list of (number, primary, label[, extension]) to E.164, each
    with its extension."""
    problems = Problems()
    phones = []
    for index, (number, primary, label, *extension) in enumerate(items):
        at = f"{field}[{index}]"
        try:
            e164, ext = phone_with_extension(number, f"{at}.number", region,
                                             extension[0] if extension else None, f"{at}.extension")
            phones.append(Phone(e164, primary, clean_text(label, f"{at}.label"), ext))
        except DomainError as exc:
            problems.absorb(exc)
    problems.raise_if_any()
    return _with_one_primary(phones, field,
                             lambda p: p.number + (f" extension {p.extension}" if p.extension else ""))


def address_from_input(
    street: str | None, city: str | None, region: str | None, postal_code: str | None,
    country: str | None, field: str = "address",
) -> PostalAddress:
    """Validate a postal address; every part is optional but the country must be real."""
    return PostalAddress(
        street=clean_text(street, f"{field}.street"),
        city=clean_text(city, f"{field}.city"),
        region=clean_text(region, f"{field}.region"),
        postal_code=clean_text(postal_code, f"{field}.postalCode", limit=20),
        country=normalize_country(country, f"{field}.country") if country else None,
    )


MAX_WINDOW_DAYS = 3660  # ten years is as far as a statistic or forecast looks


def check_date_window(start: date, end: date) -> None:
    """A from/to window of whole days: within the accepted range, in order, and at most ten
    years long."""
    check_date(start, "from")
    check_date(end, "to")
    if end < start:
        raise DomainError.one("to", ErrorCode.INVALID, "to is before from.")
    if (end - start).days > MAX_WINDOW_DAYS:
        raise DomainError.one("to", ErrorCode.INVALID, "A window spans at most ten years.")
