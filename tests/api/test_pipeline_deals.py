"""Deals while their pipeline changes: a stage with open deals is emptied with stageMoveDeals
before it is archived, kinds do not change under deals, and history stays true."""

from __future__ import annotations

from tests.api.test_pipelines import (
    PIPELINE,
    PIPELINE_ARCHIVE,
    STAGE_ARCHIVE,
    STAGE_MOVE,
    STAGE_UPDATE,
    codes,
    new_pipeline,
    payload,
)

CREATE = """mutation($input: OpportunityCreateInput!) { opportunityCreate(input: $input) {
  opportunity { id version } errors { field code message } } }"""
UPDATE = """mutation($input: OpportunityUpdateInput!) { opportunityUpdate(input: $input) {
  opportunity { id version } errors { field code message } } }"""
DEAL = """query($id: ID!) { opportunity(id: $id) { version probability stageEnteredAt closedAt
  closeReason stage { name archivedAt } pipeline { id }
  stageHistory { actor fromStage { name } toStage { name archivedAt } } } }"""
TRAIL = """query($id: ID!) { auditTrail(recordId: $id) { nodes { action } } }"""


async def open_deals(gql, factories, stage_id: str, count: int = 2) -> list[str]:
    account = await factories.account()
    ids = []
    for n in range(count):
        made = await payload(gql, "admin", CREATE, {
            "account": account["id"], "name": f"Deal {n}", "amount": "1000", "stage": stage_id})
        assert made["errors"] == [], made["errors"]
        ids.append(made["opportunity"]["id"])
    return ids


async def deal(gql, deal_id: str) -> dict:
    return (await gql.ok("admin", DEAL, {"id": deal_id}))["opportunity"]


async def test_stage_with_open_deals_is_archived_only_once_they_are_moved(gql, factories):
    # given two open deals in the first stage of a pipeline
    pipeline = await new_pipeline(gql)
    lead_in, pitch = pipeline["stages"][0], pipeline["stages"][1]
    deals = await open_deals(gql, factories, lead_in["id"])
    # when an admin archives the stage: refused, naming the deals and the mutation to move them
    refused = await payload(gql, "admin", STAGE_ARCHIVE, {"id": lead_in["id"], "version": 1})
    assert codes(refused) == [("id", "CONFLICT")] and refused["stage"] is None
    assert "2 open deals" in refused["errors"][0]["message"]
    assert "stageMoveDeals" in refused["errors"][0]["message"]
    # when the admin moves them to the next stage
    moved = await payload(gql, "admin", STAGE_MOVE, {"from": lead_in["id"], "to": pitch["id"]})
    assert moved["errors"] == [] and (moved["moved"], moved["stage"]["name"]) == (2, "Pitch")
    # then each moved as an update moves it: probability, history, version, audit entry
    for deal_id in deals:
        after = await deal(gql, deal_id)
        assert (after["stage"]["name"], after["probability"], after["version"]) == ("Pitch", 40, 2)
        assert [(h["fromStage"] and h["fromStage"]["name"], h["toStage"]["name"])
                for h in after["stageHistory"]] == [(None, "Lead in"), ("Lead in", "Pitch")]
        trail = (await gql.ok("admin", TRAIL, {"id": deal_id}))["auditTrail"]["nodes"]
        assert sorted(e["action"] for e in trail) == ["create", "update"]
    # and the empty stage may now be archived; the later ones move up
    archived = await payload(gql, "admin", STAGE_ARCHIVE, {"id": lead_in["id"], "version": 1})
    assert archived["errors"] == [] and archived["stage"]["archivedAt"] is not None
    stages = (await gql.ok("sales", PIPELINE, {"id": pipeline["id"]}))["node"]["stages"]
    assert [(s["name"], s["position"]) for s in stages] == [("Pitch", 1), ("Won", 2), ("Lost", 3)]
    # and the history still names the archived stage
    history = (await deal(gql, deals[0]))["stageHistory"]
    assert history[0]["toStage"]["name"] == "Lead in"
    assert history[0]["toStage"]["archivedAt"] is not None


