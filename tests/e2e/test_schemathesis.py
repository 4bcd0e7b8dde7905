"""A bounded schemathesis run (issue 13): a real server process on SQLite, the schema
loaded by introspection (development mode, so introspection is on; every request still
carries a key), every field fuzzed with a fixed seed and a bounded number of cases per
role, and not one server error (5xx) allowed.

Development mode without a key is the loopback admin; the run uses real keys instead,
one role at a time, so each role's refusals are exercised too. The dispatcher is off and
no webhook endpoint points anywhere: generated `createWebhookEndpoint` calls are refused
by the public-address rule (no WEBHOOK_ALLOW_PRIVATE_URLS here), so nothing is sent.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.processes import ROOT, Process, run, service_env

pytest.importorskip("schemathesis")

ADMIN_KEY = "cpk_schemathesis-admin-0123456789abcdef"
SEED = 20261202
# Per GraphQL field (about 90 of them): a few hundred cases per role in all.
CASES_PER_FIELD = 6
CREATE_KEY = """mutation($name: String!, $role: ApiKeyRole!) {
  createApiKey(input: {name: $name, role: $role}) { secret userErrors { code } } }"""


async def fuzz(url: str, key: str, report: Path) -> tuple[int, str]:
    command = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    process = await asyncio.create_subprocess_exec(
        command, "run", f"{url}/graphql",
        "--max-examples", str(CASES_PER_FIELD), "--seed", str(SEED),
        "--checks", "not_a_server_error", "--workers", "1", "--no-color",
        "--header", f"Authorization: Bearer {key}",
        "--report", "junit", "--report-junit-path", str(report),
        cwd=ROOT, env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.e2e.schemathesis_hooks", "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode or 0, out.decode()


async def test_schemathesis_finds_no_server_error_for_any_role(tmp_path: Path) -> None:
    env = service_env(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}",
        APP_ENV="development",
        BOOTSTRAP_ADMIN_KEY=ADMIN_KEY,
        WEBHOOK_DISPATCHER="off",
        WEBHOOK_ALLOW_PRIVATE_URLS="false",
        # The fuzzer is one client sending as fast as it can: measure the API, not the limiter.
        RATE_LIMIT_PER_KEY="1000000/minute",
        RATE_LIMIT_PER_ADDRESS="1000000/minute",
        RATE_LIMIT_FAILED_AUTH="1000000/minute",
    )
    await run(env, "migrate")
    server = await Process.server(env)
    try:
        assert server.url is not None
        keys = {"ADMIN": ADMIN_KEY}
        for role in ("SUPPORT", "VIEWER", "SDK"):
            created = await server.graphql(CREATE_KEY, ADMIN_KEY, name=f"fuzz {role}", role=role)
            keys[role] = created["createApiKey"]["secret"]
        for role, key in keys.items():
            started = time.monotonic()
            code, output = await fuzz(server.url, key, tmp_path / f"{role}.xml")
            assert code == 0, f"{role}: schemathesis found server errors\n{output[-4000:]}"
            generated = re.search(r"(\d+) generated, (\d+) passed", output)
            summary = re.search(r"=+ (No issues found|\d+ warnings?) in [\d.]+s =+\s*$", output)
            assert generated is not None and summary is not None, output[-2000:]
            assert int(generated[1]) == int(generated[2]) >= 150, generated[0]  # a few hundred, all passed
            print(f"{role}: {time.monotonic() - started:.1f} s")
    finally:
        await server.terminate()
