"""Rows of an import file made ready to stage: normalised (domain.imports), with the blocking
keys that find their duplicates (domain.match_keys), and rows of one batch that are the same
person folded into one. Runs in the worker processes of the import's pool. A survey response
matches nothing, so it has no keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.import_jobs import fold_duplicates
from domain.imports.mapping import Mapping
from domain.imports.normalise import (
    AccountRow,
    ContactRow,
    Options,
    RowError,
    SurveyResponseRow,
    normalise_chunk,
)
from domain.match_keys import account_keys, contact_keys


@dataclass(slots=True)
class Keys:
    """What finds a row's duplicates: its emails, phones, name key and company's keys."""

    emails: tuple[str, ...]
    phones: tuple[str, ...]
    name: str | None
    company: str | None  # one key per company of the batch: external id, domain or name
    company_domain: str | None
    company_name: str | None


@dataclass(slots=True)
class Prepared:
    """A valid row, its keys, and the lines of the rows folded into it (its own first)."""

    row: ContactRow | AccountRow | SurveyResponseRow
    keys: Keys | None
    lines: list[int] = field(default_factory=list)


def keys_of(row: ContactRow | AccountRow) -> Keys:
    if isinstance(row, AccountRow):
        account = account_keys(row.name, row.website)
        return Keys((), (), None, None, account.domain, account.name)
    found = contact_keys(row.first_name, row.last_name, row.emails, row.phones)
    company = row.company or {}
    domain = name = key = None
    if company:
        account = account_keys(company.get("name"), company.get("website"))
        domain, name = account.domain, account.name
        external = company.get("external_id")
        key = (f"x:{external}" if external else f"d:{domain}" if domain
               else f"n:{name}" if name else None)
    return Keys(tuple(found.emails), tuple(found.phones), found.name, key, domain, name)


def prepare_chunk(chunk: list[tuple[int, list[str]]], mapping: Mapping, options: Options
                  ) -> list[Prepared | list[RowError]]:
    """normalise_chunk, each valid row with its keys; picklable for a process pool."""
    out: list[Prepared | list[RowError]] = []
    for result in normalise_chunk(chunk, mapping, options):
        if isinstance(result, list):
            out.append(result)
        elif isinstance(result, SurveyResponseRow):
            out.append(Prepared(result, None, [result.line]))
        else:
            out.append(Prepared(result, keys_of(result), [result.line]))
    return out


def _duplicate_keys(p: Prepared) -> list[tuple]:
    keys: list[tuple] = []
    if p.row.external_id:
        keys.append(("x", p.row.external_id))
    if isinstance(p.row, AccountRow):
        return keys + [(kind, key) for kind, key in (("d", p.keys.company_domain),
                                                     ("n", p.keys.company_name)) if key]
    keys += [("e", e) for e in p.keys.emails]
    keys += [("p", n) for n in p.keys.phones]
    if p.keys.name and p.keys.company:
        keys.append(("n", p.keys.name, p.keys.company_domain or p.keys.company_name))
    return keys


def _same_source(first: Prepared, later: Prepared) -> bool:
    a, b = first.row.external_id, later.row.external_id
    return a is None or b is None or a == b


_SINGLE = {
    ContactRow: ("external_id", "first_name", "address", "lifecycle_stage", "lead_score",
                 "company", "job_title", "is_decision_maker"),
    AccountRow: ("external_id", "legal_name", "website", "industry", "size", "tier", "address"),
}


def _fill(first: Prepared, later: Prepared) -> None:
    """The later row fills what the first lacks; lists are united, nothing is overwritten."""
    a, b = first.row, later.row
    for name in _SINGLE[type(a)]:
        if getattr(a, name) is None and getattr(b, name) is not None:
            setattr(a, name, getattr(b, name))
    a.custom = b.custom | a.custom
    a.tags += [t for t in b.tags if t.casefold() not in {x.casefold() for x in a.tags}]
    first.lines.append(later.row.line)
    if isinstance(a, AccountRow):
        first.keys = keys_of(a)
        return
    known = {e["address"].casefold() for e in a.emails}
    a.emails += [e | {"primary": not a.emails and not i}
                 for i, e in enumerate(b.emails) if e["address"].casefold() not in known]
    numbers = {p["number"] for p in a.phones}
    a.phones += [p | {"primary": not a.phones and not i}
                 for i, p in enumerate(b.phones) if p["number"] not in numbers]
    given = {(c, p) for c, p, _ in a.consents}
    a.consents += [c for c in b.consents if (c[0], c[1]) not in given]
    first.keys = keys_of(a)


def _keep_first(first: Prepared, later: Prepared) -> None:
    first.lines.append(later.row.line)


def fold(rows: list[Prepared], *, fill: bool = True) -> tuple[list[Prepared], list[Prepared]]:
    """The rows of a batch with later rows of the same person folded into the first (which
    they `fill` in, or leave as it is); the rows kept and the rows folded."""
    kept, pairs = fold_duplicates(rows, _duplicate_keys, _fill if fill else _keep_first,
                                  _same_source)
    return kept, [later for _, later in pairs]
