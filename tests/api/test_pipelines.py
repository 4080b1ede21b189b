"""Editing pipelines and stages through the API: create, rename, reorder, archive, as admin,
and every other role refused."""

from __future__ import annotations

import itertools

import pytest

from api.schema.ids import to_global_id

_serial = itertools.count(1)
ERRORS = "errors { field code message }"
PIPELINE_FIELDS = ("id version name kind position archivedAt "
                   "stages { id version name position probability kind }")
PIPELINE_CREATE = """mutation($input: PipelineCreateInput!) { pipelineCreate(input: $input) {
  pipeline { %s } %s } }""" % (PIPELINE_FIELDS, ERRORS)
PIPELINE_UPDATE = """mutation($input: PipelineUpdateInput!) { pipelineUpdate(input: $input) {
  pipeline { %s } %s } }""" % (PIPELINE_FIELDS, ERRORS)
PIPELINE_REORDER = """mutation($input: PipelineReorderInput!) { pipelineReorder(input: $input) {
  pipelines { id name position } %s } }""" % ERRORS
PIPELINE_ARCHIVE = """mutation($input: ArchiveInput!) { pipelineArchive(input: $input) {
  pipeline { id archivedAt stages { id } } %s } }""" % ERRORS
STAGE_FIELDS = "id version name position probability kind archivedAt pipeline { id }"
STAGE_CREATE = """mutation($input: StageCreateInput!) { stageCreate(input: $input) {
  stage { %s } %s } }""" % (STAGE_FIELDS, ERRORS)
STAGE_UPDATE = """mutation($input: StageUpdateInput!) { stageUpdate(input: $input) {
  stage { %s } %s } }""" % (STAGE_FIELDS, ERRORS)
STAGE_REORDER = """mutation($input: StageReorderInput!) { stageReorder(input: $input) {
  pipeline { %s } %s } }""" % (PIPELINE_FIELDS, ERRORS)
STAGE_ARCHIVE = """mutation($input: ArchiveInput!) { stageArchive(input: $input) {
  stage { %s } %s } }""" % (STAGE_FIELDS, ERRORS)
STAGE_MOVE = """mutation($input: StageMoveDealsInput!) { stageMoveDeals(input: $input) {
  stage { id name } moved %s } }""" % ERRORS
PIPELINES = "{ pipelines(first: 100) { nodes { id name position stages { id } } } }"
PIPELINE = "query($id: ID!) { node(id: $id) { ... on Pipeline { %s } } }" % PIPELINE_FIELDS
# Stages of a new pipeline, as (name, probability, kind).
STANDARD = (("Lead in", 10, "OPEN"), ("Pitch", 40, "OPEN"), ("Won", 100, "WON"),
            ("Lost", 0, "LOST"))


async def payload(gql, role: str, mutation: str, values: dict) -> dict:
    data = await gql.ok(role, mutation, {"input": values})
    return next(iter(data.values()))


def codes(result: dict) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in result["errors"]]


async def new_pipeline(gql, stages=STANDARD, kind: str = "NEW_BUSINESS") -> dict:
    """A pipeline of its own, last among the pipelines, with the stages given."""
    created = await payload(gql, "admin", PIPELINE_CREATE,
                            {"name": f"Editable {next(_serial):04d}", "kind": kind})
    assert created["errors"] == [], created["errors"]
    pipeline = created["pipeline"]
    for name, probability, stage_kind in stages:
        made = await payload(gql, "admin", STAGE_CREATE, {
            "pipeline": pipeline["id"], "name": name, "probability": probability,
            "kind": stage_kind})
        assert made["errors"] == [], made["errors"]
    return (await gql.ok("admin", PIPELINE, {"id": pipeline["id"]}))["node"]


