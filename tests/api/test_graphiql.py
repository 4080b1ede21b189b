"""The GraphiQL page and its assets: all served by this server, none from elsewhere."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest

from api.app import create_app
from api.graphiql import STATIC_PATH
from api.settings import load_settings

HTML = {"Accept": "text/html"}


class _References(HTMLParser):
    """Every URL a page loads: script sources and stylesheet links."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and named.get("src"):
            self.urls.append(named["src"])
        if tag == "link" and named.get("href"):
            self.urls.append(named["href"])


def references(page: str) -> list[str]:
    parser = _References()
    parser.feed(page)
    return parser.urls


async def test_graphiql_page_loads_only_assets_of_this_server(http):
    # given GraphiQL, on in dev
    # when a browser asks for /graphql
    page = await http.get("/graphql", headers=HTML)
    # then the page loads GraphiQL, React and their styles from this server's own paths
    urls = references(page.text)
    assert {url.rsplit("/", 1)[1] for url in urls} >= {
        "graphiql.min.js", "graphiql.min.css", "react.production.min.js",
        "react-dom.production.min.js"}
    assert all(url.startswith(f"{STATIC_PATH}/") for url in urls), urls
    # and tells the browser to load nothing from anywhere else
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self' 'sha256-" in policy


async def test_graphiql_assets_are_served_with_long_cache_headers(http):
    # given the URLs the GraphiQL page refers to
    urls = references((await http.get("/graphql", headers=HTML)).text)
    for url in urls:
        # when each is fetched
        response = await http.get(url)
        # then it is there, of its type, cacheable for a year (its URL names its version)
        assert response.status_code == 200, url
        kind = "javascript" if url.endswith(".js") else "css"
        assert kind in response.headers["content-type"], url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert len(response.content) > 500, url


@pytest.fixture(scope="module")
async def prod_http(crm_home, database_url, configured_key):
    app = create_app(load_settings(crm_home=crm_home, crm_env="prod", database_url=None,
                                   crm_jwt_private_key=configured_key), url=database_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1") as client:
        yield client
    await app.state.close()


async def test_graphiql_assets_are_not_served_when_graphiql_is_off(prod_http):
    # given a server with GraphiQL off (prod)
    # when its assets are asked for
    response = await prod_http.get(f"{STATIC_PATH}/graphiql.min.js")
    # then there are none
    assert response.status_code == 404
