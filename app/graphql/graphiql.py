"""The GraphiQL page (development only), served with the project's own copies of
GraphiQL and React from app/static/graphiql/ (`make graphiql-assets` rebuilds them from
the pinned npm packages), so it works with no internet; each file is checked by the
browser against the sha384 in the manifest (subresource integrity).
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parents[1] / "static" / "graphiql"
STATIC_URL = "/static/graphiql"
SCRIPTS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js")
STYLESHEET = "graphiql.min.css"

DEFAULT_QUERY = """# GraphiQL: write a query, run it with Ctrl-Enter or the play button.
# In development a request without a key acts as the demo project's admin.
{
  customer(appUserId: "ana.silva") {
    appUserId
    originalAppUserId
    aliases { appUserId }
    notes { bodyHtml }
  }
}
"""

# `?q=` prefills the editor, so a link can share a query (`?query=` is a GET query).
_BOOT = """
const params = new URLSearchParams(window.location.search);
const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
const root = ReactDOM.createRoot(document.getElementById("graphiql"));
root.render(React.createElement(GraphiQL, {
  fetcher,
  defaultQuery: DEFAULT_QUERY,
  query: params.get("q") || undefined,
  isHeadersEditorEnabled: true,
  shouldPersistHeaders: false,
}));
"""


def manifest() -> dict[str, dict[str, str]]:
    return json.loads((STATIC_DIR / "manifest.json").read_text())  # type: ignore[no-any-return]


def _tag(name: str, integrity: str) -> str:
    url = html.escape(f"{STATIC_URL}/{name}")
    if name.endswith(".css"):
        return f'<link rel="stylesheet" href="{url}" integrity="{integrity}" crossorigin="anonymous">'
    return f'<script src="{url}" integrity="{integrity}" crossorigin="anonymous"></script>'


@lru_cache
def graphiql_page() -> str:
    files = manifest()
    head = "\n    ".join(_tag(name, files[name]["integrity"]) for name in (STYLESHEET, *SCRIPTS))
    # json.dumps of the query, with "<" escaped so no text can close the script element.
    default_query = json.dumps(DEFAULT_QUERY).replace("<", "\\u003c")
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Customer Profile API: GraphiQL</title>
    <style>body {{ margin: 0; }} #graphiql {{ height: 100vh; }}</style>
    {head}
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL...</div>
    <script>const DEFAULT_QUERY = {default_query};{_BOOT}</script>
  </body>
</html>
"""
