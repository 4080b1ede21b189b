"""Merging records into one: which value each field takes and from which record, and which
of the rows pointing at them move to the survivor.

Survivorship by default: the survivor's non-empty value, else the non-empty value of the
record updated most recently; emails and phones are united (no duplicates, one primary, kept
first); custom values are merged name by name like fields. A field the caller may not read
and write keeps the survivor's value: a role carries no value it cannot see into the
survivor. Rows pointing at the records (links, tags, consents, follows) are united: of two
rows equal on a unique key one survives, the survivor's if it has one, and the other stays
on its merged record, archived; of two consents for one purpose and channel the most
restrictive answer wins.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.errors import DomainError, ErrorCode, Problems

MIN_RECORDS, MAX_RECORDS = 2, 50
CUSTOM = "customFields"
# Lists united rather than chosen, each entry identified by its key.
UNITED: Mapping[str, Callable[[dict], Any]] = {
    "emails": lambda e: (e.get("address") or "").lower(),
    "phones": lambda p: (p.get("number"), p.get("extension")),
}
# Consent answers from the most restrictive: a withdrawal beats a grant.
RESTRICTIVENESS = {"WITHDRAWN": 0, "GRANTED": 1}


def empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


@dataclass(frozen=True)
class Candidate:
    """One record taking part: its id, its field values, and when it last changed."""

    id: uuid.UUID
    values: Mapping[str, Any]
    updated_at: Any


def check_ids(survivor: uuid.UUID, merged: Sequence[uuid.UUID]) -> None:
    """Two to fifty distinct records, the survivor not among the merged."""
    problems = Problems()
    everyone = [survivor, *merged]
    if not MIN_RECORDS <= len(everyone) <= MAX_RECORDS:
        problems.add("merged", ErrorCode.INVALID,
                     f"A merge takes {MIN_RECORDS} to {MAX_RECORDS} records in all.")
    if len(set(everyone)) != len(everyone):
        problems.add("merged", ErrorCode.INVALID,
                     "Each record appears once, and the survivor is not among the merged.")
    problems.raise_if_any()


@dataclass
class Outcome:
    """The survivor's values after the merge, and for each field the record it came from."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, uuid.UUID | None] = field(default_factory=dict)


def _by_recency(candidates: Sequence[Candidate], survivor: uuid.UUID) -> list[Candidate]:
    first = [c for c in candidates if c.id == survivor]
    rest = sorted((c for c in candidates if c.id != survivor),
                  key=lambda c: (c.updated_at, c.id), reverse=True)
    return first + rest


def _united(name: str, ordered: Sequence[Candidate]) -> tuple[list, uuid.UUID | None]:
    key, seen, united = UNITED[name], set(), []
    for c in ordered:
        for entry in c.values.get(name) or []:
            if key(entry) not in seen:
                seen.add(key(entry))
                united.append({**entry, "primary": not united})
    source = next((c.id for c in ordered if c.values.get(name)), None)
    return united, source


def survivorship(candidates: Sequence[Candidate], survivor: uuid.UUID, fields: Collection[str],
                 choices: Mapping[str, uuid.UUID], may_carry: Callable[[str], bool],
                 custom_names: Collection[str] = ()) -> Outcome:
    """The merged record; `choices` names the record a field (or `customFields.<name>`) takes
    its value from, `may_carry` whether the caller may carry a value into that field."""
    ordered = _by_recency(candidates, survivor)
    by_id = {c.id: c for c in candidates}
    kept = by_id[survivor]
    out = Outcome()
    for name in fields:
        if name == CUSTOM:
            continue
        if not may_carry(name):
            out.values[name], out.sources[name] = kept.values.get(name), survivor
        elif name in choices:
            out.values[name], out.sources[name] = by_id[choices[name]].values.get(name), choices[name]
        elif name in UNITED:
            out.values[name], out.sources[name] = _united(name, ordered)
        else:
            donor = next((c for c in ordered if not empty(c.values.get(name))), kept)
            out.values[name], out.sources[name] = donor.values.get(name), donor.id
    if CUSTOM in fields:
        merged = dict(kept.values.get(CUSTOM) or {})
        for name in custom_names:
            path = f"{CUSTOM}.{name}"
            if path in choices:
                donor = by_id[choices[path]]
            else:
                donor = next((c for c in ordered if not empty((c.values.get(CUSTOM) or {})
                                                              .get(name))), kept)
            value = (donor.values.get(CUSTOM) or {}).get(name)
            if empty(value):
                merged.pop(name, None)
            else:
                merged[name] = value
            out.sources[path] = donor.id if not empty(value) else None
        out.values[CUSTOM] = merged
    return out


