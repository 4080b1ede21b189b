"""GraphiQL in a real browser: Debian's Chromium, driven by Playwright, on the real server.

Playwright drives the system's Chromium (never a browser of its own, which would have to be
downloaded). Without /usr/bin/chromium the test is skipped, and pytest says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and nothing that reaches out to Google's hosts on its own: without these flags
# Chromium keeps trying to, and the attempts fail on a machine without internet.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
WAIT_MS = 30_000  # how long an element may take to appear before the test gives up

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=(
        f"no browser: {CHROMIUM} is missing (apt-get install chromium), "
        "so GraphiQL was not tested in a browser")),
]


async def test_graphiql_runs_a_query_with_the_authorization_header(live_server, tokens,
                                                                  tmp_path):
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        # given GraphiQL opened from the real server in Chromium, with a fresh profile
        browser = await playwright.chromium.launch_persistent_context(
            tmp_path / "profile", executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            requested: list[str] = []
            failures: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.on("pageerror", lambda error: failures.append(str(error)))
            await page.goto(f"{live_server}/graphql", timeout=WAIT_MS)
            run = page.locator(".graphiql-execute-button")
            await run.wait_for(timeout=WAIT_MS)

            # when the admin's token is entered in the headers editor and the query is run
            await page.get_by_role("button", name="Headers").click()
            await page.locator(".graphiql-editor-tool .graphiql-editor:visible .CodeMirror").click()
            await page.keyboard.insert_text(
                json.dumps({"Authorization": f"Bearer {tokens['admin']}"}))
            await run.click()

            # then the result pane shows the answer to the default query, { me { role } }
            result = page.locator(".result-window")
            await result.get_by_text('"ADMIN"').wait_for(timeout=WAIT_MS)
            shown = await result.locator(".CodeMirror").evaluate("editor => editor.CodeMirror.getValue()")
            assert json.loads(shown) == {"data": {"me": {"role": "ADMIN"}}}
            # and the page loaded everything from the server itself, without a script error
            assert requested and all(url.startswith(f"{live_server}/") for url in requested), \
                requested
            assert not failures
        finally:
            await browser.close()
