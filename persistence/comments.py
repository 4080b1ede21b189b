"""What makes a kind of record take comments: its `comments` group, the one list every kind
reads its comments along, and who reaches a comment.

A comment is an activity of kind COMMENT whose `record_type` and `record_id` name the one
record it is on (a case's comments also name the case, its contact and its account, so that
they show on those timelines). A comment is reached only by whom its record is visible to,
and who may read that record's comments.
"""

from __future__ import annotations

from functools import cache

from domain.access import Access
from domain.comments import CommentableKind
from persistence.declaration import Children, rel
from persistence.spec import Spec, read_sql
from persistence.sql import Builder

# A record's comments, oldest first: the same list for every kind, by the record's id.
COMMENTS = Children("Activity", "record_id", ("at", "id"))


def comments() -> tuple:
    """The `comments` field of a kind that takes comments; its group says who reads them and
    who may comment."""
    return (rel("comments", COMMENTS,
                doc="Comments on it, oldest first: Markdown as written (the server renders "
                    "none). On a case, the replies to and from the customer too, of which "
                    "a customer reads only the customer-visible ones."),)


@cache
def commentable() -> dict[str, Spec]:
    """The spec of each kind that takes comments."""
    # record_types imports every declaration, and the declarations import this module.
    from persistence.record_types import BY_NAME
    return {kind.value: BY_NAME[kind.value].spec for kind in CommentableKind}


def on_a_readable_record(t: str, access: Access, b: Builder) -> str:
    """A comment (of alias `t`) is reached only by who reads its record and the record's
    comments; any other activity is on no record of its own."""
    whens = []
    for kind, spec in commentable().items():
        if not access.can_read(kind, "comments"):
            continue
        r = f"{t}_on"
        rule = read_sql(spec, access, r, b)
        if rule != "TRUE":  # every record of the kind is readable: no need to look
            rule = f"EXISTS (SELECT 1 FROM {spec.name} {r} WHERE {r}.id = {t}.record_id AND {rule})"
        whens.append(f"WHEN '{kind}' THEN {rule}")
    if not whens:
        return f"{t}.record_id IS NULL"
    return f"{t}.record_id IS NULL OR CASE {t}.record_type {' '.join(whens)} ELSE FALSE END"
