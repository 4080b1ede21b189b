"""One lead's whole way, through the API: capture → assign → qualify → convert → deal through
the stages → won, with the forecast and the source statistics checked by hand."""

from __future__ import annotations

from datetime import UTC, datetime

FORM = """mutation($input: CaptureFormCreateInput!) { captureFormCreate(input: $input) {
  token errors { code } } }"""
TERRITORY = """mutation($input: TerritoryInput!) { territorySave(input: $input) {
  territory { id } errors { code } } }"""
USER = """mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } } }"""
RULE = """mutation($input: AssignmentRuleInput!) { assignmentRuleSave(input: $input) {
  errors { code } } }"""
CAPTURE = """mutation($input: LeadCaptureInput!) { leadCapture(input: $input) {
  accepted errors { code } } }"""
LEAD = """query($email: String!) { leads(filter: {email: {eq: $email}}) {
  nodes { id version status owner { id } territory { id } } } }"""
UPDATE = """mutation($input: LeadUpdateInput!) { leadUpdate(input: $input) {
  lead { version status } errors { code } } }"""
CONVERT = """mutation($input: LeadConvertInput!) { leadConvert(input: $input) {
  lead { convertedOpportunity { id version owner { id } territory { id } stage { name } } }
  errors { field code } } }"""
STAGES = """{ pipelines { nodes { name stages { id name } } } }"""
MOVE = """mutation($input: OpportunityUpdateInput!) { opportunityUpdate(input: $input) {
  opportunity { version probability stage { kind } } errors { field code } } }"""
FORECAST = """query($from: Date!, $to: Date!) {
  forecast(period: QUARTER, from: $from, to: $to, groupBy: TERRITORY) {
    group periodStart openAmount weightedAmount committedAmount wonAmount deals wonDeals } }"""
STATS = """query($day: Date!) { leadSourceStats(from: $day, to: $day) {
  source leads qualified converted wonDeals } }"""


async def test_a_captured_lead_becomes_a_won_deal(gql):
    # given a territory with one rep, a rule sending Pharma leads there, and a capture form
    territory = (await gql.ok("admin", TERRITORY, {"input": {"name": "Flow Land"}}))[
        "territorySave"]["territory"]["id"]
    rep = (await gql.ok("admin", USER, {"input": {
        "email": "flow.rep@example.com", "name": "Flo Rep", "role": "SALES",
        "territory": territory}}))["userCreate"]["user"]["id"]
    await gql.ok("admin", RULE, {"input": {"position": 1, "industry": "Pharma Flow",
                                           "territory": territory}})
    token = (await gql.ok("admin", FORM, {"input": {"name": "Flow expo", "source": "EVENT"}}))[
        "captureFormCreate"]["token"]
    today = datetime.now(UTC).date().isoformat()
    before = {r["source"]: r for r in (await gql.ok("admin", STATS, {"day": today}))[
        "leadSourceStats"]}.get("EVENT", {"leads": 0, "qualified": 0, "converted": 0,
                                          "wonDeals": 0})
    # when a lead is captured: it is assigned to the territory's rep
    captured = await gql("admin", CAPTURE, {"input": {
        "lastName": "Flow", "email": "flow@pharma.example.com", "company": "Flow Pharma",
        "industry": "Pharma Flow"}}, token=token)
    assert captured.data["leadCapture"] == {"accepted": True, "errors": []}
    lead = (await gql.ok("admin", LEAD, {"email": "flow@pharma.example.com"}))["leads"][
        "nodes"][0]
    assert (lead["owner"]["id"], lead["territory"]["id"]) == (rep, territory)
    # and it is qualified, then converted with a deal closing this quarter
    qualified = await gql.ok("admin", UPDATE, {"input": {"id": lead["id"], "version": 1,
                                                         "status": "QUALIFIED"}})
    assert qualified["leadUpdate"]["lead"]["status"] == "QUALIFIED"
    converted = await gql.ok("admin", CONVERT, {"input": {
        "id": lead["id"], "version": 2,
        "opportunity": {"name": "Flow Pharma licence", "amount": "8000"}}})
    deal = converted["leadConvert"]["lead"]["convertedOpportunity"]
    assert (deal["owner"]["id"], deal["territory"]["id"], deal["stage"]["name"]) == (
        rep, territory, "Qualification")
    # and the deal moves through the stages, closing today, and is won
    stages = {s["name"]: s["id"] for s in (await gql.ok("admin", STAGES))["pipelines"]["nodes"][
        0]["stages"]}
    version = deal["version"]
    for stage, extra in (("Proposal", {"closeDate": today}), ("Commit", {}),
                         ("Closed won", {"closeReason": "Fast pilot"})):
        moved = (await gql.ok("admin", MOVE, {"input": {
            "id": deal["id"], "version": version, "stage": stages[stage], **extra}}))[
            "opportunityUpdate"]
        assert moved["errors"] == []
        version = moved["opportunity"]["version"]
        if stage == "Commit":
            # then, committed, the forecast counts it at 90%
            rows = (await gql.ok("analyst", FORECAST, {"from": today, "to": today}))["forecast"]
            assert [(r["openAmount"], r["weightedAmount"], r["committedAmount"], r["deals"])
                    for r in rows if r["group"] == territory] == [
                ("8000.00", "7200.00", "8000.00", 1)]
    assert moved["opportunity"]["stage"]["kind"] == "WON"
    # and, won, it leaves the open pipeline for the won column
    rows = (await gql.ok("analyst", FORECAST, {"from": today, "to": today}))["forecast"]
    assert [(r["openAmount"], r["wonAmount"], r["wonDeals"]) for r in rows
            if r["group"] == territory] == [("0.00", "8000.00", 1)]
    # and the EVENT source gained one lead, qualified, converted and won
    after = {r["source"]: r for r in (await gql.ok("admin", STATS, {"day": today}))[
        "leadSourceStats"]}["EVENT"]
    assert [after[k] - before[k] for k in ("leads", "qualified", "converted", "wonDeals")] == [
        1, 1, 1, 1]
