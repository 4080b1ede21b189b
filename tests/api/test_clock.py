"""The app's clock is "now" for every use case and read that keeps time, not the machine's."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.demo import SALES_USER

# Long before the machine's time and the demo's tasks: only the app's clock can have written it.
FIXED = datetime(2001, 3, 4, 5, 6, 7, tzinfo=UTC)
STAMP = "2001-03-04T05:06:07.000000Z"

SAVE = """mutation($input: ArticleInput!) { articleSave(input: $input) {
  article { id version } errors { code } } }"""
PUBLISH = """mutation($input: ArticlePublicationInput!) { articlePublish(input: $input) {
  article { publishedAt } errors { code } } }"""
LOG = """mutation($input: ActivityLogInput!) { activityLog(input: $input) {
  activity { id at } errors { code } } }"""
DEAL = """mutation($input: OpportunityCreateInput!) { opportunityCreate(input: $input) {
  opportunity { stageEnteredAt } errors { code } } }"""


async def test_publish_article_stamps_the_apps_clock(clock_gql, clock):
    # given the app's clock at a fixed moment and a draft
    clock.set(FIXED)
    saved = (await clock_gql.ok("admin", SAVE, {"input": {"title": "Clocked",
                                                          "body": "Body."}}))["articleSave"]
    # when it is published
    published = (await clock_gql.ok("admin", PUBLISH, {"input": {
        "id": saved["article"]["id"], "version": saved["article"]["version"]}}))
    # then it was published at the clock's moment
    assert published["articlePublish"]["article"]["publishedAt"] == STAMP


async def test_log_note_places_it_at_the_apps_clock(clock_gql, clock, factories):
    clock.set(FIXED)
    contact = await factories.contact(owner=SALES_USER)
    data = await clock_gql.ok("sales", LOG, {"input": {"kind": "NOTE", "body": "Met.",
                                                       "contact": contact["id"]}})
    assert data["activityLog"]["activity"]["at"] == STAMP


async def test_create_deal_enters_its_stage_at_the_apps_clock(clock_gql, clock, factories):
    clock.set(FIXED)
    account = await factories.account()
    data = await clock_gql.ok("sales", DEAL, {"input": {"name": "Clocked deal",
                                                        "account": account["id"]}})
    assert data["opportunityCreate"]["opportunity"]["stageEnteredAt"] == STAMP
