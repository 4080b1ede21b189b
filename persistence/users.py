"""Staff users."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field

from persistence.base import STAMP_FIELDS, Stamped
from persistence.spec import Spec


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


USER = Spec(
    type_name="User",
    table=UserRow.__table__,
    columns={**STAMP_FIELDS, "email": "email", "name": "name", "role": "role",
             "territory": "territory_id", "active": "active"},
    searchable={"name": ("name", "name"), "email": ("email", "email"), "role": ("role", "role")},
    unique={"uq_app_user_email_lower": "email"},
)
