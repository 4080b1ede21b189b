"""A row of an import file as a contact, normalised (phones in E.164, emails checked, countries
as ISO codes, names in a sensible case), or every error of the row at once."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from domain.errors import DomainError
from domain.imports.accounts import AccountRow, normalise_account_row
from domain.imports.cells import lead_score, lifecycle_stage, with_extension_marked, yes_or_no
from domain.imports.cells import website as website_of
from domain.imports.mapping import Mapping
from domain.imports.names import clean_name, split_full_name
from domain.imports.rows import Options, RowError, RowReader, plan_of
from domain.imports.survey_responses import SurveyResponseRow, normalise_survey_response_row
from domain.values import normalize_email, phone_with_extension

__all__ = ["AccountRow", "ContactRow", "Options", "RowError", "SurveyResponseRow",
           "normalise_account_row", "normalise_chunk", "normalise_row"]

EMAIL_TARGETS = ("email", "email2")
_ADDRESS_SEPARATOR = re.compile(r"[;,\s]+")
_BARE_INTERNATIONAL = re.compile(r"^[1-9][\d ]{9,}$")
# (target, label) of the phone columns, the first given one primary.
PHONE_TARGETS = (("phone", None), ("phone2", None), ("mobile", "mobile"))


@dataclass(slots=True)
class ContactRow:
    """One valid row, normalised, ready to stage."""

    line: int
    external_id: str | None
    first_name: str | None
    last_name: str
    emails: list[dict]  # [{"address", "primary", "label"}] as contact.emails stores them
    phones: list[dict]  # [{"number" (E.164), "primary", "label", "extension"}]
    address: dict | None  # {"street", "city", "region", "postalCode", "country" (alpha-2)}
    lifecycle_stage: str | None
    lead_score: int | None
    company: dict | None  # {"name", "website", "external_id"}
    job_title: str | None
    is_decision_maker: bool | None
    custom: dict[str, str]  # custom field name -> text, checked against its definition later
    tags: list[str]
    consents: list[tuple[str, str, bool]]  # (channel, purpose, granted)


def normalise_row(line: int, cells: list[str], mapping: Mapping,
                  options: Options) -> ContactRow | list[RowError]:
    """The row as a contact, or all of its errors."""
    plan = plan_of(mapping)
    groups = plan.groups
    row = RowReader(line, cells, plan)
    address = row.address() if "address" in groups else None
    region = (address and address["country"]) or options.default_region
    first_name, last_name = _names(row)
    emails = _emails(row) if "emails" in groups else []
    phones = _phones(row, region) if "phones" in groups else []
    contact = ContactRow(
        line=line, external_id=row.text("externalId"), first_name=first_name,
        last_name=last_name, emails=emails, phones=phones, address=address,
        lifecycle_stage=row.parsed("lifecycleStage", lifecycle_stage),
        lead_score=row.parsed("leadScore", lead_score),
        company=_company(row) if "company" in groups else None,
        job_title=row.text("jobTitle"), is_decision_maker=row.parsed("isDecisionMaker", yes_or_no),
        custom=row.custom(), tags=row.tags(), consents=_consents(row))
    return row.sorted_errors() or contact


def normalise_chunk(chunk: list[tuple[int, list[str]]], mapping: Mapping, options: Options
                    ) -> list[ContactRow | AccountRow | SurveyResponseRow | list[RowError]]:
    """normalise_row (or the normaliser of the mapping's record) of each row; a module-level
    function of picklable arguments, for a process pool."""
    normalise = NORMALISERS[mapping.record]
    return [normalise(line, cells, mapping, options) for line, cells in chunk]


NORMALISERS = {"contact": normalise_row, "account": normalise_account_row,
               "surveyResponse": normalise_survey_response_row}


def _names(row: RowReader) -> tuple[str | None, str]:
    first = row.text("firstName")
    last = row.text("lastName")
    first = clean_name(first) if first else None
    last = clean_name(last) if last else None
    full, full_header = row.raw("fullName")
    if full and not (first and last):
        split_first, split_last = split_full_name(full)
        first = first or split_first
        last = last or split_last
    if not last:
        header = row.plan.single.get("lastName", row.plan.single.get("fullName", (0, None)))[1]
        if not any(e.column == header for e in row.errors):  # e.g. TOO_LONG says it already
            row.error(header, None, "REQUIRED", "A contact needs a last name (or a full name).")
    return first, last or ""


def _emails(row: RowReader) -> list[dict]:
    """The email columns' addresses, a cell with several ("a@x.de; b@y.de") giving each."""
    emails: list[dict] = []
    seen = set()
    for target in EMAIL_TARGETS:
        value, header = row.raw(target)
        if value is None:
            continue
        parts = _ADDRESS_SEPARATOR.split(value) if value.count("@") > 1 else (value,)
        try:
            addresses = [normalize_email(part, header) for part in parts if part]
        except DomainError as exc:  # one error for the cell, as for any other
            row.error(header, value, "INVALID", exc.problems[0].message)
            continue
        for address in addresses:
            if address.casefold() not in seen:
                seen.add(address.casefold())
                emails.append({"address": address, "primary": not emails, "label": None})
    return emails


def _phones(row: RowReader, region: str | None) -> list[dict]:
    phones: list[dict] = []
    seen = set()
    for target, label in PHONE_TARGETS:
        value, header = row.raw(target)
        if value is None:
            continue
        try:
            number, extension = _phone(with_extension_marked(value), header, region)
        except DomainError as exc:
            row.error(header, value, "INVALID", exc.problems[0].message)
            continue
        if (number, extension) not in seen:
            seen.add((number, extension))
            phones.append({"number": number, "primary": not phones, "label": label,
                           "extension": extension})
    return phones


def _phone(value: str, header: str, region: str | None) -> tuple[str, str | None]:
    """phone_with_extension, reading a number of bare digits without a trunk 0 also as
    international: a spreadsheet that held "+49 151 ..." as a number dropped its "+". Such a
    number that starts with its region's own country code is international first (written
    nationally it would start with 0); any other, only when it is no valid number as written."""
    bare = _BARE_INTERNATIONAL.match(value) is not None
    if bare and region and value.startswith(_calling_code(region)):
        with contextlib.suppress(DomainError):
            return phone_with_extension("+" + value, header)
    try:
        return phone_with_extension(value, header, region)
    except DomainError as exc:
        if bare:
            with contextlib.suppress(DomainError):
                return phone_with_extension("+" + value, header)
        raise exc from None


@lru_cache(maxsize=512)
def _calling_code(region: str) -> str:
    return str(phonenumbers.country_code_for_region(region))


def _company(row: RowReader) -> dict | None:
    name = row.text("company")
    website = row.parsed("companyWebsite", website_of)
    external_id = row.text("companyExternalId")
    if name is None and website is None and external_id is None:
        return None
    return {"name": name, "website": website, "external_id": external_id}


def _consents(row: RowReader) -> list[tuple[str, str, bool]]:
    consents = []
    for position, header, channel, purpose in row.plan.consents:
        value = row.cells[position].strip()
        if value:
            granted = row.checked(header, value, yes_or_no)
            if granted is not None:
                consents.append((channel, purpose, granted))
    return consents
