"""The review queue: filled by the worker's rescan of changed records and by the full scan,
paged by keyset, read per role, and left for good by a dismissed pair."""

from __future__ import annotations

import itertools

import pytest

from api.cli_duplicates import run_scan
from api.duplicate_jobs import rescan_duplicates
from api.worker import JobContext
from tests.api.test_duplicates import _pair

_n = itertools.count(1)

QUEUE = """query($type: DuplicateType!, $first: Int!, $after: String) {
  duplicateCandidates(type: $type, first: $first, after: $after) {
    edges { cursor node { score reasons a { id } b { id } } }
    pageInfo { hasNextPage endCursor } } }"""
DISMISS = """mutation($a: ID!, $b: ID!) { duplicateDismiss(input: {a: $a, b: $b}) {
  dismissed errors { code } } }"""
CREATE_ACCOUNT = """mutation($input: AccountCreateInput!) { accountCreate(input: $input) {
  account { id } errors { code } } }"""
ARCHIVE = """mutation($input: ArchiveInput!) { contactArchive(input: $input) {
  contact { id } errors { code } } }"""
ACCOUNT_DUPLICATES = """query($id: ID!) { duplicates(recordId: $id) { reasons record { id } } }"""
RENAME = """mutation($input: ContactUpdateInput!) { contactUpdate(input: $input) {
  contact { id } errors { code } } }"""


@pytest.fixture
def job(app, clock):
    return lambda: rescan_duplicates(JobContext(app.state.engine, clock))


async def _queue(gql, role: str = "admin", kind: str = "CONTACT") -> list[tuple]:
    """Every pair of the queue, walked page by page, as ({a, b}, score, reasons)."""
    pairs, after = [], None
    while True:
        page = (await gql.ok(role, QUEUE, {"type": kind, "first": 50, "after": after})
                )["duplicateCandidates"]
        pairs += [({e["node"]["a"]["id"], e["node"]["b"]["id"]}, e["node"]["score"],
                   e["node"]["reasons"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return pairs
        after = page["pageInfo"]["endCursor"]


async def test_rescan_job_queues_the_pairs_of_changed_contacts(gql, job):
    # given the job's cursor past what earlier tests wrote
    await job()
    # when a second card of someone is created, and the job runs
    first, second = await _pair(gql)
    await job()
    # then the queue holds the pair, with its reasons
    found = [p for p in await _queue(gql) if p[0] == {first, second}]
    assert len(found) == 1 and found[0][1] >= 0.95
    assert found[0][2] == ["SAME_EMAIL", "SAME_PHONE", "SIMILAR_NAME"]


async def test_rescan_job_drops_a_pair_that_no_longer_matches(gql, job):
    await job()
    first, second = await _pair(gql)
    await job()
    # when the second card becomes someone else entirely
    await gql.ok("admin", RENAME, {"input": {"id": second, "version": 1, "firstName": "Olga",
                                             "lastName": "Tran", "emails": [], "phones": []}})
    await job()
    assert [p for p in await _queue(gql) if p[0] == {first, second}] == []


async def test_duplicate_candidates_pages_by_keyset_best_first(gql, job):
    await job()
    for _ in range(3):
        await _pair(gql)
    await job()
    # when the queue is read one pair at a time
    seen, after = [], None
    for _ in range(3):
        page = (await gql.ok("admin", QUEUE, {"type": "CONTACT", "first": 1, "after": after})
                )["duplicateCandidates"]
        seen.append(page["edges"][0]["node"]["score"])
        after = page["pageInfo"]["endCursor"]
    # then each page continues where the last ended, scores never rising
    assert seen == sorted(seen, reverse=True) and page["pageInfo"]["hasNextPage"]
    assert len({e[0] for e in [tuple(sorted(p[0])) for p in await _queue(gql)]}) > 0


async def test_duplicate_candidates_denied_to_a_role_that_may_not_read_emails(gql):
    result = await gql("analyst", QUEUE, {"type": "CONTACT", "first": 5})
    assert result.error_codes() == ["FORBIDDEN"]
    assert (await gql.ok("analyst", QUEUE, {"type": "ACCOUNT", "first": 5}))


async def test_duplicate_candidates_shows_a_partner_only_pairs_it_may_read(gql, job):
    await job()
    first, second = await _pair(gql)  # admin's records, reached by no partner
    await job()
    assert {first, second} not in [p[0] for p in await _queue(gql, "partner")]


async def test_a_dismissed_pair_leaves_the_queue_and_no_scan_brings_it_back(
        gql, job, database_url):
    await job()
    first, second = await _pair(gql)
    await job()
    await gql.ok("admin", DISMISS, {"a": first, "b": second})
    await run_scan(database_url, ["contacts"])
    assert [p for p in await _queue(gql) if p[0] == {first, second}] == []


async def test_full_scan_queues_accounts_of_one_domain(gql, database_url):
    n = next(_n)
    made = []
    for name in (f"Queue Widgets {n} GmbH", f"Queue Widgets {n}"):
        data = await gql.ok("admin", CREATE_ACCOUNT, {"input": {
            "name": name, "website": f"https://queue{n}-test.de", "allowDuplicate": True}})
        made.append(data["accountCreate"]["account"]["id"])
    results = await run_scan(database_url, ["contacts", "accounts"])
    assert [r.type_name for r in results] == ["Contact", "Account"]
    found = [p for p in await _queue(gql, kind="ACCOUNT") if p[0] == set(made)]
    assert found and found[0][2] == ["SAME_DOMAIN", "SIMILAR_NAME"]


async def test_rescan_job_drops_the_pairs_of_an_archived_contact(gql, job):
    await job()
    first, second = await _pair(gql)
    await job()
    await gql.ok("admin", ARCHIVE, {"input": {"id": second, "version": 1}})
    await job()
    assert [p for p in await _queue(gql) if p[0] == {first, second}] == []


async def test_duplicates_of_an_account_name_its_twin(gql):
    n = next(_n)
    made = []
    for name in (f"Twin Widgets {n} AG", f"Twin Widgets {n}"):
        data = await gql.ok("admin", CREATE_ACCOUNT, {"input": {
            "name": name, "website": f"https://www.twin{n}-test.ch", "allowDuplicate": True}})
        made.append(data["accountCreate"]["account"]["id"])
    found = (await gql.ok("admin", ACCOUNT_DUPLICATES, {"id": made[0]}))["duplicates"]
    assert [(c["record"]["id"], c["reasons"]) for c in found] == [
        (made[1], ["SAME_DOMAIN", "SIMILAR_NAME"])]
