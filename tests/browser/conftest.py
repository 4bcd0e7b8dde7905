"""Browser tests: Debian's Chromium driven by Playwright (both from package registries).

Reusable fixtures for any page the service serves:
- `chromium_context`: a fresh headless Chromium profile per test whose every request to a
  host other than loopback is aborted and recorded in `context.blocked` (tests assert it
  stays empty: the page works with no network).
- `live_server`: a factory, `live_server(**settings)` starts `python -m app serve` on
  loopback over a fresh migrated SQLite database with the demo project (tests/servers.py),
  stopped after the test.

Tests skip, with the reason, only where no Chromium is installed (`.ci/run` installs it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.servers import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or parts.hostname in LOOPBACK


@pytest.fixture
def chromium_context(tmp_path: Path) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import Route, sync_playwright

    blocked: list[str] = []

    def only_loopback(route: Route) -> None:
        if _is_loopback(route.request.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    with sync_playwright() as playwright:
        # A persistent context on a fresh directory: a new profile per test.
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        context.route("**/*", only_loopback)
        context.blocked = blocked
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    started: list[LiveServer] = []

    def start(**settings: str) -> LiveServer:
        settings.setdefault("APP_ENV", "development")
        server = LiveServer.start(tmp_path / f"server-{len(started)}", **settings)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
