"""Editable pipelines: the order of pipelines and stages, and what keeps a pipeline's deals
sane while its stages change.

Positions of the live records run 1..n without gaps. A deal is open exactly while its stage is
OPEN, so a stage's kind cannot change under its deals, and an OPEN stage cannot be archived
while deals are in it: they are moved first (stageMoveDeals), each with its own history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.errors import DomainError, ErrorCode, Problems
from domain.opportunities import PipelineKind, StageKind, clean_probability
from domain.values import clean_text

MOVE_DEALS = "stageMoveDeals"  # the mutation that empties a stage, named in the refusals


def _kind(kinds, value) -> str:
    if value is None:  # an explicit null: the column holds one always
        raise DomainError.one("kind", ErrorCode.REQUIRED, "kind is required.")
    return kinds(value).value


def validate_pipeline(values: dict, *, creating: bool) -> dict:
    """A pipeline's name and kind, both required to create one; `position` where it goes."""
    problems, clean = Problems(), {}
    problems.check(values, clean, "name", lambda v: clean_text(v, "name", required=True, limit=100))
    problems.check(values, clean, "kind", lambda v: _kind(PipelineKind, v))
    problems.check(values, clean, "position", lambda v: _position(v))
    if creating:
        problems.require(values, "name", "kind")
    problems.raise_if_any()
    return clean


def validate_stage(values: dict, *, creating: bool) -> dict:
    """A stage's name, default probability (0-100) and kind, all required to create one."""
    problems, clean = Problems(), {}
    problems.check(values, clean, "name", lambda v: clean_text(v, "name", required=True, limit=100))
    problems.check(values, clean, "probability", clean_probability)
    problems.check(values, clean, "kind", lambda v: _kind(StageKind, v))
    problems.check(values, clean, "position", lambda v: _position(v))
    if values.get("pipeline") is not None:
        clean["pipeline"] = values["pipeline"]
    if creating:
        problems.require(values, "pipeline", "name", "probability", "kind")
    problems.raise_if_any()
    return clean


def _position(raw: int | None) -> int | None:
    if raw is not None and raw < 1:
        raise DomainError.one("position", ErrorCode.INVALID, "position counts from 1.")
    return raw


def renumbered(order: Sequence, current: Mapping) -> dict:
    """The positions 1..n of `order` that differ from `current`: what a write must change."""
    return {id: place for place, id in enumerate(order, start=1) if current.get(id) != place}


def reordered(current: Mapping, given: Sequence, field: str = "ids") -> dict:
    """The new positions of a reorder that names every live record once, in the order wanted;
    naming the full set means a list read before a record was added or archived is refused."""
    if len(set(given)) != len(given):
        raise DomainError.one(field, ErrorCode.INVALID, "An id is named twice.")
    if set(given) != set(current):
        missing, unknown = len(set(current) - set(given)), len(set(given) - set(current))
        raise DomainError.one(
            field, ErrorCode.INVALID,
            f"Name every live one exactly once, in the new order ({missing} missing, "
            f"{unknown} unknown or archived): reload and retry.")
    return renumbered(given, current)


def inserted(order: Sequence, position: int | None) -> tuple[int, dict]:
    """Where a new record goes among `order` (at the end unless `position` says), and the new
    positions of those it pushes down."""
    place = len(order) + 1 if position is None else position
    if place > len(order) + 1:
        raise DomainError.one("position", ErrorCode.INVALID,
                              f"position runs from 1 to {len(order) + 1}.")
    current = {id: i for i, id in enumerate(order, start=1)}
    after = [*order[:place - 1], None, *order[place - 1:]]
    return place, {id: p for id, p in renumbered(after, current).items() if id is not None}


def _deals(count: int, adjective: str = "") -> str:
    return f"{count} {adjective}{' ' if adjective else ''}deal{'s' if count != 1 else ''}"


@dataclass(frozen=True, slots=True)
class StageSlot:
    """A live stage as the pipeline rules see it: its kind, place, and the live deals in it
    (open ones when it is OPEN, closed ones when it is WON or LOST)."""

    id: object
    kind: StageKind
    position: int
    deals: int = 0


@dataclass(frozen=True)
class PipelineLayout:
    """A pipeline's live stages in order, and how many live deals it holds in any stage
    (closed deals may stay in archived stages)."""

    stages: tuple[StageSlot, ...] = ()
    deals: int = 0
    archived: bool = False

    @property
    def order(self) -> list:
        return [s.id for s in self.stages]

    @property
    def positions(self) -> dict:
        return {s.id: s.position for s in self.stages}

    @property
    def open_deals(self) -> int:
        return sum(s.deals for s in self.stages if s.kind is StageKind.OPEN)

    def slot(self, stage_id) -> StageSlot:
        found = next((s for s in self.stages if s.id == stage_id), None)
        if found is None:
            raise DomainError.one("id", ErrorCode.CONFLICT, "This stage is archived.")
        return found

    def check_archive(self, stage_id) -> dict:
        """Refuse to archive an OPEN stage that holds deals, or the last OPEN or WON stage of
        a pipeline with deals; the new positions of the stages that remain."""
        slot = self.slot(stage_id)
        if slot.kind is StageKind.OPEN and slot.deals:
            raise DomainError.one(
                "id", ErrorCode.CONFLICT,
                f"This stage holds {_deals(slot.deals, 'open')}: move them to another stage "
                f"with {MOVE_DEALS} before archiving it.")
        self._check_kinds([s.kind for s in self.stages if s.id != stage_id], "id")
        return renumbered([id for id in self.order if id != stage_id], self.positions)

    def check_kind_change(self, stage_id, kind: StageKind) -> None:
        """A stage's kind decides whether its deals are open; changing it under them would
        open or close them without a closeReason, a closedAt or a history entry."""
        slot = self.slot(stage_id)
        if slot.kind is kind:
            return
        if slot.deals:
            held = _deals(slot.deals, "open" if slot.kind is StageKind.OPEN else "closed")
            raise DomainError.one(
                "kind", ErrorCode.CONFLICT,
                f"This stage holds {held}: move them to another stage with {MOVE_DEALS} "
                f"before changing its kind.")
        self._check_kinds([kind if s.id == stage_id else s.kind for s in self.stages], "kind")

    def _check_kinds(self, kinds: list[StageKind], field: str) -> None:
        """A pipeline with deals keeps an OPEN stage, where its deals start, and a WON one,
        which forecasts count as won."""
        if self.deals and not {StageKind.OPEN, StageKind.WON} <= set(kinds):
            raise DomainError.one(
                field, ErrorCode.INVALID,
                f"The pipeline holds {_deals(self.deals)}: it keeps at least one OPEN and one "
                f"WON stage.")

    def check_pipeline_archive(self) -> None:
        """A pipeline whose deals are still open cannot be archived; closed ones stay in it."""
        if self.open_deals:
            raise DomainError.one(
                "id", ErrorCode.CONFLICT,
                f"This pipeline holds {_deals(self.open_deals, 'open')}: move them to another "
                f"pipeline with {MOVE_DEALS} before archiving it.")