async def test_pipeline_create_goes_last_with_stages_numbered_from_one(gql):
    # given the pipelines before
    before = (await gql.ok("sales", PIPELINES))["pipelines"]["nodes"]
    # when an admin creates a pipeline and adds four stages
    pipeline = await new_pipeline(gql)
    # then it is listed last, its stages in order 1..4 with their kinds and probabilities
    after = (await gql.ok("sales", PIPELINES))["pipelines"]["nodes"]
    assert [p["id"] for p in after] == [*(p["id"] for p in before), pipeline["id"]]
    assert pipeline["position"] == len(after) and pipeline["kind"] == "NEW_BUSINESS"
    assert [(s["name"], s["position"], s["probability"], s["kind"])
            for s in pipeline["stages"]] == [(n, i, p, k) for i, (n, p, k) in
                                             enumerate(STANDARD, start=1)]


async def test_stage_create_at_a_position_pushes_the_later_stages_down(gql):
    pipeline = await new_pipeline(gql)
    made = await payload(gql, "admin", STAGE_CREATE, {
        "pipeline": pipeline["id"], "name": "Demo", "probability": 25, "kind": "OPEN",
        "position": 2})
    stages = (await gql.ok("admin", PIPELINE, {"id": pipeline["id"]}))["node"]["stages"]
    assert made["stage"]["position"] == 2
    assert [(s["name"], s["position"]) for s in stages] == [
        ("Lead in", 1), ("Demo", 2), ("Pitch", 3), ("Won", 4), ("Lost", 5)]
    # the stages it pushed down changed, so their versions moved on
    assert [s["version"] for s in stages] == [1, 1, 2, 2, 2]


async def test_stage_update_renames_and_changes_probability_at_its_version(gql):
    pipeline = await new_pipeline(gql)
    pitch = pipeline["stages"][1]
    changed = await payload(gql, "admin", STAGE_UPDATE, {
        "id": pitch["id"], "version": 1, "name": "Proposal", "probability": 45})
    assert changed["errors"] == []
    assert (changed["stage"]["name"], changed["stage"]["probability"],
            changed["stage"]["version"]) == ("Proposal", 45, 2)
    stale = await payload(gql, "admin", STAGE_UPDATE, {"id": pitch["id"], "version": 1,
                                                       "name": "Offer"})
    assert codes(stale) == [("version", "STALE_VERSION")]


async def test_stage_names_are_unique_among_live_stages_of_a_pipeline(gql):
    pipeline = await new_pipeline(gql)
    twin = {"pipeline": pipeline["id"], "name": "Pitch", "probability": 5, "kind": "OPEN"}
    assert codes(await payload(gql, "admin", STAGE_CREATE, twin)) == [("name", "CONFLICT")]
    # once the stage of that name is archived, the name is free again
    pitch = pipeline["stages"][1]
    archived = await payload(gql, "admin", STAGE_ARCHIVE, {"id": pitch["id"], "version": 1})
    assert archived["errors"] == [] and archived["stage"]["archivedAt"] is not None
    again = await payload(gql, "admin", STAGE_CREATE, twin)
    assert again["errors"] == [] and again["stage"]["position"] == 4


@pytest.mark.parametrize(("values", "expected"), [
    ({"probability": 101}, [("probability", "INVALID")]),
    ({"name": " "}, [("name", "REQUIRED")]),
    ({"position": 9}, [("position", "INVALID")]),
])
async def test_stage_create_with_bad_input_is_refused(gql, values, expected):
    pipeline = await new_pipeline(gql, stages=())
    result = await payload(gql, "admin", STAGE_CREATE, {
        "pipeline": pipeline["id"], "name": "Stage", "probability": 10, "kind": "OPEN", **values})
    assert codes(result) == expected


async def test_stage_reorder_takes_every_live_stage_once(gql):
    pipeline = await new_pipeline(gql)
    ids = [s["id"] for s in pipeline["stages"]]
    # a list that misses a stage is refused
    missing = await payload(gql, "admin", STAGE_REORDER, {"pipeline": pipeline["id"],
                                                          "ids": ids[1:]})
    assert codes(missing) == [("ids", "INVALID")]
    # the full list in a new order
    reordered = await payload(gql, "admin", STAGE_REORDER, {
        "pipeline": pipeline["id"], "ids": [ids[1], ids[0], *ids[2:]]})
    assert reordered["errors"] == []
    assert [(s["name"], s["position"]) for s in reordered["pipeline"]["stages"]] == [
        ("Pitch", 1), ("Lead in", 2), ("Won", 3), ("Lost", 4)]


