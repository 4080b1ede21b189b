"""The compiled write path answers plain updates exactly as the resolvers do, for every role.

Each mutation runs twice on the same record in the same state: once on the app whose compiled
write path answers it, then, with the record and its audit trail put back as they were, on
the app that sends every mutation through the resolvers. Status, body, the row written and
the audit entry must be the same, and the compiled path must really have answered whatever
the resolvers answer without a top-level error (otherwise this would compare the resolvers
with themselves).
"""

from __future__ import annotations

import asyncpg
import pytest

from api.schema.ids import from_global_id
from tests.api.compiled_writes_cases import (
    BAD_VARIABLE,
    CASES,
    CONTACT_360,
    CONTACT_UPDATE,
    FORM_CREATE,
    OWN_TYPE_BELOW,
    ROLES,
    SALES_FIELDS,
    TABLES,
    TWO_FIELDS,
    names,
    wrong_type,
)
from tests.demo import (
    CUSTOMER,
    DEMO_PARTNER_ACCOUNT,
    DEMO_PARTNER_CONTACT,
    SALES_USER,
)


@pytest.fixture(scope="module")
async def records(factories, gql) -> dict[str, dict[str, str]]:
    """The contact and account each role writes to: a staff member's are owned by the sales
    user (so sales2 may not change them), the customer's is its own, the partner's one
    registered to it (it may read, not write, contacts); and a capture form, whose name
    another one holds too."""
    contact = (await factories.contact(owner=SALES_USER, lastName="Unchanged"))["id"]
    account = (await factories.account(owner=SALES_USER))["id"]
    await factories.link(account, contact)
    forms = [(await gql.ok("admin", FORM_CREATE, {"input": {"name": name}})
              )["captureFormCreate"]["form"]["id"] for name in ("Parity form", "Parity other form")]
    staff = {"Contact": contact, "Account": account, "CaptureForm": forms[0]}
    return {role: staff for role in ROLES} | {
        "customer": {**staff, "Contact": CUSTOMER, "Account": DEMO_PARTNER_ACCOUNT},
        "partner": {**staff, "Contact": DEMO_PARTNER_CONTACT, "Account": DEMO_PARTNER_ACCOUNT}}


class Snapshot:
    """A record's row and audit trail, to put back after a mutation wrote them."""

    def __init__(self, database_url: str, global_id: str) -> None:
        type_name, self.id = from_global_id(global_id)
        self.table, self.url = TABLES[type_name], database_url

    async def take(self) -> Snapshot:
        conn = await asyncpg.connect(self.url)
        try:
            self.row = dict(await conn.fetchrow(f"SELECT * FROM {self.table} WHERE id = $1",
                                                self.id))
            self.audit = {r["id"] for r in await conn.fetch(
                "SELECT id FROM audit_entry WHERE record_id = $1", self.id)}
            self.stored = [r[0] for r in await conn.fetch(  # the columns not generated
                "SELECT column_name FROM information_schema.columns WHERE table_name = $1 "
                "AND is_generated = 'NEVER' AND is_identity = 'NO'", self.table)]
        finally:
            await conn.close()
        return self

    async def changes(self) -> tuple[dict, list[tuple]]:
        """The row now, but for the moment it was written, and the audit entries since."""
        conn = await asyncpg.connect(self.url)
        try:
            row = dict(await conn.fetchrow(f"SELECT * FROM {self.table} WHERE id = $1", self.id))
            entries = await conn.fetch(
                "SELECT record_type, action, changes, created_by, parent_id FROM audit_entry "
                "WHERE record_id = $1 AND NOT id = ANY($2::uuid[]) ORDER BY created_at",
                self.id, list(self.audit))
        finally:
            await conn.close()
        row.pop("updated_at")
        return row, [tuple(e) for e in entries]

    async def put_back(self) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(self.stored, 1))
            await conn.execute(f"UPDATE {self.table} SET {sets} WHERE id = "
                               f"${len(self.stored) + 1}",
                               *(self.row[c] for c in self.stored), self.id)
            await conn.execute("DELETE FROM audit_entry WHERE record_id = $1 "
                               "AND NOT id = ANY($2::uuid[])", self.id, list(self.audit))
        finally:
            await conn.close()


