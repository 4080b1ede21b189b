"""The knowledge base through the API: versions, visibility per role, search, feedback.

Every test writes articles of its own around a made-up word, so that the demo's articles
never match its searches or lists.
"""

from __future__ import annotations

import random
import string

import pytest

from api.schema.ids import from_global_id
from tests.demo import gid

SAVE = """mutation($input: ArticleInput!) { articleSave(input: $input) {
  article { id version title status visibility language tags }
  errors { field code message } } }"""
PUBLISH = """mutation($input: ArticlePublicationInput!) { articlePublish(input: $input) {
  article { id version status publishedAt } errors { field code } } }"""
UNPUBLISH = """mutation($input: ArticlePublicationInput!) { articleUnpublish(input: $input) {
  article { id version status publishedAt } errors { field code } } }"""
ARCHIVE = """mutation($input: ArchiveInput!) { articleArchive(input: $input) {
  article { id archivedAt } errors { field code } } }"""
FEEDBACK = """mutation($input: ArticleFeedbackInput!) { articleFeedback(input: $input) {
  article { id version helpfulCount notHelpfulCount } errors { field code } } }"""
ARTICLE = "query($id: ID!) { article(id: $id) { id title } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Article { title } } }"
LIST = """query($w: String!) { articles(first: 100, filter: {category: {eq: $w}}) {
  totalCount nodes { id } } }"""
SEARCH = """query($q: String!, $first: Int, $language: String) {
  knowledgeSearch(query: $q, first: $first, language: $language) {
    rank snippet article { id title } } }"""
VERSIONS = """query($id: ID!) { article(id: $id) { version title
  versions { number title body savedBy } } }"""
COUNTS = "query($id: ID!) { article(id: $id) { version helpfulCount notHelpfulCount } }"
ADMIN_USER = gid("User", "user", "admin@example.com")

STAFF = ("admin", "sales", "marketing", "service", "analyst")
# role -> which of the test's four articles it finds
FINDS = {**{role: {"public", "partner", "internal", "draft"} for role in STAFF},
         "partner": {"public", "partner"}, "other_partner": {"public", "partner"},
         "customer": {"public"}}


def made_up_word() -> str:
    """A word no other article holds; letters only, so that every parser keeps it whole."""
    return "kb" + "".join(random.choices(string.ascii_lowercase, k=10))


async def write(gql, role: str = "admin", *, publish: bool = True, **values) -> dict:
    """An article saved (and published) by `role`; returns it as the last write left it."""
    values = {"body": "Nothing to see.", **values}
    saved = (await gql.ok(role, SAVE, {"input": values}))["articleSave"]
    assert saved["errors"] == [], saved["errors"]
    article = saved["article"]
    if publish:
        published = (await gql.ok(role, PUBLISH, {"input": {
            "id": article["id"], "version": article["version"]}}))["articlePublish"]
        assert published["errors"] == [], published["errors"]
        article = {**article, **published["article"]}
    return article


async def search(gql, role: str, query: str, **arguments) -> list[dict]:
    return (await gql.ok(role, SEARCH, {"q": query, **arguments}))["knowledgeSearch"]


def _codes(payload: dict) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def test_search_ranks_title_matches_first_then_by_occurrences_then_by_id(gql):
    # given one article with the word in its title, one with it twice in its body, and two
    # with it once in their bodies
    w = made_up_word()
    title = await write(gql, title=f"The {w} handbook", visibility="PUBLIC")
    twice = await write(gql, title="Second", body=f"A {w} here and a {w} there.",
                        visibility="PUBLIC")
    once = [await write(gql, title="Third", body=f"Only one {w} here.", visibility="PUBLIC")
            for _ in range(2)]
    # when searching for it
    hits = await search(gql, "customer", w)
    # then by hand: ts_rank_cd adds 1.0 per title occurrence (weight A), 0.4 per body one (B)
    ordered = sorted(once, key=lambda a: from_global_id(a["id"])[1])  # equal ranks: by id
    assert [h["article"]["id"] for h in hits] == [title["id"], twice["id"],
                                                  *(a["id"] for a in ordered)]
    assert [h["rank"] for h in hits] == [1.0, 0.8, 0.4, 0.4]


