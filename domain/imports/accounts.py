"""A row of an import file as an account, normalised, or every error of the row at once."""

from __future__ import annotations

from dataclasses import dataclass

from domain.imports.cells import account_size
from domain.imports.cells import website as website_of
from domain.imports.mapping import Mapping
from domain.imports.rows import Options, RowError, RowReader, plan_of


@dataclass(slots=True)
class AccountRow:
    """One valid account row, normalised, ready to stage."""

    line: int
    external_id: str | None
    name: str
    legal_name: str | None
    website: str | None  # https://... as normalize_website gives it
    industry: str | None
    size: str | None  # an AccountSize
    tier: str | None
    address: dict | None  # {"street", "city", "region", "postalCode", "country" (alpha-2)}
    custom: dict[str, str]
    tags: list[str]


def normalise_account_row(line: int, cells: list[str], mapping: Mapping,
                          options: Options) -> AccountRow | list[RowError]:
    """The row as an account, or all of its errors; `options` is taken for symmetry with
    contacts (an account row has no phone to read)."""
    row = RowReader(line, cells, plan_of(mapping))
    name = row.text("name")
    if name is None and not any(e.column == row.raw("name")[1] for e in row.errors):
        row.error(row.raw("name")[1], None, "REQUIRED", "An account needs a name.")
    account = AccountRow(
        line=line, external_id=row.text("externalId"), name=name or "",
        legal_name=row.text("legalName"),
        website=row.parsed("website", website_of),
        industry=row.text("industry", 100), size=row.parsed("size", account_size),
        tier=row.text("tier", 40), address=row.address(), custom=row.custom(), tags=row.tags())
    return row.sorted_errors() or account
