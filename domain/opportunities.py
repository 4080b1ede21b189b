"""Opportunities: deals moving through the stages of a pipeline, and the rules they obey."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import pycountry

from domain.decimals import as_decimal
from domain.errors import DomainError, ErrorCode, Problems
from domain.values import clean_text

MAX_AMOUNT = Decimal("999999999999.99")  # numeric(14, 2)
DEFAULT_CURRENCY = "EUR"
COMMITTED_PROBABILITY = 90  # a forecast counts a deal as committed from this probability on


class PipelineKind(StrEnum):
    """What kind of business a pipeline tracks."""

    NEW_BUSINESS = "NEW_BUSINESS"
    RENEWAL = "RENEWAL"
    UPSELL = "UPSELL"


class StageKind(StrEnum):
    """Whether a deal in a stage is still open, or was won or lost."""

    OPEN = "OPEN"
    WON = "WON"
    LOST = "LOST"


class OpportunitySource(StrEnum):
    """Where a deal came from."""

    DIRECT = "DIRECT"
    LEAD = "LEAD"
    CAMPAIGN = "CAMPAIGN"
    PARTNER = "PARTNER"


class ContactRole(StrEnum):
    """The part a contact plays in a deal."""

    DECISION_MAKER = "DECISION_MAKER"
    ECONOMIC_BUYER = "ECONOMIC_BUYER"
    INFLUENCER = "INFLUENCER"
    USER = "USER"


class Registration(StrEnum):
    """A partner-registered deal: pending until sales decides."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class ForecastPeriod(StrEnum):
    """The length of one forecast period."""

    MONTH = "MONTH"
    QUARTER = "QUARTER"


class ForecastGroup(StrEnum):
    """What a forecast adds deals up by."""

    OWNER = "OWNER"
    TERRITORY = "TERRITORY"
    PIPELINE = "PIPELINE"


@dataclass(frozen=True, slots=True)
class Stage:
    """A pipeline stage as the rules need it; an archived one still stands behind the deals
    that closed in it, but no deal moves into it."""

    id: object
    pipeline_id: object
    kind: StageKind
    probability: int
    archived: bool = False


REFERENCES = {"account": "Account", "owner": "User", "territory": "Territory",
              "pipeline": "Pipeline", "stage": "Stage"}
# Fields whose changes are written by the stage rules, not taken from the input as they are;
# a move compares them with what is stored, so that clearing closedAt is a change.
STAGE_FIELDS = ("pipeline", "stage", "probability", "closeReason", "stageEnteredAt", "closedAt")


def clean_amount(raw, field: str = "amount") -> Decimal | None:
    """A non-negative amount with at most two decimals."""
    if raw is None:
        return None
    value = as_decimal(raw, field)
    if value < 0:
        raise DomainError.one(field, ErrorCode.INVALID, f"{field} must not be negative.")
    if value > MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise DomainError.one(field, ErrorCode.INVALID,
                              f"{field} must be at most {MAX_AMOUNT} with at most two decimals.")
    return value.quantize(Decimal("0.01"))


def clean_currency(raw: str | None, field: str = "currency") -> str:
    """An ISO 4217 currency code, e.g. EUR."""
    code = (raw or "").strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise DomainError.one(field, ErrorCode.INVALID, f"{raw!r} is not an ISO 4217 currency.")
    return code


def clean_probability(raw: int | None, field: str = "probability") -> int | None:
    if raw is not None and not 0 <= raw <= 100:
        raise DomainError.one(field, ErrorCode.INVALID, f"{field} runs from 0 to 100.")
    return raw


def validate_opportunity(values: dict, *, creating: bool) -> dict:
    """Check and normalise the plain fields; stages are checked by `DealProgress`."""
    problems = Problems()
    clean: dict = {}

    def attempt(field: str, fn) -> None:
        problems.check(values, clean, field, fn)

    attempt("name", lambda v: clean_text(v, "name", required=True))
    attempt("amount", clean_amount)
    attempt("currency", clean_currency)
    attempt("probability", clean_probability)
    attempt("closeReason", lambda v: clean_text(v, "closeReason", limit=500))
    attempt("campaign", lambda v: clean_text(v, "campaign", limit=200))
    attempt("source", lambda v: OpportunitySource(v).value if v is not None else None)
    attempt("closeDate", lambda v: v if v is None or isinstance(v, date) else _bad_date())
    if creating:
        problems.require(values, "name", "account")
        clean.setdefault("currency", DEFAULT_CURRENCY)
    elif "account" in values and values["account"] is None:
        problems.add("account", ErrorCode.REQUIRED, "An opportunity needs an account.")
    for field in ("account", "owner", "territory", "pipeline", "stage"):
        if field in values and values[field] is not None:
            clean[field] = values[field]
    problems.raise_if_any()
    return clean


def _bad_date():
    raise DomainError.one("closeDate", ErrorCode.INVALID, "closeDate is not a date.")


@dataclass(frozen=True, slots=True)
class DealProgress:
    """Where a deal stands in its pipeline: its stage (None before it opens) and its reason
    for closing, which won and lost stages require. A move returns the fields it writes."""

    stage: Stage | None = None
    close_reason: str | None = None

    def move_to(self, target: Stage, now: datetime, given: Mapping) -> dict:
        """The stage fields a move to `target` writes: its pipeline, its default probability
        unless `given` (the validated input) holds one, when it entered the stage, and when
        it closed; `given` may name the pipeline, which must be the stage's."""
        if given.get("pipeline") is not None and given["pipeline"] != target.pipeline_id:
            raise DomainError.one("stage", ErrorCode.INVALID,
                                  "This stage belongs to another pipeline.")
        changes: dict = {"stage": target.id, "pipeline": target.pipeline_id}
        moved = self.stage is None or self.stage.id != target.id
        if moved and "probability" not in given:
            changes["probability"] = target.probability
        if target.kind is not StageKind.OPEN and not given.get("closeReason", self.close_reason):
            raise DomainError.one("closeReason", ErrorCode.REQUIRED,
                                  f"A {target.kind.value.lower()} deal needs a closeReason.")
        if moved:
            changes["stageEnteredAt"] = now
            if target.kind is StageKind.OPEN:
                changes["closedAt"] = None
            elif self.stage is None or self.stage.kind is StageKind.OPEN:
                changes["closedAt"] = now
        return changes

    def check_reason_kept(self, given: Mapping) -> None:
        """A won or lost deal keeps its closeReason: `given` may not empty it."""
        closed = self.stage is not None and self.stage.kind is not StageKind.OPEN
        if closed and "closeReason" in given and not given["closeReason"]:
            raise DomainError.one("closeReason", ErrorCode.REQUIRED,
                                  "A won or lost deal keeps its closeReason.")
