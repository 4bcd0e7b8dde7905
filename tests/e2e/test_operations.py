"""What an operator sees of a running server: /metrics totals across worker processes,
and one JSON log line per request with its request id and no personal data."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.servers import LiveServer

pytestmark = pytest.mark.e2e
ADMIN_KEY = "cpk_e2e-operations-admin-key-0123456789"


def sample(metrics_text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in metrics_text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if match and match.group(1) == name and ",".join(sorted((match.group(2) or "").split(","))) == wanted:
            return float(match.group(3))
    return 0.0


def test_metrics_add_up_across_two_workers(tmp_path: Path) -> None:
    server = LiveServer.start(
        tmp_path, seed=False, workers=2, APP_ENV="production", BOOTSTRAP_ADMIN_KEY=ADMIN_KEY,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    )  # fmt: skip
    try:
        requests = 30
        for _ in range(requests):
            # A new connection each time, so the kernel spreads them over both workers.
            response = server.graphql("query CountMe { project { name } }", key=ADMIN_KEY)
            assert response.status_code == 200, response.text
        pids = {p.stem.rsplit("_", 1)[-1] for p in (tmp_path / "metrics").glob("counter_*.db")}
        assert len(pids) >= 2, "both worker processes write samples"
        for _ in range(6):  # whichever worker answers the scrape, the totals are the same
            text = httpx.get(f"{server.url}/metrics", timeout=10).text
            assert sample(text, "graphql_requests_total", operation="CountMe", status="200") == requests
            assert (
                sample(text, "graphql_request_duration_seconds_count", operation="CountMe", status="200")
                == requests
            )
        assert sample(text, "webhook_outbox_depth", status="pending") == 0
        assert sample(text, "database_up") == 1
    finally:
        server.stop()


def test_one_json_line_per_request_with_its_id_and_nothing_personal(tmp_path: Path) -> None:
    server = LiveServer.start(tmp_path, seed=False, APP_ENV="production", BOOTSTRAP_ADMIN_KEY=ADMIN_KEY)
    request_id, failing_id = "0f4c2a9e6b8d4e1f9a3b5c7d2e4f6a8b", "1e5d3b0f7c9e4a2b8d6f0a1c3e5b7d9f"
    person, address = "jane.doe@example.com", "203.0.113.77"
    try:
        opened = server.graphql(
            """mutation OpenApp($id: String!, $ip: String) {
                 recordAppOpen(input: {appUserId: $id, ipAddress: $ip}) { userErrors { code } } }""",
            key=ADMIN_KEY,
            variables={"id": person, "ip": address},
            operationName="OpenApp",
            headers={"X-Request-ID": request_id},
        )
        assert opened.status_code == 200 and "errors" not in opened.json(), opened.text
        assert opened.headers["x-request-id"] == request_id
        broken = server.graphql(
            '{ customer(appUserId: "jane.doe@example.com") { nope } }',
            key=ADMIN_KEY,
            headers={"X-Request-ID": failing_id},
        )
        assert broken.json()["errors"]
        generated = server.graphql("{ project { name } }", key=ADMIN_KEY).headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", generated)
    finally:
        server.stop()

    lines = server.log_lines()
    records = server.json_log()  # every line is JSON: uvicorn's too
    requests = [r for r in records if r.get("event") == "request"]
    assert len(requests) == 3, requests  # probes (/readyz) log at debug level only
    mine = next(r for r in requests if r.get("request_id") == request_id)
    assert mine["method"] == "POST" and mine["path"] == "/graphql" and mine["status"] == 200
    assert mine["operation"] == "OpenApp" and mine["key_prefix"] == ADMIN_KEY[:12]
    assert isinstance(mine["duration_ms"], float | int)
    # Other lines written while a request was served carry its id too.
    of_failing = {r["event"] for r in records if r.get("request_id") == failing_id}
    assert {"graphql_client_error", "request"} <= of_failing
    assert any(r.get("request_id") == generated for r in requests)
    for line in lines:
        assert person not in line and address not in line and ADMIN_KEY not in line
        assert "nope" not in line, "no query text in the log"
        if "Uvicorn running on" not in line:  # the server's own listening address
            assert "127.0.0.1" not in line, line


def test_worker_serves_its_own_metrics(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    from tests.servers import ROOT, free_port, run_cli, server_env

    port = free_port()
    env = server_env(tmp_path / "worker.db", WORKER_METRICS_PORT=str(port), SCHEDULER_INTERVAL_SECONDS="0.2")
    run_cli(env, "migrate")
    worker = subprocess.Popen(
        [sys.executable, "-m", "app", "worker"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline, text = time.monotonic() + 60, ""
        while time.monotonic() < deadline:
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
                if sample(text, "db_pool_connections_opened_total") >= 1:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        assert "# TYPE webhook_delivery_duration_seconds histogram" in text
        assert sample(text, "db_pool_connections_opened_total") >= 1, "the worker's own database use"
    finally:
        worker.terminate()
        worker.wait(timeout=20)