def check_choices(choices: Mapping[str, uuid.UUID], ids: Collection[uuid.UUID],
                  fields: Collection[str], custom_names: Collection[str],
                  may_carry: Callable[[str], bool]) -> None:
    """Each choice names a field that merges and one of the records, and one the caller may
    carry a value into: a role may not pick a value it cannot see."""
    problems = Problems()
    for name, source in choices.items():
        at = f"fieldChoices.{name}"
        known = name in fields or (name.startswith(f"{CUSTOM}.") and CUSTOM in fields
                                   and name.removeprefix(f"{CUSTOM}.") in custom_names)
        if not known:
            problems.add(at, ErrorCode.INVALID, f"{name} is no field a merge chooses.")
        elif source not in ids:
            problems.add(at, ErrorCode.INVALID, "Choose one of the records being merged.")
        elif not may_carry(name.partition(".")[0]):
            problems.add(at, ErrorCode.FORBIDDEN, f"You may not read and set {name}.")
    problems.raise_if_any()


@dataclass(frozen=True)
class Pointer:
    """A row pointing at one of the records: its id, the record, its values on each unique
    key, whether it is archived, when it changed, and its status if it is a consent."""

    id: uuid.UUID
    target: uuid.UUID
    keys: tuple[tuple, ...] = ()
    archived: bool = False
    updated_at: Any = None
    status: str | None = None


@dataclass
class Settlement:
    """What happens to the rows of one reference: moved to the survivor, left on their
    merged record archived, the survivor's own archived row revived, or the survivor's
    row given a merged row's answer (`answered`: survivor's row -> the row whose answer)."""

    moved: list[Pointer] = field(default_factory=list)
    archived: list[Pointer] = field(default_factory=list)
    revived: list[Pointer] = field(default_factory=list)
    answered: list[tuple[Pointer, Pointer]] = field(default_factory=list)


def _rank(p: Pointer, survivor: uuid.UUID) -> tuple:
    """Lower wins: the most restrictive answer, a live row, the survivor's, the newest."""
    stamp = p.updated_at.timestamp() if hasattr(p.updated_at, "timestamp") else 0
    return (RESTRICTIVENESS.get(p.status, 0) if p.status else 0, p.archived,
            p.target != survivor, -stamp, str(p.id))


def settle(pointers: Sequence[Pointer], survivor: uuid.UUID, keyed: bool) -> Settlement:
    """Unite the rows of one reference under the survivor."""
    out = Settlement()
    if not keyed:
        out.moved = [p for p in pointers if p.target != survivor]
        return out
    taken: dict[tuple, Pointer] = {}  # per key value, the row that holds it for the survivor
    for p in sorted(pointers, key=lambda p: _rank(p, survivor)):
        holder = next((taken[k] for k in p.keys if k in taken), None)
        if holder is None:
            for k in p.keys:
                taken[k] = p
            if p.target != survivor:
                out.moved.append(p)
            continue
        if p.target == survivor:
            # The survivor's row cannot move away: it takes the winner's place.
            if p.archived and not holder.archived:
                out.revived.append(p)
            if holder.status and holder.status != p.status:
                out.answered.append((p, holder))
            if holder in out.moved:
                out.moved.remove(holder)
                if not holder.archived:
                    out.archived.append(holder)
            for k in p.keys:
                taken[k] = p
        elif not p.archived:
            out.archived.append(p)
    return out


def refuse_changed(expected: Mapping[str, int], current: Mapping[str, int | None]) -> None:
    """Undo restores what the merge left only while every record is as the merge left it."""
    moved_on = [i for i, version in expected.items() if current.get(i) != version]
    if moved_on:
        raise DomainError.one("id", ErrorCode.CONFLICT,
                              f"{len(moved_on)} of the merged records changed since the "
                              f"merge: it can no longer be undone.")
