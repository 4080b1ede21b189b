"""`crm seed --contacts N` makes leads and survey responses that the funnel and the customer
KPIs count, and `crm seed --leads-and-surveys-only` adds the same ones to a database seeded
before they were part of the seed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from domain.ids import to_global_id
from persistence.seed.bulk import seed_bulk
from persistence.seed.bulk_backfill import seed_leads_and_surveys
from persistence.seed.bulk_leads import SOURCES
from persistence.seed.demo import BASE_TIME
from tests.databases import own_database
from tests.graphql import graphql_over

CRM = str(Path(sys.executable).parent / "crm")
CONTACTS = 2_000
SEED = 42
HISTORY = 'from: "2023-01-01", to: "2026-01-05"'
FUNNEL = f"""query($g: FunnelGroup) {{ funnel({HISTORY}, groupBy: $g)
  {{ key steps {{ step count medianDays }} }} }}"""
KPIS = """query($g: [KpiGroup!]) { customerKpis(from: "2023-01-01", to: "2025-12-31",
  interval: YEAR, groupBy: $g) { periodStart key responses nps npsResponses csat csatResponses
  ces cesResponses servqualResponses servqualGaps { dimension gap } } }"""
# What a seed made before leads and surveys were part of it: its rows without them.
STRIP_LEADS_AND_SURVEYS = """
CREATE TEMP TABLE lead_deal AS
  SELECT converted_opportunity_id AS id FROM lead WHERE converted_opportunity_id IS NOT NULL;
DELETE FROM audit_entry WHERE record_type = 'Lead';
DELETE FROM lead;
DELETE FROM opportunity_contact WHERE opportunity_id IN (SELECT id FROM lead_deal);
DELETE FROM opportunity_stage_change WHERE opportunity_id IN (SELECT id FROM lead_deal);
DELETE FROM opportunity WHERE id IN (SELECT id FROM lead_deal);
DELETE FROM survey_response;
DELETE FROM survey_invitation;
DELETE FROM survey;
"""
ADDED_TABLES = ("lead", "audit_entry", "opportunity", "opportunity_stage_change",
                "opportunity_contact", "survey", "survey_invitation", "survey_response")
TABLE_HASH = "SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t.id)) FROM {table} t"
# A converted lead became its contact when the contact was created, at the contact's account,
# and the deal it opened is new business there, from the conversion on.
MISPLACED_CONVERSIONS = """
SELECT count(*) FROM lead l JOIN contact c ON c.id = l.converted_contact_id
LEFT JOIN opportunity o ON o.id = l.converted_opportunity_id
WHERE l.status <> 'CONVERTED' OR l.converted_at <> c.created_at OR l.created_at > l.converted_at
   OR NOT EXISTS (SELECT 1 FROM account_contact ac WHERE ac.contact_id = c.id
                  AND ac.account_id = l.converted_account_id)
   OR o.account_id <> l.converted_account_id OR o.source <> 'LEAD'
   OR o.created_at <> l.converted_at
"""
# Each status a lead holds is the one its audit trail ends in, made by its owner, in order.
UNTRACED_STATUSES = """
SELECT count(*) FROM lead l
LEFT JOIN LATERAL (SELECT e.changes -> 'status' ->> 'after' AS status, e.created_at, e.created_by
                   FROM audit_entry e WHERE e.record_id = l.id
                   ORDER BY e.created_at DESC, e.id DESC LIMIT 1) last_entry ON true
WHERE (l.status = 'CONVERTED') <> (l.converted_at IS NOT NULL)
   OR l.created_at > $1 OR l.updated_at > $1 OR l.version <> 1 + (
       SELECT count(*) FROM audit_entry e WHERE e.record_id = l.id)
   OR (l.status IN ('QUALIFIED', 'DISQUALIFIED', 'CONVERTED')
       AND (last_entry.status IS DISTINCT FROM l.status OR last_entry.created_at < l.created_at
            OR last_entry.created_by <> 'User:' || l.owner_id::text))
   OR (l.status IN ('NEW', 'WORKING') AND last_entry.status IS NOT NULL)