async def test_pipeline_update_and_reorder_and_archive(gql):
    pipeline = await new_pipeline(gql, kind="RENEWAL")
    renamed = await payload(gql, "admin", PIPELINE_UPDATE, {
        "id": pipeline["id"], "version": 1, "name": f"Renamed {next(_serial)}", "kind": "UPSELL"})
    assert renamed["errors"] == [] and renamed["pipeline"]["kind"] == "UPSELL"
    # when it is moved to the front, and back to where it was
    order = [p["id"] for p in (await gql.ok("admin", PIPELINES))["pipelines"]["nodes"]]
    front = await payload(gql, "admin", PIPELINE_REORDER, {
        "ids": [pipeline["id"], *(i for i in order if i != pipeline["id"])]})
    assert front["errors"] == [] and front["pipelines"][0]["id"] == pipeline["id"]
    assert [p["position"] for p in front["pipelines"]] == list(range(1, len(order) + 1))
    back = await payload(gql, "admin", PIPELINE_REORDER, {"ids": order})
    assert [p["id"] for p in back["pipelines"]] == order
    # when it is archived, it leaves the list, and the later ones move up
    archived = await payload(gql, "admin", PIPELINE_ARCHIVE, {
        "id": pipeline["id"], "version": renamed["pipeline"]["version"] + 2})
    assert archived["errors"] == [] and archived["pipeline"]["archivedAt"] is not None
    listed = (await gql.ok("admin", PIPELINES))["pipelines"]["nodes"]
    assert pipeline["id"] not in [p["id"] for p in listed]
    assert [p["position"] for p in listed] == list(range(1, len(listed) + 1))


@pytest.fixture(scope="module")
async def target(gql) -> dict:
    """A pipeline the refused roles try to change."""
    return await new_pipeline(gql)


def _attempts(pipeline: dict) -> list[tuple[str, dict]]:
    stages = [s["id"] for s in pipeline["stages"]]
    return [
        (PIPELINE_CREATE, {"name": "Not yours", "kind": "UPSELL"}),
        (PIPELINE_UPDATE, {"id": pipeline["id"], "version": 1, "name": "Not yours"}),
        (PIPELINE_REORDER, {"ids": [pipeline["id"]]}),
        (PIPELINE_ARCHIVE, {"id": pipeline["id"], "version": 1}),
        (STAGE_CREATE, {"pipeline": pipeline["id"], "name": "X", "probability": 1,
                        "kind": "OPEN"}),
        (STAGE_UPDATE, {"id": stages[0], "version": 1, "name": "Not yours"}),
        (STAGE_REORDER, {"pipeline": pipeline["id"], "ids": stages[::-1]}),
        (STAGE_ARCHIVE, {"id": stages[1], "version": 1}),
        (STAGE_MOVE, {"from": stages[0], "to": stages[1]}),
    ]


@pytest.mark.parametrize("role", ["sales", "marketing", "analyst", "partner", "customer"])
@pytest.mark.parametrize("index", range(9))
async def test_only_admin_edits_pipelines_and_stages(gql, target, role, index):
    # when another role than admin tries a pipeline or stage mutation
    mutation, values = _attempts(target)[index]
    result = await payload(gql, role, mutation, values)
    # then it is FORBIDDEN, and the pipeline is as it was
    assert {code for _, code in codes(result)} == {"FORBIDDEN"}
    assert (await gql.ok("admin", PIPELINE, {"id": target["id"]}))["node"] == target


async def test_unknown_ids_are_not_found(gql):
    unknown = to_global_id("Stage", "00000000-0000-4000-8000-000000000000")
    result = await payload(gql, "admin", STAGE_UPDATE, {"id": unknown, "version": 1, "name": "X"})
    assert codes(result) == [("id", "NOT_FOUND")]