async def ask(client, token: str, query: str, variables: dict,
              accept: str = "application/json") -> tuple[int, dict]:
    response = await client.post("/graphql", json={"query": query, "variables": variables},
                                 headers={"Authorization": f"Bearer {token}", "Accept": accept})
    return response.status_code, response.json()


async def both_paths(app, http, resolver_http, token: str, database_url: str, record: str,
                     query: str, variables, accept: str = "application/json"):
    """(compiled answer, resolver answer, whether the compiled path answered), after
    checking that both wrote the same row and audit entry."""
    snapshot = await Snapshot(database_url, record).take()
    asked = variables(record, snapshot.row["version"])
    before = app.state.graphql.writes.answers
    try:
        fast = await ask(http, token, query, asked, accept)
        answered = app.state.graphql.writes.answers > before
        fast_writes = await snapshot.changes()
        await snapshot.put_back()
        slow = await ask(resolver_http, token, query, asked, accept)
        assert await snapshot.changes() == fast_writes
    finally:
        await snapshot.put_back()
    return fast, slow, answered


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", range(len(CASES)))
async def test_compiled_writes_equal_the_resolvers(app, http, resolver_http, tokens, records,
                                                    database_url, role, case):
    # given a mutation and the record this role writes to, in the same state for both paths
    query, variables, target = CASES[case]
    record = records[role].get(target, target)
    # when each path answers it
    fast, slow, answered = await both_paths(app, http, resolver_http, tokens[role],
                                            database_url, record, query, variables)
    # then the answers are the same, and the compiled path gave every answer the resolvers
    # gave without a top-level error (a field the role may not read is theirs to report)
    assert fast == slow
    if "errors" in slow[1] or query is TWO_FIELDS:
        assert not answered
    elif role in ("admin", "sales", "sales2", "service") or "errors { code }" in query:
        assert answered


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_bad_variables_are_refused_alike(app, http, resolver_http, tokens, records,
                                               database_url, accept):
    fast, slow, answered = await both_paths(app, http, resolver_http, tokens["admin"],
                                            database_url, records["admin"]["Contact"],
                                            BAD_VARIABLE, wrong_type, accept)
    assert fast == slow and not answered
    assert fast[1]["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_written_contact_answers_as_it_is_then_read(app, http, tokens, records,
                                                            database_url):
    # given a contact a sales user writes
    record = records["sales"]["Contact"]
    snapshot = await Snapshot(database_url, record).take()
    try:
        # when the compiled path answers its update with the time of the change
        query = CONTACT_UPDATE.replace("createdAt", "createdAt updatedAt")
        status, body = await ask(http, tokens["sales"], query,
                                 names("Dora")(record, snapshot.row["version"]))
        # then that is the record as a read now shows it, to the microsecond
        written = body["data"]["contactUpdate"]["contact"]
        read = (await ask(http, tokens["sales"], CONTACT_360, {"id": record}))[1]
        assert status == 200 and written["firstName"] == "Dora"
        assert written["version"] == snapshot.row["version"] + 1
        assert written["updatedAt"] == read["data"]["contact"]["updatedAt"]
    finally:
        await snapshot.put_back()


@pytest.mark.parametrize(("query", "sent"), [(CONTACT_UPDATE, 1), (SALES_FIELDS, 1),
                                             (OWN_TYPE_BELOW, 2)])
async def test_the_write_answers_in_its_own_statement_unless_its_type_is_read_below(
        app, http, tokens, records, database_url, statements, query, sent):
    # given a contact an admin writes
    record = records["admin"]["Contact"]
    snapshot = await Snapshot(database_url, record).take()
    try:
        statements.reset()
        before = app.state.graphql.writes.answers
        # when the compiled path answers its update
        status, body = await ask(http, tokens["admin"], query,
                                 names("Fay")(record, snapshot.row["version"]))
        # then the write's statement rendered the contact, or a read after it did
        assert status == 200 and body["data"]["contactUpdate"]["errors"] == []
        assert app.state.graphql.writes.answers == before + 1
        assert statements.count == sent, statements.statements
        assert statements.statements[0].startswith("WITH target AS")
    finally:
        await snapshot.put_back()