async def test_search_finds_english_word_forms(gql):
    w = made_up_word()
    article = await write(gql, title=f"Configure an invoice for {w}", visibility="PUBLIC")
    for query in (f"configuring invoices {w}", f"configured invoicing {w}"):
        hits = await search(gql, "customer", query)
        assert [h["article"]["id"] for h in hits] == [article["id"]], query
    assert await search(gql, "customer", f"configuring invoices {w}", language="ru") == []


async def test_search_finds_russian_word_forms_and_highlights_them(gql):
    # given a Russian article about resetting a password
    w = made_up_word()
    article = await write(gql, title=f"Сброс пароля {w}", language="ru", visibility="PUBLIC",
                          body=f"Чтобы сбросить пароль {w}, откройте страницу входа.")
    # then other forms of its words find it, in any language or in Russian, not in English
    for query, language in ((f"сбросить пароли {w}", None), (f"пароль {w}", "ru"),
                            (f"паролей {w}", None)):
        hits = await search(gql, "customer", query, language=language)
        assert [h["article"]["id"] for h in hits] == [article["id"]], query
    assert await search(gql, "customer", f"пароли {w}", language="en") == []
    hit = (await search(gql, "customer", f"сбросить пароли {w}"))[0]
    # (ts_headline ends a passage at its last word, leaving out the full stop)
    assert hit["snippet"] == (f"Чтобы <b>сбросить</b> <b>пароль</b> <b>{w}</b>, откройте "
                              f"страницу входа")
    # By hand: the words sit at 1 2 3 (title, A = 1.0) and 5 6 7 (body, B = 0.4; the stop
    # word чтобы holds 4). ts_rank_cd adds, per cover of all three, 3 / Σ(1/weight), divided
    # by 1 + the words between: [1-3] 1.0, [2-5] 3/4.5/2, [3-6] 3/6/2, [5-7] 0.4.
    assert hit["rank"] == pytest.approx(1.0 + 1 / 3 + 0.25 + 0.4, abs=1e-5)


async def test_snippets_mark_the_matched_words_in_the_body(gql):
    w = made_up_word()
    filler = " ".join(["Open the settings page first."] * 8)
    await write(gql, title="Exports", visibility="PUBLIC",
                body=f"{filler} Then export the {w} records as CSV files.")
    [hit] = await search(gql, "admin", f"exporting {w}")
    assert f"<b>export</b> the <b>{w}</b> records" in hit["snippet"]
    assert not hit["snippet"].startswith("Open the settings page first. Open")


@pytest.fixture(scope="module")
async def shelf(gql) -> tuple[str, dict[str, str]]:
    """Four articles under one made-up category: published PUBLIC, PARTNER and INTERNAL
    ones, and a PUBLIC draft."""
    w = made_up_word()
    shapes = {"public": ("PUBLIC", True), "partner": ("PARTNER", True),
              "internal": ("INTERNAL", True), "draft": ("PUBLIC", False)}
    ids = {}
    for name, (visibility, publish) in shapes.items():
        article = await write(gql, publish=publish, title=f"{w} {name}", category=w,
                              visibility=visibility)
        ids[name] = article["id"]
    return w, ids


@pytest.mark.parametrize("role", list(FINDS))
async def test_each_role_finds_only_what_its_visibility_allows(gql, shelf, role):
    w, ids = shelf
    expected = {ids[name] for name in FINDS[role]}
    # on every path: by id, by node, in lists and in search
    for name, article_id in ids.items():
        found = (await gql.ok(role, ARTICLE, {"id": article_id}))["article"]
        node = (await gql.ok(role, NODE, {"id": article_id}))["node"]
        if article_id in expected:
            assert found == {"id": article_id, "title": f"{w} {name}"}
            assert node == found
        else:
            assert found is None and node is None, name
    listed = (await gql.ok(role, LIST, {"w": w}))["articles"]
    assert {n["id"] for n in listed["nodes"]} == expected
    assert listed["totalCount"] == len(expected)
    assert {h["article"]["id"] for h in await search(gql, role, w)} == expected


