"""A real server for the console's browser tests, and Debian's Chromium to drive it.

The server is the service's own process (`python -m app serve`) on a fresh SQLite file,
migrated and, for development, seeded with the demo project. APP_ENV is always set
explicitly: the default is about to change.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.processes import ROOT, free_port, service_env

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, offline and quiet: no first-run, no background fetches or updates.
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


def require_chromium() -> None:
    if not CHROMIUM.is_file():
        pytest.skip("Chromium is not installed (/usr/bin/chromium): `apt-get install -y chromium`")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed: `make install`")


@dataclass
class ConsoleServer:
    url: str
    admin_key: str | None
    process: subprocess.Popen[bytes]

    def graphql(self, query: str, key: str | None = None, **variables: Any) -> dict[str, Any]:
        key = key or self.admin_key
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = httpx.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=30
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]


def _run(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120
    )


@contextmanager
def console_server(tmp: Path, app_env: str, seed: bool) -> Iterator[ConsoleServer]:
    admin_key = None if app_env == "development" else f"console-admin-{secrets.token_hex(16)}"
    env = service_env(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp / 'console.db'}",
        APP_ENV=app_env,
        # Nothing is sent: deliveries stay queued, so tests see them without a receiver.
        WEBHOOK_DISPATCHER="off",
        WEBHOOK_ALLOW_PRIVATE_URLS="true",
        # One browser drives many pages a minute from one address; the rate limits have
        # tests of their own (tests/api/test_rate_limits.py).
        RATE_LIMIT_PER_ADDRESS="100000/minute",
        RATE_LIMIT_PER_KEY="100000/minute",
        **({"BOOTSTRAP_ADMIN_KEY": admin_key} if admin_key else {}),
    )
    _run(env, "migrate")
    if seed:
        _run(env, "seed-demo")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    server = ConsoleServer(f"http://127.0.0.1:{port}", admin_key, process)
    try:
        _wait_ready(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(server: ConsoleServer) -> None:
    # Generous: on a loaded 2-core machine importing the app alone took 23 s.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("the server exited at start")
        try:
            if httpx.get(f"{server.url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not become ready")


@contextmanager
def chromium(tmp: Path) -> Iterator[Any]:
    """A persistent context on a fresh profile directory: Debian's Chromium, headless."""
    from playwright.sync_api import sync_playwright

    profile = tmp / "chromium-profile"
    profile.mkdir()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        # Tests talk only to the loopback server: anything else is refused in the browser.
        context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)