async def test_closed_deals_keep_an_archived_stage_that_no_deal_enters(gql, factories):
    # given a second WON stage and a deal won in the first one
    pipeline = await new_pipeline(gql, stages=(("Open", 10, "OPEN"), ("Won", 100, "WON"),
                                               ("Won big", 100, "WON")))
    open_stage, won = pipeline["stages"][0], pipeline["stages"][1]
    [won_deal, open_deal] = await open_deals(gql, factories, open_stage["id"])
    closed = await payload(gql, "admin", UPDATE, {"id": won_deal, "version": 1,
                                                   "stage": won["id"], "closeReason": "Signed"})
    assert closed["errors"] == []
    # when the WON stage is archived with its closed deal
    archived = await payload(gql, "admin", STAGE_ARCHIVE, {"id": won["id"], "version": 1})
    assert archived["errors"] == []
    # then the deal still stands in it, and the other deal cannot move into it
    after = await deal(gql, won_deal)
    assert after["stage"]["name"] == "Won" and after["stage"]["archivedAt"] is not None
    assert after["closedAt"] is not None
    refused = await payload(gql, "admin", UPDATE, {"id": open_deal, "version": 1,
                                                    "stage": won["id"], "closeReason": "x"})
    assert codes(refused) == [("stage", "INVALID")]
    # nor can the last WON stage of a pipeline with deals go
    last = await payload(gql, "admin", STAGE_ARCHIVE, {
        "id": pipeline["stages"][2]["id"], "version": 2})
    assert codes(last) == [("id", "INVALID")]


async def test_stage_kind_does_not_change_under_its_deals(gql, factories):
    pipeline = await new_pipeline(gql)
    pitch = pipeline["stages"][1]
    await open_deals(gql, factories, pitch["id"], count=1)
    refused = await payload(gql, "admin", STAGE_UPDATE, {"id": pitch["id"], "version": 1,
                                                         "kind": "WON"})
    assert codes(refused) == [("kind", "CONFLICT")]
    assert "1 open deal:" in refused["errors"][0]["message"]
    # an empty stage may change kind
    empty = pipeline["stages"][0]
    changed = await payload(gql, "admin", STAGE_UPDATE, {"id": empty["id"], "version": 1,
                                                         "kind": "LOST"})
    assert changed["errors"] == [] and changed["stage"]["kind"] == "LOST"


async def test_stage_move_deals_to_won_needs_a_reason_and_moves_all_or_none(gql, factories):
    pipeline = await new_pipeline(gql)
    lead_in, won = pipeline["stages"][0], pipeline["stages"][2]
    deals = await open_deals(gql, factories, lead_in["id"])
    refused = await payload(gql, "admin", STAGE_MOVE, {"from": lead_in["id"], "to": won["id"]})
    assert codes(refused) == [("closeReason", "REQUIRED")] and refused["moved"] == 0
    assert [(await deal(gql, d))["stage"]["name"] for d in deals] == ["Lead in", "Lead in"]
    moved = await payload(gql, "admin", STAGE_MOVE, {"from": lead_in["id"], "to": won["id"],
                                                     "closeReason": "Signed in bulk"})
    assert moved["moved"] == 2
    after = await deal(gql, deals[1])
    assert (after["closeReason"], after["probability"]) == ("Signed in bulk", 100)
    assert after["closedAt"] is not None


async def test_pipeline_with_open_deals_is_archived_once_they_move_to_another(gql, factories):
    # given a pipeline with an open deal
    pipeline, other = await new_pipeline(gql), await new_pipeline(gql)
    [deal_id] = await open_deals(gql, factories, pipeline["stages"][1]["id"], count=1)
    refused = await payload(gql, "admin", PIPELINE_ARCHIVE, {"id": pipeline["id"], "version": 1})
    assert codes(refused) == [("id", "CONFLICT")] and "1 open deal" in refused["errors"][0]["message"]
    # when its deal moves to a stage of another pipeline
    moved = await payload(gql, "admin", STAGE_MOVE, {
        "from": pipeline["stages"][1]["id"], "to": other["stages"][0]["id"]})
    assert moved["moved"] == 1
    assert (await deal(gql, deal_id))["pipeline"]["id"] == other["id"]
    # then the pipeline may be archived, its stages with it
    archived = await payload(gql, "admin", PIPELINE_ARCHIVE, {"id": pipeline["id"], "version": 1})
    assert archived["errors"] == [] and archived["pipeline"]["stages"] == []


async def test_stage_move_deals_into_an_archived_stage_is_refused(gql, factories):
    pipeline = await new_pipeline(gql)
    lead_in, pitch = pipeline["stages"][0], pipeline["stages"][1]
    await payload(gql, "admin", STAGE_ARCHIVE, {"id": pitch["id"], "version": 1})
    await open_deals(gql, factories, lead_in["id"], count=1)
    refused = await payload(gql, "admin", STAGE_MOVE, {"from": lead_in["id"], "to": pitch["id"]})
    assert codes(refused) == [("to", "INVALID")]