@pytest.mark.parametrize("role", ["partner", "customer"])
async def test_portals_read_no_versions_or_authors(gql, shelf, role):
    result = await gql(role, "query($id: ID!) { article(id: $id) { title createdBy versions "
                             "{ number } } }", {"id": shelf[1]["public"]})
    assert result.data["article"]["title"]
    for field in ("createdBy", "versions"):
        assert result.data["article"][field] is None
        assert [e["extensions"]["code"] for e in result.errors_at("article", field)] == [
            "FORBIDDEN"]


async def test_an_archived_article_is_found_by_nobody(gql):
    w = made_up_word()
    article = await write(gql, title=f"Retired {w}", visibility="PUBLIC")
    archived = (await gql.ok("service", ARCHIVE, {"input": {
        "id": article["id"], "version": article["version"]}}))["articleArchive"]
    assert archived["errors"] == [] and archived["article"]["archivedAt"]
    assert await search(gql, "admin", w) == []
    assert (await gql.ok("customer", ARTICLE, {"id": article["id"]}))["article"] is None
    assert (await gql.ok("admin", ARTICLE, {"id": article["id"]}))["article"]["id"] == article["id"]


async def test_every_save_keeps_a_version_and_a_stale_one_is_refused(gql):
    # given an article saved, then changed
    w = made_up_word()
    first = await write(gql, publish=False, title=f"Old {w}", body="First words.")
    changed = (await gql.ok("service", SAVE, {"input": {
        "id": first["id"], "version": 1, "title": f"New {w}"}}))["articleSave"]
    assert changed["errors"] == [] and changed["article"]["version"] == 2
    # when a save arrives with the version read before the change
    stale = (await gql.ok("admin", SAVE, {"input": {
        "id": first["id"], "version": 1, "title": f"Lost {w}"}}))["articleSave"]
    assert _codes(stale) == [("version", "STALE_VERSION")]
    # then both saves are kept, by who made them, and the stale one changed nothing
    article = (await gql.ok("admin", VERSIONS, {"id": first["id"]}))["article"]
    assert (article["version"], article["title"]) == (2, f"New {w}")
    assert article["versions"] == [
        {"number": 1, "title": f"Old {w}", "body": "First words.", "savedBy": ADMIN_USER},
        {"number": 2, "title": f"New {w}", "body": "First words.",
         "savedBy": gid("User", "user", "service@example.com")}]


async def test_a_save_without_a_change_keeps_no_version(gql):
    article = await write(gql, publish=False, title=f"Same {made_up_word()}")
    same = (await gql.ok("admin", SAVE, {"input": {
        "id": article["id"], "version": 1, "title": article["title"]}}))["articleSave"]
    assert same["errors"] == [] and same["article"]["version"] == 1
    versions = (await gql.ok("admin", VERSIONS, {"id": article["id"]}))["article"]["versions"]
    assert [v["number"] for v in versions] == [1]


async def test_publishing_shows_a_draft_and_unpublishing_hides_it_again(gql):
    w = made_up_word()
    draft = await write(gql, publish=False, title=f"Soon {w}", visibility="PUBLIC")
    assert await search(gql, "customer", w) == []
    published = (await gql.ok("service", PUBLISH, {"input": {
        "id": draft["id"], "version": 1}}))["articlePublish"]["article"]
    assert (published["status"], published["version"]) == ("PUBLISHED", 2)
    assert published["publishedAt"]
    assert [h["article"]["id"] for h in await search(gql, "customer", w)] == [draft["id"]]
    again = (await gql.ok("service", PUBLISH, {"input": {
        "id": draft["id"], "version": 2}}))["articlePublish"]
    assert _codes(again) == [("id", "CONFLICT")]
    back = (await gql.ok("admin", UNPUBLISH, {"input": {
        "id": draft["id"], "version": 2}}))["articleUnpublish"]["article"]
    assert (back["status"], back["publishedAt"]) == ("DRAFT", None)
    assert await search(gql, "customer", w) == []


