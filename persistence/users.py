"""Staff users."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field

from domain.access import Role
from persistence.base import Stamped
from persistence.declaration import UNSHOWN_STAMPS, RecordType, col, ref


class UserRow(Stamped, table=True):
    __tablename__ = "app_user"
    __table_args__ = (
        Index("uq_app_user_email_lower", text("lower(email)"), unique=True),
        CheckConstraint("role IN ('admin','sales','marketing','service','analyst')", name="role"),
    )

    email: str = Field(max_length=320)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    territory_id: uuid.UUID | None = Field(default=None, foreign_key="territory.id", index=True)
    active: bool = Field(default=True, sa_column_kwargs={"server_default": "true"})
USER = RecordType(
    name="User",
    table=UserRow.__table__,
    groups={
        "all": (
            col("id"),
            col("email", filterable=True, doc="Sign-in email."),
            col("name", filterable=True, doc="Full name."),
            col("role", filterable=True, enum=Role, doc="What the user may do: see the access policy."),
            ref("territory", target="Territory", doc="The user's home territory."),
            col("active", doc="Inactive users cannot sign in."),
            col("version", doc="Optimistic-concurrency version."),
        ),
    },
    stored=UNSHOWN_STAMPS,
    unique={"uq_app_user_email_lower": "email"},
)
