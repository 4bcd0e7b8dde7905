"""End to end: the CLI migrates and seeds, a real uvicorn process serves HTTP."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start: {self.output()}")

    def graphql(self, query: str, key: str | None = None, **variables: object) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=10
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def output(self) -> str:
        return self.process.stdout.read() if self.process.stdout and self.process.poll() is not None else ""


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "APP_ENV", "BOOTSTRAP_ADMIN_KEY"}}
    env.update(
        {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}", "WEBHOOK_DISPATCHER": "off"}, **extra
    )
    return env


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[Server]:
    env = environment(tmp_path, APP_ENV="development")
    run_cli(env, "migrate")
    first = run_cli(env, "seed-demo")
    second = run_cli(env, "seed-demo")
    assert "seeded" in first.stderr and "already" in second.stderr
    server = Server(env)
    yield server
    server.stop()


def test_demo_customer_through_graphiql_without_a_key(demo_server: Server) -> None:
    page = httpx.get(f"{demo_server.url}/graphql", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    response = demo_server.graphql(
        """query($id: String!) { customer(appUserId: $id) { originalAppUserId appUserId
             aliases { appUserId } notes { body bodyHtml } attributes { key value } attribution { network } } }""",
        id="ana.silva",
    )
    assert response.status_code == 200, response.text
    customer = response.json()["data"]["customer"]
    assert customer["originalAppUserId"].startswith("$RCAnonymousID:")
    assert customer["appUserId"] == "ana.silva"
    assert [a["appUserId"] for a in customer["aliases"]] == ["ana.silva"]
    assert "<strong>family sharing</strong>" in customer["notes"][0]["bodyHtml"]
    assert {"key": "$email", "value": "ana@example.com"} in customer["attributes"]
    assert customer["attribution"]["network"] == "Apple Search Ads"
    listing = demo_server.graphql(
        "{ customers(first: 100) { totalCount } project { name offerings { identifier } } }"
    )
    data = listing.json()["data"]
    assert data["customers"]["totalCount"] == 12 and data["project"]["name"] == "demo"
    assert httpx.get(f"{demo_server.url}/healthz", timeout=5).json() == {"status": "ok"}
    assert "graphql_requests_total" in httpx.get(f"{demo_server.url}/metrics", timeout=5).text


def test_production_server_requires_keys(tmp_path: Path) -> None:
    env = environment(
        tmp_path, APP_ENV="production", BOOTSTRAP_ADMIN_KEY="cpk_e2e-bootstrap-admin-key-0123456789"
    )
    run_cli(env, "migrate")
    created = json.loads(run_cli(env, "create-project", "acme").stdout.strip().splitlines()[-1])
    assert set(created) == {"project_id", "admin_key"}
    server = Server(env)
    try:
        assert server.graphql("{ project { name } }").status_code == 401
        assert server.graphql("{ project { name } }", key="cpk_wrong").status_code == 401
        acme = server.graphql("{ project { name } }", key=created["admin_key"])
        assert acme.json()["data"]["project"]["name"] == "acme"
        default = server.graphql("{ project { name } }", key="cpk_e2e-bootstrap-admin-key-0123456789")
        assert default.json()["data"]["project"]["name"] == "default"
        introspection = server.graphql("{ __schema { types { name } } }", key=created["admin_key"])
        assert "errors" in introspection.json()
        assert (
            httpx.get(f"{server.url}/graphql", headers={"Accept": "text/html"}, timeout=5).status_code != 200
        )
    finally:
        server.stop()
