"""GraphQL names inlined into compiled statements."""

from __future__ import annotations

import re

NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")


def literal(text: str) -> str:
    """GraphQL names are plain identifiers, so they can be inlined as SQL string literals."""
    if not NAME.match(text):
        raise ValueError(f"not a GraphQL name: {text!r}")
    return f"'{text}'"