async def test_feedback_counts_one_vote_per_reader(gql):
    # given a public article
    article = await write(gql, title=f"Useful {made_up_word()}", visibility="PUBLIC")
    vote = {"article": article["id"]}
    # when the customer finds it helpful twice, and a partner first agrees, then not
    for role, helpful in (("customer", True), ("customer", True), ("partner", True),
                          ("partner", False)):
        payload = (await gql.ok(role, FEEDBACK, {"input": {**vote, "helpful": helpful}}))[
            "articleFeedback"]
        assert payload["errors"] == []
    # then each reader counts once, with its last vote, and the article's version stays
    counts = (await gql.ok("admin", COUNTS, {"id": article["id"]}))["article"]
    assert counts == {"version": article["version"], "helpfulCount": 1, "notHelpfulCount": 1}
    assert payload["article"]["helpfulCount"] == 1 and payload["article"]["notHelpfulCount"] == 1


@pytest.mark.parametrize("role", ["partner", "customer"])
async def test_feedback_on_an_article_out_of_sight_is_not_found(gql, shelf, role):
    _, ids = shelf
    for name in ("internal", "draft"):
        payload = (await gql.ok(role, FEEDBACK, {"input": {"article": ids[name],
                                                           "helpful": False}}))["articleFeedback"]
        assert _codes(payload) == [("article", "NOT_FOUND")] and payload["article"] is None
        counts = (await gql.ok("admin", COUNTS, {"id": ids[name]}))["article"]
        assert (counts["helpfulCount"], counts["notHelpfulCount"]) == (0, 0)


@pytest.mark.parametrize(("arguments", "code"), [
    ({"q": ""}, "REQUIRED"),
    ({"q": "   "}, "REQUIRED"),
    ({"q": "invoice " * 30}, "INVALID"),  # over 200 characters
    ({"q": "invoice", "first": 0}, "INVALID"),
    ({"q": "invoice", "first": 51}, "INVALID"),
    ({"q": "invoice", "language": "fr"}, "INVALID"),
])
async def test_bad_search_arguments_are_clear_errors(gql, arguments, code):
    result = await gql("customer", SEARCH, arguments)
    assert result.data is None
    assert result.error_codes() == [code]


async def test_search_returns_at_most_first_hits(gql):
    w = made_up_word()
    for n in range(3):
        await write(gql, title=f"{w} part {n}", visibility="PUBLIC")
    assert len(await search(gql, "admin", w, first=2)) == 2
    assert len(await search(gql, "admin", w)) == 3


@pytest.mark.parametrize(("values", "expected"), [
    ({"title": "   "}, [("title", "REQUIRED")]),
    ({"title": None}, [("title", "REQUIRED")]),
    ({"title": "Fine", "language": "fr"}, [("language", "INVALID")]),
    ({"title": "Fine", "visibility": "SECRET"}, [("visibility", "INVALID")]),
    ({"title": "", "body": "", "language": "de"},
     [("title", "REQUIRED"), ("body", "REQUIRED"), ("language", "INVALID")]),
])
async def test_bad_article_input_writes_nothing(gql, values, expected):
    w = made_up_word()
    payload = (await gql.ok("admin", SAVE, {"input": {"body": "Text.", "category": w,
                                                      **values}}))["articleSave"]
    assert sorted(_codes(payload)) == sorted(expected) and payload["article"] is None
    assert (await gql.ok("admin", LIST, {"w": w}))["articles"]["totalCount"] == 0


