"""The aggregates of the lists through HTTP, as each role: figures worked out by hand on
records made for each test, the record rules and the field policy, and the arguments refused.

Each known set lives on records of its own (a new account, product, contact or territory, or
a unique last name), which the aggregate's filter picks, so other tests' records never count.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import pytest

from api.schema.ids import from_global_id, to_global_id
from persistence import aggregates
from tests.api.cases_setup import CREATE as CASE_CREATE
from tests.api.cases_setup import ok_payload
from tests.api.cases_setup import product as new_product
from tests.api.test_limits import locked
from tests.databases import insert_order
from tests.demo import CUSTOMER, SALES2_USER, SALES_USER
from tests.graphql import GraphQLClient

ROLES = ("admin", "sales", "marketing", "service", "analyst", "partner", "customer")
STAGES = """{ pipelines { nodes { stages { id name } } } }"""
DEAL = """mutation($input: OpportunityCreateInput!) { opportunityCreate(input: $input) {
  opportunity { id } errors { field code message } } }"""
TERRITORY = """mutation($input: TerritoryInput!) { territorySave(input: $input) {
  territory { id } errors { field code } } }"""
ARCHIVE = """mutation($input: ArchiveInput!) { contactArchive(input: $input) {
  contact { id } errors { code } } }"""
WON_PER_OWNER_PER_MONTH = """query($account: ID!, $won: ID!) {
  opportunitiesAggregate(filter: {account: {eq: $account}, stage: {eq: $won}},
                         groupBy: [{field: OWNER}, {field: CLOSED_AT, interval: MONTH}],
                         numbers: [AMOUNT]) {
    totalCount groupCount truncated
    groups { keys { field interval value } count numbers { field sum avg min max } } } }"""
CASES_PER_PRIORITY_PER_WEEK = """query($product: ID!) {
  casesAggregate(filter: {product: {eq: $product}},
                 groupBy: [{field: PRIORITY}, {field: OPENED_AT, interval: WEEK}]) {
    totalCount groups { keys { value } count } } }"""
CONTACTS_PER_TERRITORY = """query($name: String!, $archived: Boolean! = false) {
  contactsAggregate(filter: {lastName: {startsWith: $name}}, groupBy: [{field: TERRITORY}],
                    includeArchived: $archived) {
    totalCount groupCount truncated groups { keys { field value } count } } }"""
ORDER_TOTALS = """query($contact: ID!) {
  ordersAggregate(filter: {contact: {eq: $contact}}, numbers: [TOTAL, DISCOUNT_TOTAL]) {
    totalCount groups { keys { value } count numbers { field sum avg min max } } } }"""
GROUPED = """query($by: [ContactGroupBy!]) { contactsAggregate(groupBy: $by) { totalCount } }"""
NO_CONTACT = to_global_id("Contact", uuid.uuid4())
_serial = itertools.count(1)


def _uuid(global_id: str) -> uuid.UUID:
    return from_global_id(global_id)[1]


# --- Figures worked out by hand -----------------------------------------------------------

@pytest.fixture
async def deals_won(gql, clock_gql, clock, factories):
    """A new account's deals, closed at known moments in 2031 (EUR):

    sales   won 1000 on 10 Jan, won 500 on 20 Jan, won 300 on 3 Feb, lost 900 on 12 Jan,
            and 400 still open;
    sales2  won 700 on 15 Jan.
    """
    stages = {s["name"]: s["id"] for s in (await gql.ok("admin", STAGES))["pipelines"]["nodes"][0]
              ["stages"]}
    account = (await factories.account())["id"]
    deals = [(SALES_USER, "Closed won", "1000", datetime(2031, 1, 10, 9)),
             (SALES_USER, "Closed won", "500", datetime(2031, 1, 20, 23, 30)),
             (SALES_USER, "Closed won", "300", datetime(2031, 2, 3, 0, 15)),
             (SALES_USER, "Closed lost", "900", datetime(2031, 1, 12, 9)),
             (SALES_USER, "Proposal", "400", datetime(2031, 1, 5, 9)),
             (SALES2_USER, "Closed won", "700", datetime(2031, 1, 15, 9))]
    for owner, stage, amount, at in deals:
        clock.set(at.replace(tzinfo=UTC))
        await ok_payload(clock_gql, "admin", DEAL, {"input": {
            "account": account, "name": f"{stage} {amount}", "amount": amount,
            "currency": "EUR", "stage": stages[stage], "owner": owner,
            "closeReason": "Price"}}, "opportunityCreate")
    return account, stages["Closed won"]


async def test_deals_won_per_owner_per_month_with_their_sum(gql, deals_won):
    # given the deals won on a new account, by two owners over two months
    account, won = deals_won
    # when the analyst counts them per owner and month, adding up their amounts
    result = (await gql.ok("analyst", WON_PER_OWNER_PER_MONTH, {"account": account, "won": won})
              )["opportunitiesAggregate"]
    # then each owner's month holds its wins, in the order of the owners' ids and the months
    figures = {SALES_USER: [("2031-01-01", 2, "1500.00", "750.0000", "500.00", "1000.00"),
                            ("2031-02-01", 1, "300.00", "300.0000", "300.00", "300.00")],
               SALES2_USER: [("2031-01-01", 1, "700.00", "700.0000", "700.00", "700.00")]}
    expected = [
        {"keys": [{"field": "OWNER", "interval": None, "value": owner},
                  {"field": "CLOSED_AT", "interval": "MONTH", "value": month}],
         "count": count,
         "numbers": [{"field": "AMOUNT", "sum": total, "avg": avg, "min": low, "max": high}]}
        for owner in sorted(figures, key=_uuid)
        for month, count, total, avg, low, high in figures[owner]]
    assert result == {"totalCount": 4, "groupCount": 3, "truncated": False, "groups": expected}


@pytest.fixture
async def cases_opened(clock_gql, clock):
    """A new product's cases, opened in known ISO weeks of 2031 (weeks start on Monday):

    week of Mon 6 Jan: HIGH on Mon 06:00, HIGH on Sun 12 Jan 23:59, LOW on Wed;
    week of Mon 13 Jan: HIGH on Mon 13 Jan 00:00, URGENT on Fri.
    """
    item = await new_product(clock_gql)
    opened = [("HIGH", datetime(2031, 1, 6, 6)), ("HIGH", datetime(2031, 1, 12, 23, 59)),
              ("LOW", datetime(2031, 1, 8, 12)), ("HIGH", datetime(2031, 1, 13, 0, 0)),
              ("URGENT", datetime(2031, 1, 17, 15))]
    for priority, at in opened:
        clock.set(at.replace(tzinfo=UTC))
        await ok_payload(clock_gql, "service", CASE_CREATE, {"input": {
            "subject": "Aggregate", "contact": CUSTOMER, "product": item,
            "priority": priority}}, "caseCreate")
    return item


async def test_cases_per_priority_per_week(gql, cases_opened):
    # when service counts the product's cases per priority and ISO week (UTC)
    result = (await gql.ok("service", CASES_PER_PRIORITY_PER_WEEK, {"product": cases_opened})
              )["casesAggregate"]
    # then each priority's weeks hold its cases, priorities by name, weeks in time
    assert [([k["value"] for k in g["keys"]], g["count"]) for g in result["groups"]] == [
        (["HIGH", "2031-01-06"], 2), (["HIGH", "2031-01-13"], 1),
        (["LOW", "2031-01-06"], 1), (["URGENT", "2031-01-13"], 1)]
    assert result["totalCount"] == 5


@pytest.fixture
async def contacts_in_territories(gql, factories):
    """Contacts with a last name of their own: three in a new territory, two in another,
    one in none, and one in the first that is archived."""
    name = f"Aggregated{next(_serial):04d}"
    territories = []
    for i in range(2):
        payload = (await gql.ok("admin", TERRITORY, {"input": {"name": f"{name} {i}"}})
                   )["territorySave"]
        territories.append(payload["territory"]["id"])
    first, second = territories
    for territory in (first, first, first, second, second, None):
        await factories.contact(lastName=f"{name} {next(_serial)}", territory=territory)
    archived = await factories.contact(lastName=f"{name} archived", territory=first)
    gone = await gql.ok("admin", ARCHIVE, {"input": {"id": archived["id"],
                                                     "version": archived["version"]}})
    assert gone["contactArchive"]["errors"] == []
    return name, first, second


async def test_contacts_per_territory(gql, contacts_in_territories):
    # given live contacts in two territories and in none, and an archived one
    name, first, second = contacts_in_territories
    # when sales counts them per territory
    result = (await gql.ok("sales", CONTACTS_PER_TERRITORY, {"name": name})
              )["contactsAggregate"]
    # then each territory holds its live contacts, and those in none come last
    counts = {first: 3, second: 2}
    expected = [(t, counts[t]) for t in sorted(counts, key=_uuid)] + [(None, 1)]
    assert [(g["keys"][0]["value"], g["count"]) for g in result["groups"]] == expected
    assert (result["totalCount"], result["groupCount"], result["truncated"]) == (6, 3, False)
    # and with the archived ones asked for, the archived contact counts in its territory
    with_archived = (await gql.ok("sales", CONTACTS_PER_TERRITORY, {
        "name": name, "archived": True}))["contactsAggregate"]
    assert dict((g["keys"][0]["value"], g["count"]) for g in with_archived["groups"])[first] == 4


async def test_groups_past_the_limit_are_counted_and_reported_cut_off(
        gql, contacts_in_territories, monkeypatch):
    # given a limit of two groups
    name, _, _ = contacts_in_territories
    monkeypatch.setattr(aggregates, "MAX_GROUPS", 2)
    # when three groups match
    result = (await gql.ok("admin", CONTACTS_PER_TERRITORY, {"name": name}))["contactsAggregate"]
    # then two come back, and the answer says how many there were and how many records
    assert (len(result["groups"]), result["groupCount"], result["truncated"],
            result["totalCount"]) == (2, 3, True, 6)


@pytest.fixture
async def contact_with_orders(factories, database_url):
    """A new contact with three orders of known totals, and an archived one."""
    contact = (await factories.contact())["id"]
    conn = await asyncpg.connect(database_url)
    try:
        for total, discount, archived in (("100.00", "0", None), ("250.50", "9.50", None),
                                          ("49.50", "0.50", None),
                                          ("9999.00", "0", datetime.now(UTC))):
            await insert_order(conn, _uuid(contact), datetime.now(UTC), Decimal(total),
                               status="CONFIRMED", discount=Decimal(discount),
                               archived_at=archived)
    finally:
        await conn.close()
    return contact


async def test_orders_avg_min_and_max_total(gql, contact_with_orders):
    # when sales adds up the contact's orders, without grouping them
    result = (await gql.ok("sales", ORDER_TOTALS, {"contact": contact_with_orders})
              )["ordersAggregate"]
    # then one group holds the live orders with their figures, in the order asked for
    assert result == {"totalCount": 3, "groups": [{"keys": [], "count": 3, "numbers": [
        {"field": "TOTAL", "sum": "400.00", "avg": "133.3333", "min": "49.50", "max": "250.50"},
        {"field": "DISCOUNT_TOTAL", "sum": "10.00", "avg": "3.3333", "min": "0.00",
         "max": "9.50"}]}]}


async def test_no_record_is_one_empty_group(gql):
    # when nothing matches and nothing is grouped
    result = (await gql.ok("admin", ORDER_TOTALS, {"contact": NO_CONTACT}))["ordersAggregate"]
    # then the one group counts nothing, and its figures are null
    assert result == {"totalCount": 0, "groups": [{"keys": [], "count": 0, "numbers": [
        {"field": "TOTAL", "sum": None, "avg": None, "min": None, "max": None},
        {"field": "DISCOUNT_TOTAL", "sum": None, "avg": None, "min": None, "max": None}]}]}


# --- Record rules and field policy ----------------------------------------------------------

@pytest.mark.parametrize("plural", ["contacts", "accounts", "opportunities", "orders", "cases"])
async def test_each_role_counts_the_records_its_list_shows(gql, plural):
    # given each role, a partner and a customer included (whose rules reach few or no records)
    for role in ROLES:
        # when it counts the type's records and lists them in one request
        data = await gql.ok(role, "{ %s(first: 1) { totalCount } %sAggregate { totalCount "
                                  "groups { count } } }" % (plural, plural))
        # then the aggregate counts exactly what the list shows
        listed = data[plural]["totalCount"]
        assert data[f"{plural}Aggregate"] == {"totalCount": listed,
                                              "groups": [{"count": listed}]}, role


async def test_a_partner_counts_only_its_registered_records(gql):
    # when the demo partner and the admin count contacts, accounts and deals
    for plural in ("contacts", "accounts", "opportunities"):
        query = "{ %sAggregate { totalCount } }" % plural
        partner = (await gql.ok("partner", query))[f"{plural}Aggregate"]["totalCount"]
        other = (await gql.ok("other_partner", query))[f"{plural}Aggregate"]["totalCount"]
        everyone = (await gql.ok("admin", query))[f"{plural}Aggregate"]["totalCount"]
        # then each partner counts some, and fewer than there are
        assert 0 < partner < everyone and 0 < other < everyone, plural


async def test_a_partner_counts_its_deals_by_pipeline_as_its_list_filters_them(gql):
    # when the partner groups its deals by pipeline and adds up their amounts
    data = await gql.ok("partner", """{ opportunities(first: 1) { totalCount }
      opportunitiesAggregate(groupBy: [{field: PIPELINE}], numbers: [AMOUNT]) {
        totalCount groups { keys { value } count } } }""")
    groups = data["opportunitiesAggregate"]["groups"]
    # then its groups hold exactly its own deals
    assert sum(g["count"] for g in groups) == data["opportunities"]["totalCount"] > 0
    for group in groups:
        pipeline = group["keys"][0]["value"]
        listed = await gql.ok("partner", "query($p: ID!) { opportunities(first: 1, filter: "
                                         "{pipeline: {eq: $p}}) { totalCount } }", {"p": pipeline})
        assert listed["opportunities"]["totalCount"] == group["count"]


# One grouped or added-up field per aggregate, and who may read it (auth/policy.py): every
# other role gets FORBIDDEN, as a filter on that field would.
GUARDED = {
    "contactsAggregate(groupBy: [{field: OWNER}])":
        ("admin", "sales", "marketing", "service", "analyst"),
    "contactsAggregate(numbers: [LEAD_SCORE])":
        ("admin", "sales", "marketing", "service", "analyst"),
    "accountsAggregate(groupBy: [{field: TIER}])":
        ("admin", "sales", "marketing", "service", "analyst"),
    "accountsAggregate(groupBy: [{field: INDUSTRY}])": ROLES,
    "opportunitiesAggregate(groupBy: [{field: OWNER}])":
        ("admin", "sales", "marketing", "service", "analyst"),
    "opportunitiesAggregate(numbers: [AMOUNT])": ("admin", "sales", "analyst", "partner"),
    "opportunitiesAggregate(groupBy: [{field: CLOSED_AT, interval: QUARTER}])":
        ("admin", "sales", "marketing", "service", "analyst", "partner"),
    "ordersAggregate(groupBy: [{field: STATUS}], numbers: [TOTAL])":
        ("admin", "sales", "marketing", "service", "analyst", "customer"),
    "casesAggregate(groupBy: [{field: PRIORITY}, {field: OPENED_AT, interval: DAY}])":
        ("admin", "sales", "service", "analyst", "partner", "customer"),
    "casesAggregate(numbers: [TIME_SPENT_MINUTES])": ("admin", "sales", "service", "analyst"),
}


@pytest.mark.parametrize("call", list(GUARDED))
async def test_grouping_or_adding_up_a_field_needs_read_access_to_it(gql, call):
    for role in ROLES:
        # when each role asks
        result = await gql(role, "{ %s { totalCount } }" % call)
        # then those who read the field are answered, the others refused before any SQL
        if role in GUARDED[call]:
            assert result.errors == [], (role, result.errors)
        else:
            assert result.error_codes() == ["FORBIDDEN"], (role, result.body)
            assert result.data is None


async def test_a_filter_on_a_field_the_role_may_not_read_is_refused_as_in_the_list(gql):
    # when a partner filters contacts on their owner, which it may not read
    query = "query($u: ID!) { %s(filter: {owner: {eq: $u}}) { totalCount } }"
    aggregate = await gql("partner", query % "contactsAggregate", {"u": SALES_USER})
    listed = await gql("partner", query % "contacts", {"u": SALES_USER})
    # then both refuse it the same way
    assert aggregate.error_codes() == listed.error_codes() == ["FORBIDDEN"]
    assert aggregate.errors[0]["extensions"] == listed.errors[0]["extensions"]


# --- Arguments refused --------------------------------------------------------------------

@pytest.mark.parametrize("group_by, argument", [
    ([{"field": "OWNER", "interval": "MONTH"}], "groupBy[0].interval"),
    ([{"field": "OWNER"}, {"field": "CREATED_AT"}], "groupBy[1].interval"),
    ([{"field": "OWNER"}, {"field": "TERRITORY"}, {"field": "LIFECYCLE_STAGE"},
      {"field": "CREATED_AT", "interval": "YEAR"}], "groupBy"),
    ([{"field": "OWNER"}, {"field": "OWNER"}], "groupBy[1].field"),
], ids=["interval-on-a-reference", "no-interval-on-a-moment", "four-fields", "twice"])
async def test_groupings_that_cannot_be_computed_are_invalid(gql, group_by, argument):
    # when the admin groups so
    result = await gql("admin", GROUPED, {"by": group_by})
    # then nothing runs, and the error names the argument at fault
    assert result.error_codes() == ["INVALID"]
    assert result.errors[0]["extensions"]["argument"] == argument


async def test_three_fields_are_allowed(gql):
    data = await gql.ok("admin", GROUPED, {"by": [
        {"field": "OWNER"}, {"field": "TERRITORY"}, {"field": "CREATED_AT", "interval": "YEAR"}]})
    assert data["contactsAggregate"]["totalCount"] > 0


# --- Cost -------------------------------------------------------------------------------------

async def test_an_aggregate_costs_the_groups_it_may_return(client_with, tokens):
    # given a limit of 1,500 records a query
    async with client_with(crm_max_query_cost=1500) as http:
        gql = GraphQLClient(http, tokens)
        grouped = "a: contactsAggregate(groupBy: [{field: OWNER}]) { totalCount }"
        # then one grouped aggregate (up to 1,000 groups) passes, and ungrouped ones cost one
        assert (await gql("admin", "{ %s b: contactsAggregate { totalCount } }" % grouped)
                ).errors == []
        # and a second grouped one is refused before anything runs
        refused = await gql("admin", "{ %s %s }" % (grouped, grouped.replace("a:", "b:")))
        assert refused.errors[0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "cost": 2000,
                                                   "limit": 1500}


async def test_an_aggregate_over_the_timeout_answers_TIMEOUT(client_with, tokens, database_url):
    # given a table another transaction holds locked, and a short statement timeout
    async with (client_with(crm_statement_timeout_ms=300) as http,
                locked(database_url, "contact")):
        # when the admin aggregates over it
        result = await GraphQLClient(http, tokens)("admin", GROUPED, {"by": [{"field": "OWNER"}]})
    # then PostgreSQL cancels the statement, and the answer says so at the aggregate's path
    assert result.status == 200 and result.data is None
    assert result.error_codes() == ["TIMEOUT"]
    assert result.errors[0]["path"] == ["contactsAggregate"]
