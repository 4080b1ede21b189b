"""Portal identities: an external subject, or an email, that acts as a contact."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field

from persistence.base import Stamped


class PortalIdentityRow(Stamped, table=True):
    __tablename__ = "portal_identity"
    __table_args__ = (
        UniqueConstraint("issuer", "subject"),
        Index("uq_portal_identity_email_lower", text("lower(email)"), unique=True),
        CheckConstraint("subject IS NOT NULL OR email IS NOT NULL", name="subject_or_email"),
    )

    contact_id: uuid.UUID = Field(foreign_key="contact.id", index=True)
    issuer: str | None = Field(default=None, max_length=300)
    subject: str | None = Field(default=None, max_length=300)
    email: str | None = Field(default=None, max_length=320)
