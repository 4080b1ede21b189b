"""Nesting costs at most one statement per level, whatever the number of records: one
statement in all on the compiled path, one per level through the resolvers' DataLoaders."""

from __future__ import annotations

import pytest

from tests.demo import DEMO_PARTNER_ACCOUNT

THREE_LEVELS = """query($n: Int!) {
  contacts(first: $n) { edges { node { lastName
    accounts(first: 20) { edges { jobTitle node { name
      notes(first: 5) { nodes { body } } } } } } } }
}"""
SIBLINGS = """query($n: Int!) {
  contacts(first: $n) { nodes { lastName owner { name } territory { name }
    accounts(first: 3) { nodes { name } } consents { purpose } } }
}"""

TIMELINE = """query($id: ID!) { timeline(recordId: $id, first: 50) { nodes { id kind at subject } } }"""


@pytest.fixture(params=["compiled", "resolvers"])
def path(request, gql, statements, resolver_gql, resolver_statements):
    """(client, statement counter, statements expected for three levels) of each read path."""
    if request.param == "compiled":
        return gql, statements, 1
    return resolver_gql, resolver_statements, 3


@pytest.mark.parametrize("n", [1, 100])
async def test_three_levels_run_one_statement_per_level_at_most(path, n):
    gql, statements, expected = path
    # given a warm server (the first request ever also reads the database's type catalogue)
    await gql.ok("admin", THREE_LEVELS, {"n": 1})
    statements.reset()
    # when contacts -> accounts -> notes are read for 1 or 100 contacts
    data = await gql.ok("admin", THREE_LEVELS, {"n": n})
    # then one statement ran per level
    assert len(data["contacts"]["edges"]) == n  # the demo alone has 201 contacts
    accounts = [a for c in data["contacts"]["edges"] for a in c["node"]["accounts"]["edges"]]
    assert len(accounts) >= n // 2 and any(a["node"]["notes"]["nodes"] for a in accounts)
    assert statements.count == expected, statements.statements


@pytest.mark.parametrize("n", [1, 100])
async def test_sibling_relations_run_one_statement_each(resolver_gql, resolver_statements, n):
    gql, statements = resolver_gql, resolver_statements
    await gql.ok("admin", SIBLINGS, {"n": 1})
    statements.reset()
    data = await gql.ok("admin", SIBLINGS, {"n": n})
    assert len(data["contacts"]["nodes"]) == n
    # the list, then owner, territory, accounts and consents: one statement each
    assert statements.count == 5, statements.statements


async def test_forbidden_relation_is_never_fetched(gql, statements):
    # (a forbidden field sends the query through the resolvers, which report it)
    # given marketing, which may not read notes
    await gql("marketing", THREE_LEVELS, {"n": 1})
    statements.reset()
    # when it asks for notes three levels down
    result = await gql("marketing", THREE_LEVELS, {"n": 10})
    # then the notes level runs no statement at all
    assert "FORBIDDEN" in result.error_codes()
    assert statements.count == 2
    assert not any("note" in s for s in statements.statements)


@pytest.mark.parametrize("query", [
    "{ contacts(first: 5) { nodes { lastName emails { address } phones { number } "
    "address { city } } } }",
])
async def test_columns_a_role_may_not_read_are_never_selected(gql, statements, query):
    # given the analyst role, which may not read emails, phones or addresses
    statements.reset()
    # when it asks for them
    result = await gql("analyst", query)
    # then they are FORBIDDEN and the SQL never named their columns
    assert set(result.error_codes()) == {"FORBIDDEN"}
    sql = " ".join(statements.statements)
    assert ".last_name" in sql
    for column in (".emails", ".phones", ".address"):
        assert column not in sql


async def test_compiled_sql_selects_only_readable_columns(gql, statements):
    # given a partner, which may read names and channels but not sales fields
    statements.reset()
    # when a query within its rights is compiled
    await gql.ok("partner", "{ contacts(first: 5) { nodes { lastName emails { address } } } }")
    # then the one statement names no column outside those rights
    assert statements.count == 1
    sql = statements.statements[0]
    assert ".last_name" in sql and ".emails" in sql
    for column in (".lead_score", ".owner_id", ".lifecycle_stage", ".phones"):
        assert column not in sql


async def test_an_accounts_timeline_is_one_statement(gql, statements):
    # given a warm server and an account whose contacts have activities (Q5 of make bench)
    await gql.ok("admin", TIMELINE, {"id": DEMO_PARTNER_ACCOUNT})
    statements.reset()
    # when its timeline is read
    data = await gql.ok("admin", TIMELINE, {"id": DEMO_PARTNER_ACCOUNT})
    # then one statement checks the account and gathers its activities
    assert data["timeline"]["nodes"]
    assert statements.count == 1, statements.statements
