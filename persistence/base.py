"""Columns that every table carries, and the naming convention for constraints."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import CheckConstraint, DateTime, MetaData, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from domain.moments import EARLIEST_DATE, EARLIEST_TIME, LATEST_DATE, LATEST_TIME

# Stable constraint names keep Alembic migrations reviewable.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

NOW = text("now()")


def jsonable(value: Any) -> Any:
    """A value as it goes into JSON: ids as strings, times in ISO 8601."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, date | Decimal):  # datetimes too: datetime is a date
        return value.isoformat() if isinstance(value, date) else str(value)
    return value


def utc_column(*, nullable: bool = False, server_default=NOW) -> dict:
    return {"sa_type": DateTime(timezone=True), "nullable": nullable,
            "sa_column_kwargs": {"server_default": server_default} if server_default is not None else {}}


def json_text(value: Any) -> str:
    """JSON of a value; a Decimal becomes a JSON number of exactly its digits."""
    return orjson.dumps(value, default=_exact).decode()


def _exact(value: Any) -> Any:
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value).encode())
    raise TypeError(f"{type(value).__name__} is not JSON")


class Stamped(SQLModel):
    """id, timestamps, authorship, optimistic-concurrency version and archiving."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(**utc_column())
    updated_at: datetime = Field(**utc_column())
    created_by: str = Field(default="System", max_length=80)
    updated_by: str = Field(default="System", max_length=80)
    version: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})
    archived_at: datetime | None = Field(default=None, **utc_column(nullable=True, server_default=None))


def one_of(column: str, values) -> CheckConstraint:
    """A check that the column holds one of an enum's values (or null)."""
    return CheckConstraint(f"{column} IN {tuple(v.value for v in values)}", name=column)


def within_range(column: str, *, day: bool = False) -> CheckConstraint:
    """A check that a date (day=True) or a time lies in the range the API accepts, so that no
    infinity is ever stored, whoever writes the row."""
    low, high = ((EARLIEST_DATE.isoformat(), LATEST_DATE.isoformat()) if day else
                 (f"{EARLIEST_TIME:%Y-%m-%d %H:%M:%S}+00", f"{LATEST_TIME:%Y-%m-%d %H:%M:%S.%f}+00"))
    return CheckConstraint(f"{column} BETWEEN '{low}' AND '{high}'", name=f"{column}_range")


def jsonb(**kwargs) -> dict:
    return {"sa_type": JSONB, **kwargs}


STAMP_COLUMNS = ("id", "created_at", "updated_at", "created_by", "updated_by", "version", "archived_at")

