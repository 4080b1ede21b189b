"""Staff users, territories and partners: the organisation the customer record lives in."""

from __future__ import annotations

from domain.access import STAFF_ROLES, Role
from domain.errors import DomainError, ErrorCode, Problems
from domain.values import clean_text, normalize_email

USER_REFERENCES = {"territory": "Territory"}
TERRITORY_REFERENCES = {"parent": "Territory"}


def validate_user(values: dict, *, creating: bool, stored: dict | None = None) -> dict:
    """Email and name are required; the role is a staff role; a user may be deactivated."""
    problems = Problems()
    clean: dict = {}
    for field in ("email", "name", "role"):
        if creating and field not in values:
            problems.add(field, ErrorCode.REQUIRED, f"{field} is required.")
    problems.check(values, clean, "email", lambda v: normalize_email(v or "", "email"))
    problems.check(values, clean, "name", lambda v: clean_text(v, "name", required=True))
    problems.check(values, clean, "role", _staff_role)
    problems.check(values, clean, "active", _required_flag)
    if "territory" in values:
        clean["territory"] = values["territory"]
    problems.raise_if_any()
    return clean


def _staff_role(value) -> str:
    role = Role(value) if value is not None else None
    if role not in STAFF_ROLES:
        raise DomainError.one("role", ErrorCode.INVALID,
                              f"A user's role is one of {', '.join(r.value for r in STAFF_ROLES)}.")
    return role.value


def _required_flag(value) -> bool:
    if value is None:
        raise DomainError.one("active", ErrorCode.REQUIRED, "active cannot be empty.")
    return value


def validate_named(values: dict, *, creating: bool, stored: dict | None = None) -> dict:
    """Territories and partners: a required name, and for territories a parent."""
    problems = Problems()
    clean: dict = {}
    if creating and "name" not in values:
        problems.add("name", ErrorCode.REQUIRED, "name is required.")
    problems.check(values, clean, "name", lambda v: clean_text(v, "name", required=True))
    if "parent" in values:
        clean["parent"] = values["parent"]
    problems.raise_if_any()
    return clean
