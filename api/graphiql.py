"""GraphiQL, served by this server alone: its page, and the assets of a Python package.

The assets (GraphiQL, React, the explorer plugin) come from graphene-django-graphiql-static,
which ships them as plain files and depends on nothing; only its files are used here. The
page refers to nothing but this server, so GraphiQL works on a machine without internet.
"""

from __future__ import annotations

import base64
import hashlib
import json
from importlib import metadata

from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

ASSETS_DISTRIBUTION = "graphene-django-graphiql-static"
ASSETS_PACKAGE = "graphene_django_graphiql_static"
# The version is part of every asset's URL, so browsers may keep an asset for a year: a new
# version of the package is a new URL.
STATIC_PATH = f"/graphiql/static/{metadata.version(ASSETS_DISTRIBUTION)}"
CACHE_FOREVER = "public, max-age=31536000, immutable"

DEFAULT_QUERY = """\
# Each request needs a token: in Headers below, enter
#   {"Authorization": "Bearer <token>"}
# (`make run` prints one), then press Shift-Ctrl-R
# to load the schema for the docs and completion.

{ me { role } }
"""

INIT_SCRIPT = """
const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
function CrmGraphiQL() {
  const [query, setQuery] = React.useState(%s);
  const explorer = GraphiQLPluginExplorer.useExplorerPlugin({ query, onEdit: setQuery });
  return React.createElement(GraphiQL, {
    fetcher, query, onEditQuery: setQuery, plugins: [explorer],
    isHeadersEditorEnabled: true, shouldPersistHeaders: false,
    defaultEditorToolsVisibility: "headers",
  });
}
ReactDOM.render(React.createElement(CrmGraphiQL), document.getElementById("graphiql"));
""" % json.dumps(DEFAULT_QUERY).replace("<", "\\u003c")

PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>GraphiQL · Headless CRM</title>
  <style>body {{ margin: 0; }} #graphiql {{ height: 100vh; }}</style>
  <link rel="stylesheet" href="{STATIC_PATH}/graphiql.min.css">
  <link rel="stylesheet" href="{STATIC_PATH}/style.css">
  <script src="{STATIC_PATH}/react.production.min.js"></script>
  <script src="{STATIC_PATH}/react-dom.production.min.js"></script>
  <script src="{STATIC_PATH}/graphiql.min.js"></script>
  <script src="{STATIC_PATH}/graphiql-plugin-explorer.umd.js"></script>
</head>
<body>
  <div id="graphiql">Loading…</div>
  <script>{INIT_SCRIPT}</script>
</body>
</html>
"""

# The browser itself holds the page to this server: scripts from here (and the one inline
# script, by its hash), requests to here. React sets inline styles, hence 'unsafe-inline'.
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(INIT_SCRIPT.encode()).digest()).decode()
CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; script-src 'self' 'sha256-{_SCRIPT_HASH}'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def graphiql_page() -> HTMLResponse:
    """The GraphiQL page; its assets are under STATIC_PATH."""
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY,
                                       "Cache-Control": "no-cache"})


class _LongCachedFiles(StaticFiles):
    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = CACHE_FOREVER
        return response


def graphiql_assets() -> Mount:
    """The route of GraphiQL's assets, files of the installed package."""
    files = _LongCachedFiles(packages=[(ASSETS_PACKAGE, f"static/{ASSETS_PACKAGE}")])
    return Mount(STATIC_PATH, app=files, name="graphiql-static")
