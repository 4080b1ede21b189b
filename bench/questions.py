"""The six questions, each in the dialect of our server, of PostGraphile 4 and 5 and of the floor."""

from __future__ import annotations

import json
from dataclasses import dataclass

from api.schema.ids import to_global_id
from bench.dataset import Q6_TIER, TIER_FIELD, Fixtures

QUESTIONS = ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6")
# Placeholders of Q4's body template; bench/lua/update.lua fills them per request.
ID, VERSION, NAME = "__ID__", "__VERSION__", "__NAME__"

CRM = {
    "Q1": """query Q1($id: ID!) {
  contact(id: $id) { id firstName lastName lifecycleStage leadScore createdAt updatedAt version }
}""",
    "Q2": """query Q2($id: ID!) {
  account(id: $id) {
    name
    contacts(first: 20) {
      edges { jobTitle node { firstName lastName emails { address } phones { number }
                              consents { channel purpose status } } }
    }
    notes(first: 10) { nodes { body createdAt } }
  }
}""",
    "Q3": """query Q3($territory: ID!) {
  contacts(first: 50, filter: {territory: {eq: $territory}}, orderBy: [{field: LAST_NAME}]) {
    nodes { id firstName lastName accounts(first: 5) { nodes { name } } }
  }
}""",
    "Q4": """mutation Q4($id: ID!, $version: Int!, $firstName: String!) {
  contactUpdate(input: {id: $id, version: $version, firstName: $firstName}) {
    contact { id version }
    errors { field code message }
  }
}""",
    "Q5": """query Q5($id: ID!) {
  timeline(recordId: $id, first: 50) { nodes { id kind at subject } }
}""",
    # In our default order, createdAt then id.
    "Q6": """query Q6($tier: JSON!) {
  contacts(first: 20, filter: {customFields: [{name: "tier", eq: $tier}]}) {
    nodes { id firstName lastName customFields { name value } }
  }
}""",
}

# PostGraphile 4's names, as pg-simplify-inflector makes them (found by introspection).
# Archived rows are left out as our server does; notes have no foreign key (record_id is
# polymorphic), so they come from a root-level field of the same request.
POSTGRAPHILE = {
    "Q1": """query Q1($id: UUID!) {
  contact(id: $id) { id firstName lastName lifecycleStage leadScore createdAt updatedAt version }
}""",
    "Q2": """query Q2($id: UUID!) {
  account(id: $id) {
    name
    accountContacts(first: 20, condition: {archivedAt: null}) {
      nodes { jobTitle contact { firstName lastName emails phones
        consents(condition: {archivedAt: null}, orderBy: [CHANNEL_ASC, PURPOSE_ASC]) {
          nodes { channel purpose status } } } }
    }
  }
  notes(condition: {recordId: $id, archivedAt: null}, orderBy: [CREATED_AT_DESC, ID_DESC],
        first: 10) { nodes { body createdAt } }
}""",
    "Q3": """query Q3($territory: UUID!) {
  contacts(condition: {territoryId: $territory, archivedAt: null},
           orderBy: [LAST_NAME_ASC, ID_ASC], first: 50) {
    nodes { id firstName lastName
            accountContacts(first: 5, condition: {archivedAt: null}) { nodes { account { name } } } }
  }
}""",
    "Q4": """mutation Q4($id: UUID!, $firstName: String!) {
  updateContact(input: {id: $id, patch: {firstName: $firstName}}) { contact { id version } }
}""",
    # The fixture account's whole timeline carries its id (bench/dataset.py picks it so).
    "Q5": """query Q5($id: UUID!) {
  activities(condition: {accountId: $id, archivedAt: null}, orderBy: [AT_DESC, ID_ASC],
             first: 50) { nodes { id kind at subject } }
}""",
    # Without the connection-filter plugin a jsonb column's condition is whole-value equality;
    # every bench contact holds only `tier`, so {"tier": "Gold"} finds the same contacts.
    "Q6": """query Q6($customFields: JSON!) {
  contacts(condition: {customFields: $customFields, archivedAt: null},
           orderBy: [CREATED_AT_ASC, ID_ASC], first: 20) {
    nodes { id firstName lastName customFields }
  }
}""",
}