"""
RESPONSES = """
SELECT count(*) AS responses, count(DISTINCT s.kind) AS kinds,
       count(*) FILTER (WHERE r.responded_at < c.created_at OR r.responded_at > $1) AS misplaced,
       count(*) FILTER (WHERE r.channel = 'LINK') AS linked,
       count(*) FILTER (WHERE i.status = 'RESPONDED' AND i.responded_at = r.responded_at
                        AND i.contact_id = r.contact_id) AS answered_invitations,
       count(*) FILTER (WHERE s.kind = 'SERVQUAL' AND jsonb_array_length(r.answers) = 10
                        AND NOT jsonb_path_exists(r.answers,
                            '$[*] ? (!(exists(@.dimension)) || !(exists(@.aspect)))'))
           AS servqual_whole,
       count(*) FILTER (WHERE s.kind = 'SERVQUAL') AS servqual,
       count(*) FILTER (WHERE r.comment IS NOT NULL) AS comments
FROM survey_response r JOIN survey s ON s.id = r.survey_id JOIN contact c ON c.id = r.contact_id
LEFT JOIN survey_invitation i ON i.id = r.invitation_id
"""


@pytest.fixture(scope="module")
def seeded(server_url):
    """A database seeded anew, and one seeded alike whose leads and surveys were removed and
    added back by --leads-and-surveys-only; dropped at the end."""
    with (own_database(server_url, "crm_test_seed_leads", migrated=True) as fresh,
          own_database(server_url, "crm_test_seed_leads", migrated=True) as backfilled):
        seed_bulk(fresh, CONTACTS, seed=SEED)
        seed_bulk(backfilled, CONTACTS, seed=SEED)
        asyncio.run(_execute(backfilled, STRIP_LEADS_AND_SURVEYS))
        added = seed_leads_and_surveys(backfilled, seed=SEED)
        yield fresh, backfilled, added


async def _execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
async def db(seeded):
    conn = await asyncpg.connect(seeded[0])
    yield conn
    await conn.close()


@pytest.fixture(scope="module")
async def gql(seeded, settings, principals):
    async with graphql_over(settings, seeded[0], principals) as client:
        yield client


def _steps(group: dict) -> dict[str, int]:
    return {step["step"]: step["count"] for step in group["steps"]}


async def test_seed_bulk_leads_reach_every_funnel_step(gql):
    # when the admin asks for the funnel over the seeded history
    data = await gql.ok("admin", FUNNEL)
    # then every step is reached, in realistic proportions
    steps = _steps(data["funnel"][0])
    assert list(steps) == ["LEAD", "QUALIFIED", "CONVERTED", "OPPORTUNITY", "WON"]
    assert 0.4 * CONTACTS < steps["LEAD"] < 0.6 * CONTACTS
    assert 0.2 < steps["QUALIFIED"] / steps["LEAD"] < 0.45
    assert 0.08 < steps["CONVERTED"] / steps["LEAD"] < 0.22
    assert 0.7 < steps["OPPORTUNITY"] / steps["CONVERTED"] < 0.95
    assert 0.15 < steps["WON"] / steps["OPPORTUNITY"] < 0.5
    assert all(step["medianDays"] >= 0 for step in data["funnel"][0]["steps"][1:])


async def test_seed_bulk_leads_come_from_every_source_and_qualify_differently(gql):
    data = await gql.ok("admin", FUNNEL, {"g": "SOURCE"})
    by_source = {group["key"]: _steps(group) for group in data["funnel"]}
    assert set(by_source) == set(SOURCES)
    assert all(steps["CONVERTED"] > 0 for steps in by_source.values())
    # referrals qualify far better than bought lists
    rate = {source: steps["QUALIFIED"] / steps["LEAD"] for source, steps in by_source.items()}
    assert rate["REFERRAL"] > 2 * rate["IMPORT"]


async def test_seed_bulk_leads_are_owned_by_sales_users_in_their_contacts_territories(gql, db):
    # when the funnel is split by owner and by territory
    owners = {g["key"] for g in (await gql.ok("admin", FUNNEL, {"g": "OWNER"}))["funnel"]}
    territories = {g["key"] for g in
                   (await gql.ok("admin", FUNNEL, {"g": "TERRITORY"}))["funnel"]}
    # then sales users own them, but for new leads nobody has taken yet
    sales = {to_global_id("User", r["id"])
             for r in await db.fetch("SELECT id FROM app_user WHERE role = 'sales'")}
    assert None in owners and owners - {None} == sales
    # and they lie in the territories the contacts do
    assert territories == {to_global_id("Territory", r["territory_id"]) for r in await db.fetch(
        "SELECT DISTINCT territory_id FROM contact")}


async def test_seed_bulk_funnel_is_read_by_staff_and_refused_to_customers(gql):
    everyone = (await gql.ok("admin", FUNNEL))["funnel"]
    assert (await gql.ok("analyst", FUNNEL))["funnel"] == everyone
    result = await gql("customer", FUNNEL)
    assert result.errors and not result.data


async def test_seed_bulk_customer_kpis_have_scores_every_year(gql):
    data = await gql.ok("admin", KPIS)
    periods = data["customerKpis"]
    assert [p["periodStart"] for p in periods] == ["2023-01-01", "2024-01-01", "2025-01-01"]
    for period in periods:
        assert period["npsResponses"] > 0 and period["csatResponses"] > 0, period
        assert period["cesResponses"] > 0 and period["servqualResponses"] > 0, period
        assert 0 < period["nps"] < 70 and 50 < period["csat"] <= 100 and 4 < period["ces"] < 7
        assert len(period["servqualGaps"]) == 5
    assert 0.15 * CONTACTS < sum(p["responses"] for p in periods) < 0.25 * CONTACTS


async def test_seed_bulk_customer_kpis_group_by_the_source_of_converted_leads(gql):
    data = await gql.ok("admin", KPIS, {"g": ["SOURCE"]})
    keys = {row["key"] for row in data["customerKpis"]}
    assert None in keys and keys - {None} <= set(SOURCES) and len(keys - {None}) >= 3


async def test_seed_bulk_conversions_name_the_contact_account_and_deal(db):
    assert await db.fetchval(MISPLACED_CONVERSIONS) == 0
    assert await db.fetchval("SELECT count(*) FROM lead WHERE status = 'CONVERTED'") > 0


async def test_seed_bulk_lead_statuses_follow_their_audit_trail(db):
    assert await db.fetchval(UNTRACED_STATUSES, BASE_TIME) == 0
    statuses = {r["status"] for r in await db.fetch("SELECT DISTINCT status FROM lead")}
    assert statuses == {"NEW", "WORKING", "QUALIFIED", "DISQUALIFIED", "CONVERTED"}
    # generated history is no change for the change feed's consumers to hear of
    assert await db.fetchval("SELECT count(*) FROM change_event") == 0


async def test_seed_bulk_survey_responses_are_whole_and_in_the_contacts_lives(db):
    row = await db.fetchrow(RESPONSES, BASE_TIME)
    assert row["kinds"] == 4 and row["misplaced"] == 0
    assert row["linked"] == row["answered_invitations"] > 0
    assert row["servqual"] == row["servqual_whole"] > 0
    assert 0.2 * row["responses"] < row["comments"] < 0.4 * row["responses"]


async def test_seed_leads_and_surveys_only_adds_what_the_seed_makes(seeded):
    # given a database seeded with leads and one whose leads and surveys were added later
    fresh, backfilled, added = seeded
    digests = []
    for url in (fresh, backfilled):
        conn = await asyncpg.connect(url)
        try:
            digests.append({t: tuple(await conn.fetchrow(TABLE_HASH.format(table=t)))
                            for t in ADDED_TABLES})
        finally:
            await conn.close()
    # then both hold the same rows, and what was added is what was missing
    assert digests[0] == digests[1]
    assert added["lead"] == digests[0]["lead"][0] and added["survey"] == 4
    assert 0 < added["opportunity"] < digests[0]["opportunity"][0]


async def test_seed_leads_and_surveys_only_refuses_a_database_with_leads(seeded, db):
    before = await db.fetchval("SELECT count(*) FROM lead")
    with pytest.raises(SystemExit, match="already holds leads"):
        await asyncio.to_thread(seed_leads_and_surveys, seeded[0], seed=SEED)
    assert await db.fetchval("SELECT count(*) FROM lead") == before


def test_seed_leads_and_surveys_only_refuses_a_database_without_contacts(server_url):
    with (own_database(server_url, "crm_test_seed_leads", migrated=True) as empty,
          pytest.raises(SystemExit, match="no contacts")):
        seed_leads_and_surveys(empty, seed=SEED)


def test_crm_seed_leads_and_surveys_only_runs_the_addition(seeded, tmp_path):
    # when `crm seed --leads-and-surveys-only` runs on a database that already has them
    env = {**os.environ, "DATABASE_URL": seeded[0], "CRM_HOME": str(tmp_path)}
    result = subprocess.run([CRM, "seed", "--leads-and-surveys-only", "--seed", str(SEED)],
                            env=env, capture_output=True, text=True, timeout=120)
    # then the addition itself refuses, having found them
    assert result.returncode == 1 and "already holds leads" in result.stderr
    # and it takes no orders-per-contact, which only the contacts' seed draws
    result = subprocess.run([CRM, "seed", "--leads-and-surveys-only", "--orders-per-contact",
                             "2"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "goes with --contacts" in result.stderr
