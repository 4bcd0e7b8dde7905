"""A dashboard on another origin calls the API from a browser: allowed for the origins
in CORS_ORIGINS (with the Authorization header), refused by the browser for others."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.servers import LiveServer

pytestmark = pytest.mark.browser

ADMIN_KEY = "cpk_browser-cors-admin-key-0123456789"
DASHBOARD = b"<!doctype html><title>dashboard</title><p>another origin</p>"
CALL_API = """async ([api, key]) => {
  try {
    const response = await fetch(api + "/graphql", {
      method: "POST",
      headers: {"Content-Type": "application/json", "Authorization": "Bearer " + key},
      body: JSON.stringify({query: "{ project { name } }"}),
    });
    return {status: response.status, body: await response.json(),
            requestId: response.headers.get("X-Request-ID")};
  } catch (error) {
    return {error: String(error)};
  }
}"""


class _Dashboard(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(DASHBOARD)

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def dashboards() -> Iterator[list[str]]:
    """Two static pages on loopback, each its own origin (another port)."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Dashboard) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield [f"http://127.0.0.1:{server.server_address[1]}" for server in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


def test_listed_origin_may_call_the_api_and_others_may_not(
    chromium_context: Any, live_server: Callable[..., LiveServer], dashboards: list[str]
) -> None:
    allowed, other = dashboards
    api = live_server(APP_ENV="production", BOOTSTRAP_ADMIN_KEY=ADMIN_KEY, CORS_ORIGINS=allowed)
    page = chromium_context.new_page()

    page.goto(allowed)
    answer = page.evaluate(CALL_API, [api.url, ADMIN_KEY])
    assert answer.get("status") == 200, answer
    assert answer["body"] == {"data": {"project": {"name": "default"}}}
    assert answer["requestId"], "X-Request-ID is exposed to the page"

    page.goto(other)
    refused = page.evaluate(CALL_API, [api.url, ADMIN_KEY])
    assert "error" in refused and "Failed to fetch" in refused["error"], refused
    assert chromium_context.blocked == []