# PostGraphile 5's names (amber preset, @graphile/simplify-inflection). The node id takes the
# name `id`, so the uuid column is `rowId`; it is aliased back to `id` so that the answers have
# PostGraphile 4's shape, and Q4's answer names the contact as bench/lua/update.lua reads it.
POSTGRAPHILE5 = {
    "Q1": """query Q1($id: UUID!) {
  contact(rowId: $id) {
    id: rowId firstName lastName lifecycleStage leadScore createdAt updatedAt version
  }
}""",
    "Q2": """query Q2($id: UUID!) {
  account(rowId: $id) {
    name
    accountContacts(first: 20, condition: {archivedAt: null}) {
      nodes { jobTitle contact { firstName lastName emails phones
        consents(condition: {archivedAt: null}, orderBy: [CHANNEL_ASC, PURPOSE_ASC]) {
          nodes { channel purpose status } } } }
    }
  }
  notes(condition: {recordId: $id, archivedAt: null}, orderBy: [CREATED_AT_DESC, ROW_ID_DESC],
        first: 10) { nodes { body createdAt } }
}""",
    "Q3": """query Q3($territory: UUID!) {
  contacts(condition: {territoryId: $territory, archivedAt: null},
           orderBy: [LAST_NAME_ASC, ROW_ID_ASC], first: 50) {
    nodes { id: rowId firstName lastName
            accountContacts(first: 5, condition: {archivedAt: null}) { nodes { account { name } } } }
  }
}""",
    "Q4": """mutation Q4($id: UUID!, $firstName: String!) {
  updateContact(input: {rowId: $id, patch: {firstName: $firstName}}) {
    contact { id: rowId version }
  }
}""",
    "Q5": """query Q5($id: UUID!) {
  activities(condition: {accountId: $id, archivedAt: null}, orderBy: [AT_DESC, ROW_ID_ASC],
             first: 50) { nodes { id: rowId kind at subject } }
}""",
    "Q6": """query Q6($customFields: JSON!) {
  contacts(condition: {customFields: $customFields, archivedAt: null},
           orderBy: [CREATED_AT_ASC, ROW_ID_ASC], first: 20) {
    nodes { id: rowId firstName lastName customFields }
  }
}""",
}
PEERS = {"postgraphile": POSTGRAPHILE, "postgraphile5": POSTGRAPHILE5}


@dataclass(frozen=True)
class Request:
    """One question for one server: where to POST it and the JSON body (a template for Q4)."""

    path: str
    body: str
    authorised: bool  # sends our bearer token
    variants: tuple[str, ...] = ()  # bodies sent in turn after `body` (Q1: other contacts)


def _graphql(query: str, variables: dict) -> str:
    return json.dumps({"query": query, "variables": variables}, separators=(",", ":"))


def _template(body: str) -> str:
    """Turn the quoted version placeholder into a bare one, so the filled body holds a number."""
    return body.replace(f'"{VERSION}"', VERSION)


def requests(question: str, fx: Fixtures) -> dict[str, Request]:
    """The question in each server's dialect."""
    contact, account = to_global_id("Contact", fx.contact_id), to_global_id("Account", fx.account_id)
    territory = to_global_id("Territory", fx.territory_id)
    timeline = to_global_id("Account", fx.timeline_account_id) if fx.timeline_account_id else ""
    tier = {TIER_FIELD: Q6_TIER}
    crm_vars, pg_vars, floor_vars = {
        "Q1": ({"id": contact}, {"id": fx.contact_id}, {"contact_id": contact}),
        "Q2": ({"id": account}, {"id": fx.account_id}, {"account_id": account}),
        "Q3": ({"territory": territory}, {"territory": fx.territory_id},
               {"territory_id": territory}),
        "Q4": ({"id": ID, "version": VERSION, "firstName": NAME}, {"id": ID, "firstName": NAME},
               {"contact_id": ID, "version": VERSION, "first_name": NAME}),
        "Q5": ({"id": timeline}, {"id": fx.timeline_account_id}, {"account_id": timeline}),
        "Q6": ({"tier": Q6_TIER}, {"customFields": tier}, {"tier": Q6_TIER}),
    }[question]
    peer_vars = {peer: pg_vars for peer in PEERS}
    if question == "Q6":
        # PostGraphile 4 takes and gives JSON as a string unless started with --dynamic-json.
        peer_vars["postgraphile"] = {"customFields": json.dumps(tier)}
    others = fx.lookups if question == "Q1" else ()
    return {
        "crm": Request("/graphql", _template(_graphql(CRM[question], crm_vars)), True,
                       tuple(_graphql(CRM[question], {"id": to_global_id("Contact", c)})
                             for c in others)),
        **{peer: Request("/graphql", _graphql(queries[question], peer_vars[peer]), False,
                         tuple(_graphql(queries[question], {"id": c}) for c in others))
           for peer, queries in PEERS.items()},
        "floor": Request("/" + question.lower(), _template(json.dumps(floor_vars)), False,
                         tuple(json.dumps({"contact_id": to_global_id("Contact", c)})
                               for c in others)),
    }


def pool_key(server: str, contact_id: str) -> str:
    """How a server names a contact in Q4: a global id, or PostGraphile's raw uuid."""
    return contact_id if server in PEERS else to_global_id("Contact", contact_id)


def fill(body: str, key: str, version: int, name: str) -> str:
    """A concrete Q4 body, as update.lua would send it."""
    return body.replace(ID, key).replace(VERSION, str(version)).replace(NAME, name)
