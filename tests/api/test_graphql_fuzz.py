"""GraphQL fuzzing: schemathesis writes queries and mutations from the SDL, the admin sends them
to the real server, and no request may fail on the server.

Mutations write real rows with generated names, so the fuzzing runs on a server over a demo
database of its own: tests that count or list the session database's records never see them.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error as schemathesis_not_a_server_error
from schemathesis.graphql import nodes
from schemathesis.graphql.checks import GraphQLServerError
from schemathesis.specs.openapi.checks import response_schema_conformance

from domain.errors import ErrorCode
from tests.conftest import serve_live
from tests.databases import own_database

SDL = Path(__file__).resolve().parents[2] / "api" / "schema" / "schema.graphql"
MAX_EXAMPLES = 75
# The codes of the errors resolvers raise on purpose (api/schema/errors.py); "INTERNAL",
# the mask over an unexpected exception, is not among them.
INTENDED = {code.value for code in ErrorCode}

# Mostly real instants, sometimes naive, sometimes text that is no date at all.
schemathesis.graphql.scalar("DateTime", st.one_of(
    st.datetimes(timezones=st.sampled_from([UTC, None])).map(lambda d: d.isoformat()),
    st.text(max_size=30),
).map(nodes.String))

# Mostly decimal numbers as text (negative, huge, with many places), sometimes no number at all.
schemathesis.graphql.scalar("Decimal", st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
    st.text(max_size=12),
).map(nodes.String))

# A file comes only as a multipart request's part: in a JSON body, whatever stands for one is
# text or a number, which importStart must refuse as no file.
schemathesis.graphql.scalar("Upload", st.one_of(st.text(max_size=20).map(nodes.String),
                                                st.integers().map(nodes.Int)))

schema = schemathesis.graphql.from_path(SDL, config=schemathesis.Config.from_dict({
    "generation": {"max-examples": MAX_EXAMPLES},
}))


def not_a_server_error(ctx, response, case):
    """Schemathesis's check, less the errors at a path this API raises on purpose.

    Schemathesis counts every error with a path as a server error; here a coded error such as
    NOT_FOUND for a generated id is the documented answer, while a 5xx or an INTERNAL error
    (an exception the server masked) is a bug.
    """
    try:
        return schemathesis_not_a_server_error(ctx, response, case)
    except GraphQLServerError as failure:
        unintended = [e for e in failure.errors
                      if (e.get("extensions") or {}).get("code") not in INTENDED]
        if unintended:
            raise


@pytest.fixture(scope="module")
def fuzzed_server(server_url, crm_home, tmp_path_factory):
    """The real server over a demo database that only the fuzzing writes to."""
    with own_database(server_url, "crm_fuzz", demo=True) as url, \
            serve_live(url, crm_home, tmp_path_factory) as served_url:
        yield served_url


def send_and_check(case, live_server: str, token: str):
    """Send the case as the given token's holder; it must be answered without a server error."""
    response = case.call(base_url=f"{live_server}/graphql", timeout=30,
                         headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


@schema.parametrize()
def test_graphql_operation_never_fails_on_the_server(case, fuzzed_server, tokens):
    # given a generated query or mutation, sent by the admin
    # then the server answers it with a well-formed GraphQL response, never a server error
    send_and_check(case, fuzzed_server, tokens["admin"])


# Requests the fuzzing once found failing, kept so that they are tried on every run.
FOUND = {
    "in-null-on-reference-filter": ("Query", "accounts",
                                    "{ accounts(filter: {owner: {in: null}}) { totalCount } }"),
    "website-with-bracket": ("Mutation", "accountCreate",
                             'mutation { accountCreate(input: {name: "Fuzz finding 1", '
                             'website: "a]"}) { errors { field code } } }'),
    "nul-character-in-text": ("Mutation", "contactCreate",
                              'mutation { contactCreate(input: {lastName: "Fuzz finding \\u0000"}) '
                              "{ errors { field code } } }"),
}


@pytest.mark.parametrize("root, field, document", FOUND.values(), ids=FOUND.keys())
def test_graphql_operation_found_by_fuzzing_never_fails_on_the_server(fuzzed_server, tokens, root,
                                                                      field, document):
    # given a request that once failed, sent by the admin
    # then it is answered without a server error
    send_and_check(schema[root][field].Case(body=document), fuzzed_server, tokens["admin"])