async def test_a_change_with_bad_input_writes_nothing(gql):
    article = await write(gql, publish=False, title=f"Kept {made_up_word()}")
    payload = (await gql.ok("service", SAVE, {"input": {
        "id": article["id"], "version": 1, "title": "Changed", "language": "xx"}}))[
        "articleSave"]
    assert _codes(payload) == [("language", "INVALID")]
    after = (await gql.ok("admin", VERSIONS, {"id": article["id"]}))["article"]
    assert (after["version"], after["title"], len(after["versions"])) == (1, article["title"], 1)


async def test_tags_are_trimmed_lower_cased_and_searched(gql):
    w = made_up_word()
    article = await write(gql, title="Tagged", tags=[f" {w.upper()} ", w, "SSO"],
                          language="en", visibility="PUBLIC")
    assert article["tags"] == [w, "sso"]
    [hit] = await search(gql, "customer", w)
    assert (hit["article"]["id"], hit["rank"]) == (article["id"], 0.2)  # weight C


@pytest.mark.parametrize("role", ["admin", "service"])
async def test_admin_and_service_write_articles(gql, role):
    article = await write(gql, role, title=f"By {role} {made_up_word()}")
    assert article["status"] == "PUBLISHED"
    assert (article["language"], article["visibility"]) == ("en", "INTERNAL")  # the defaults


@pytest.mark.parametrize("role", ["sales", "marketing", "analyst", "partner", "customer"])
async def test_other_roles_write_no_articles(gql, shelf, role):
    w, ids = shelf
    created = (await gql.ok(role, SAVE, {"input": {"title": "Mine", "body": "x",
                                                   "category": w}}))["articleSave"]
    assert _codes(created) == [(None, "FORBIDDEN")]
    changed = (await gql.ok(role, SAVE, {"input": {"id": ids["public"], "version": 2,
                                                   "title": "Taken over"}}))["articleSave"]
    assert _codes(changed) == [("title", "FORBIDDEN")]
    unpublished = (await gql.ok(role, UNPUBLISH, {"input": {"id": ids["public"],
                                                            "version": 2}}))["articleUnpublish"]
    assert _codes(unpublished) == [("status", "FORBIDDEN")]
    archived = (await gql.ok(role, ARCHIVE, {"input": {"id": ids["public"], "version": 2}}))[
        "articleArchive"]
    assert _codes(archived) == [(None, "FORBIDDEN")]
    # and the shelf is as it was
    article = (await gql.ok("admin", COUNTS, {"id": ids["public"]}))["article"]
    assert article["version"] == 2
    assert (await gql.ok("admin", LIST, {"w": w}))["articles"]["totalCount"] == 4


COMPARED = """query($id: ID!, $w: String!) {
  article(id: $id) { id version createdAt createdBy title body category tags language visibility
    status publishedAt helpfulCount notHelpfulCount versions { number title savedAt savedBy } }
  node(id: $id) { id ... on Article { title status } }
  articles(first: 10, filter: {category: {eq: $w}}, orderBy: [{field: TITLE}]) {
    totalCount edges { cursor node { id title visibility tags } } } }"""


@pytest.mark.parametrize("role", list(FINDS))
async def test_compiled_reads_answer_as_the_resolvers(app, http, resolver_http, tokens, shelf,
                                                      role):
    w, ids = shelf
    for article_id in ids.values():
        request = {"query": COMPARED, "variables": {"id": article_id, "w": w}}
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        before = app.state.graphql.compiled.answers
        fast = (await http.post("/graphql", json=request, headers=headers)).json()
        slow = (await resolver_http.post("/graphql", json=request, headers=headers)).json()
        assert fast == slow
        if role in STAFF:  # nothing asked is forbidden to staff: SQL answered it
            assert app.state.graphql.compiled.answers > before
            assert fast["data"]["article"]["versions"][0]["savedBy"] == ADMIN_USER

