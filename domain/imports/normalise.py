"""A row of an import file as a contact, normalised (phones in E.164, emails checked, countries
as ISO codes, names in a sensible case), or every error of the row at once."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import DomainError
from domain.imports.accounts import AccountRow, normalise_account_row
from domain.imports.cells import lead_score, lifecycle_stage, with_extension_marked, yes_or_no
from domain.imports.cells import website as website_of
from domain.imports.mapping import Mapping
from domain.imports.names import clean_name, split_full_name
from domain.imports.rows import Options, RowError, RowReader, plan_of
from domain.values import normalize_email, phone_with_extension

__all__ = ["AccountRow", "ContactRow", "Options", "RowError", "normalise_account_row",
           "normalise_chunk", "normalise_row"]

EMAIL_TARGETS = ("email", "email2")
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
    row = RowReader(line, cells, plan_of(mapping))
    address = row.address()
    country = address["country"] if address else None
    region = country or options.default_region
    first_name, last_name = _names(row)
    emails = _emails(row)
    phones = _phones(row, region)
    contact = ContactRow(
        line=line, external_id=row.text("externalId"), first_name=first_name,
        last_name=last_name, emails=emails, phones=phones, address=address,
        lifecycle_stage=row.parsed("lifecycleStage", lifecycle_stage),
        lead_score=row.parsed("leadScore", lead_score), company=_company(row),
        job_title=row.text("jobTitle"), is_decision_maker=row.parsed("isDecisionMaker", yes_or_no),
        custom=row.custom(), tags=row.tags(), consents=_consents(row))
    return row.sorted_errors() or contact


def normalise_chunk(chunk: list[tuple[int, list[str]]], mapping: Mapping,
                    options: Options) -> list[ContactRow | AccountRow | list[RowError]]:
    """normalise_row (or normalise_account_row, by the mapping's record) of each row; a
    module-level function of picklable arguments, for a process pool."""
    normalise = normalise_account_row if mapping.record == "account" else normalise_row
    return [normalise(line, cells, mapping, options) for line, cells in chunk]


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
    emails: list[dict] = []
    seen = set()
    for target in EMAIL_TARGETS:
        value, header = row.raw(target)
        if value is None:
            continue
        try:
            address = normalize_email(value, header)
        except DomainError as exc:
            row.error(header, value, "INVALID", exc.problems[0].message)
            continue
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
            number, extension = phone_with_extension(with_extension_marked(value), header,
                                                     region)
        except DomainError as exc:
            row.error(header, value, "INVALID", exc.problems[0].message)
            continue
        if (number, extension) not in seen:
            seen.add((number, extension))
            phones.append({"number": number, "primary": not phones, "label": label,
                           "extension": extension})
    return phones


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
