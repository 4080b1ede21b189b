"""Value objects of the customer record: emails, phones and postal addresses."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from domain.errors import DomainError, ErrorCode, Problems
from domain.hostnames import check_hostname
from domain.moments import check_date

MAX_TEXT = 200
MAX_LONG_TEXT = 20_000


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
    """A phone number, always held in E.164 form."""

    number: str
    primary: bool = False
    label: str | None = None

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


def normalize_email(raw: str, field: str) -> str:
    """Return the normalised address, or raise INVALID on `field`."""
    try:
        # Deliverability needs DNS, which a CRM write must not wait on.
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise DomainError.one(field, ErrorCode.INVALID, f"Not a valid email address: {exc}") from exc
    check_hostname(checked.ascii_domain, field)
    return checked.normalized


def normalize_phone(raw: str, field: str, region: str | None = None) -> str:
    """Return the number in E.164, or raise INVALID on `field`.

    A number without a leading + is read in `region`, the contact's country.
    """
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
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


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


def _with_one_primary(items: list, field: str, key: str) -> list:
    """Order the list primary-first; refuse duplicates and more than one primary."""
    if not items:
        return []
    primaries = [i for i in items if i.primary]
    if len(primaries) > 1:
        raise DomainError.one(field, ErrorCode.INVALID, "Only one entry can be primary.")
    seen: set[str] = set()
    for item in items:
        value = getattr(item, key).lower()
        if value in seen:
            raise DomainError.one(field, ErrorCode.INVALID, f"{getattr(item, key)} is listed twice.")
        seen.add(value)
    primary = primaries[0] if primaries else items[0]
    rest = [i for i in items if i is not primary]
    return [type(primary)(getattr(primary, key), True, primary.label)] + [
        type(i)(getattr(i, key), False, i.label) for i in rest
    ]


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
    return _with_one_primary(emails, field, "address")


def phones_from_input(
    items: list[tuple[str, bool, str | None]], region: str | None, field: str = "phones"
) -> list[Phone]:
    """Validate and normalise a list of (number, primary, label) to E.164."""
    problems = Problems()
    phones = []
    for index, (number, primary, label) in enumerate(items):
        try:
            phones.append(Phone(normalize_phone(number, f"{field}[{index}].number", region), primary,
                                clean_text(label, f"{field}[{index}].label")))
        except DomainError as exc:
            problems.absorb(exc)
    problems.raise_if_any()
    return _with_one_primary(phones, field, "number")


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
