"""GraphiQL works with no network: its scripts come from the service itself, and the
README's query runs in it and shows the demo customer."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.servers import ROOT, LiveServer

pytestmark = pytest.mark.browser


def readme_query() -> str:
    match = re.search(r"```graphql\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert match, "the README shows a GraphQL query"
    return match.group(1).strip()


def test_graphiql_runs_the_readme_query_offline(
    chromium_context: Any, live_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    server = live_server()
    page = chromium_context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(f"{server.url}/graphql?q={quote(readme_query())}")
    page.locator(".graphiql-execute-button").click(timeout=60_000)
    response = page.locator(".graphiql-response")
    expect(response).to_contain_text('"appUserId": "ana.silva"', timeout=60_000)
    expect(response).to_contain_text('"originalAppUserId": "$RCAnonymousID:')
    expect(response).to_contain_text("family sharing")
    page.screenshot(path=str(tmp_path / "graphiql.png"))
    assert chromium_context.blocked == [], "the page asked for something beyond this machine"
    assert failed == []
