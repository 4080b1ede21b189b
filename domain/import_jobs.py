"""Import jobs: their kinds and states, what a mapping needs the importer to be allowed to read
and write, and how rows of one batch that are the same person fold into one."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable
from enum import StrEnum
from typing import Any

from domain.access import Access, Action
from domain.errors import DomainError, ErrorCode, Problem


class ImportKind(StrEnum):
    """What a file holds."""

    CONTACTS = "CONTACTS"
    ACCOUNTS = "ACCOUNTS"
    SURVEY_RESPONSES = "SURVEY_RESPONSES"  # answers to one survey, collected elsewhere


class ImportStatus(StrEnum):
    """Where an import stands."""

    PENDING = "PENDING"  # stored, not started
    RUNNING = "RUNNING"  # batches are committing; a killed run stays here and may resume
    DONE = "DONE"
    FAILED = "FAILED"
    UNDONE = "UNDONE"


class OnDuplicate(StrEnum):
    """What a row that matches an existing record (or an earlier row) does."""

    SKIP = "skip"  # nothing
    UPDATE = "update"  # fills the record's empty fields, never overwriting a value
    CREATE = "create"  # a new record all the same


TYPE_OF = {ImportKind.CONTACTS: "Contact", ImportKind.ACCOUNTS: "Account",
           ImportKind.SURVEY_RESPONSES: "SurveyResponse"}
# The record a row of each kind describes, as domain.imports.mapping names it.
RECORD_OF = {ImportKind.CONTACTS: "contact", ImportKind.ACCOUNTS: "account",
             ImportKind.SURVEY_RESPONSES: "surveyResponse"}
# Kinds whose rows match the records they already hold (and each other) and fill them in; a
# survey response is new each time.
MATCHED = frozenset({ImportKind.CONTACTS, ImportKind.ACCOUNTS})

# Mapping target -> (record type, field) the importer must write.
CONTACT_FIELDS = {
    "externalId": ("Contact", "externalId"), "firstName": ("Contact", "firstName"),
    "lastName": ("Contact", "lastName"), "fullName": ("Contact", "lastName"),
    "email": ("Contact", "emails"), "email2": ("Contact", "emails"),
    "phone": ("Contact", "phones"), "phone2": ("Contact", "phones"),
    "mobile": ("Contact", "phones"), "street": ("Contact", "address"),
    "city": ("Contact", "address"), "region": ("Contact", "address"),
    "postalCode": ("Contact", "address"), "country": ("Contact", "address"),
    "lifecycleStage": ("Contact", "lifecycleStage"), "leadScore": ("Contact", "leadScore"),
    "company": ("Contact", "accounts"), "companyWebsite": ("Account", "website"),
    "companyExternalId": ("Account", "externalId"),
    "jobTitle": ("AccountContact", "jobTitle"),
    "isDecisionMaker": ("AccountContact", "isDecisionMaker"), "tags": ("Contact", "tags"),
}
ACCOUNT_FIELDS = {
    "externalId": ("Account", "externalId"), "name": ("Account", "name"),
    "legalName": ("Account", "legalName"), "website": ("Account", "website"),
    "industry": ("Account", "industry"), "size": ("Account", "size"),
    "tier": ("Account", "tier"), "tags": ("Account", "tags"),
}
SURVEY_RESPONSE_FIELDS = {
    "email": ("SurveyResponse", "contact"), "externalId": ("SurveyResponse", "contact"),
    "contact": ("SurveyResponse", "contact"), "score": ("SurveyResponse", "answers"),
    "comment": ("SurveyResponse", "comment"), "respondedAt": ("SurveyResponse", "respondedAt"),
    "case": ("SurveyResponse", "case"), "order": ("SurveyResponse", "order"),
    "product": ("SurveyResponse", "product"),
}
FIELDS_OF = {ImportKind.CONTACTS: CONTACT_FIELDS, ImportKind.ACCOUNTS: ACCOUNT_FIELDS,
             ImportKind.SURVEY_RESPONSES: SURVEY_RESPONSE_FIELDS}
# Mapping target -> (record type, field) the importer must read: a row names the record it
# refers to by this field, and a record one may not read would be looked up in vain.
LOOKUPS = {
    "email": ("Contact", "emails"), "externalId": ("Contact", "externalId"),
    "case": ("Case", "number"), "order": ("Order", "number"), "product": ("Product", "sku"),
}
READS_OF = {ImportKind.SURVEY_RESPONSES: LOOKUPS}
ANSWER = "answer:"  # a survey question's column: answer:<question key>
COMPANY_TARGETS = ("company", "companyWebsite", "companyExternalId")


def required_writes(kind: ImportKind, targets: Iterable[str]) -> dict[str, set[str]]:
    """Type -> the fields a mapping onto `targets` writes (custom fields and consents as
    `customFields.<name>` and `consents`); a survey response always names its survey."""
    table = FIELDS_OF[kind]
    needed: dict[str, set[str]] = {TYPE_OF[kind]: set()}
    if kind is ImportKind.SURVEY_RESPONSES:
        needed[TYPE_OF[kind]].add("survey")
    for target in targets:
        if target == "ignore":
            continue
        if target.startswith(ANSWER):
            needed[TYPE_OF[kind]].add("answers")
        elif target.startswith("custom:"):
            needed[TYPE_OF[kind]].add(f"customFields.{target.removeprefix('custom:')}")
        elif target.startswith("consent:"):
            needed[TYPE_OF[kind]].add("consents")
        elif target in table:
            type_name, field = table[target]
            needed.setdefault(type_name, set()).add(field)
    if kind is ImportKind.CONTACTS and needed.get("Account"):
        needed["Contact"].add("accounts")
    if kind is ImportKind.CONTACTS and "accounts" in needed["Contact"]:
        needed.setdefault("Account", set()).update({"name", "contacts"})
    return needed


def require_import(access: Access, kind: ImportKind, targets: Iterable[str],
                   custom_writable: Collection[str]) -> None:
    """The importer creates records of the types it writes, writes every mapped field and
    reads every field a row looks a record up by; every field it may not is named."""
    targets = list(targets)
    problems = []
    reads = READS_OF.get(kind, {})
    for type_name, field in sorted({reads[t] for t in targets if t in reads}):
        if not access.can_read(type_name, field):
            problems.append(Problem(f"{type_name}.{field}", ErrorCode.FORBIDDEN,
                                    f"You may not read {type_name}.{field}."))
    for type_name, fields in required_writes(kind, targets).items():
        if type_name != "AccountContact" and not access.can(type_name, Action.CREATE):
            problems.append(Problem(None, ErrorCode.FORBIDDEN,
                                    f"You may not create a {type_name}."))
        for field in sorted(fields):
            if field.startswith("customFields."):
                allowed = field.removeprefix("customFields.") in custom_writable
            else:
                allowed = access.can_write(type_name, field)
            if not allowed:
                problems.append(Problem(f"{type_name}.{field}", ErrorCode.FORBIDDEN,
                                        f"You may not set {type_name}.{field}."))
    if problems:
        raise DomainError(*problems)


def fold_duplicates(rows: list[Any], keys: Callable[[Any], list[Hashable]],
                    merge: Callable[[Any, Any], None],
                    compatible: Callable[[Any, Any], bool] = lambda first, later: True,
                    ) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """Rows in file order, each later row that shares a key with an earlier one folded into
    it (`merge(first, later)`); the rows kept, and the (kept, folded) pairs. Keys are tried in
    order: external id, then emails, phones, then the name key at the same company; a row
    is never folded into one it is not `compatible` with (another external id)."""
    first_by_key: dict[Hashable, Any] = {}
    kept, folded = [], []
    for row in rows:
        row_keys = keys(row)
        target = next((first_by_key[k] for k in row_keys
                       if k in first_by_key and compatible(first_by_key[k], row)), None)
        if target is None:
            kept.append(row)
            target = row
        else:
            merge(target, row)
            folded.append((target, row))
        for k in row_keys:
            first_by_key.setdefault(k, target)
    return kept, folded
