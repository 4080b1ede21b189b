"""A small GraphQL client over the ASGI app, acting as any role."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from api.app import create_app


@dataclass
class Result:
    status: int
    body: dict

    @property
    def data(self) -> dict | None:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict]:
        return self.body.get("errors", [])

    def error_codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]

    def errors_at(self, *path) -> list[dict]:
        return [e for e in self.errors if tuple(e.get("path") or ()) == path]


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
        self.http = http
        self.tokens = tokens

    async def __call__(self, role: str, query: str, variables: dict | None = None,
                       token: str | None = None) -> Result:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token or self.tokens[role]}"})
        return Result(response.status_code, response.json())

    async def ok(self, role: str, query: str, variables: dict | None = None) -> dict:
        """The data of a request that must succeed without any error."""
        result = await self(role, query, variables)
        assert result.status == 200 and not result.errors, result.body
        return result.data


@contextlib.asynccontextmanager
async def graphql_over(settings, url: str, principals: dict) -> AsyncIterator[GraphQLClient]:
    """An app of its own over the database at `url`, and a client holding a token for each of
    `principals`; the app is closed afterwards."""
    app = create_app(settings, url=url)
    tokens = {role: app.state.tokens.issue(p) for role, p in principals.items()}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://127.0.0.1") as client:
            yield GraphQLClient(client, tokens)
    finally:
        await app.state.close()
