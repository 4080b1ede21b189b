"""Use cases of tags: the vocabulary of each kind of record."""

from __future__ import annotations

from domain.services.records import RecordKind
from domain.tags import validate_tag

TAG = RecordKind(type_name="Tag", validate=validate_tag, references={})
