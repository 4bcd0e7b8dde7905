"""`make bench-reads`: the service's reads against their ceiling (issue 14), on PostgreSQL.

Seeds (once) 1,000 customers into BENCH_READS_DB (bench/reads_seed.py), starts the
service (`python -m app serve`, one worker, production settings) and the hand-written
reference (bench/reference.py) side by side, checks that both answer every benchmark
request with the same bytes, then runs each scenario under wrk alternating service and
reference (BENCH_ROUNDS rounds of BENCH_SECONDS each) and prints, per scenario, the
medians of req/s, p50, p99, server CPU per request, and the ratio service / reference.
It also counts, in-process, the SQL statements (and BEGIN/ROLLBACK) of one request, and
the PostgreSQL sessions the service opened under load.

Environment: BENCH_READS_DB (default cp_bench_reads; dropped and seeded again with
BENCH_RESEED=1), BENCH_CUSTOMERS (1000), BENCH_SECONDS (5), BENCH_ROUNDS (2),
BENCH_SCENARIOS (comma-separated names, default all).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event

from app.db.engine import Database, create_engine
from app.db.migrate import upgrade
from app.main import create_app
from app.settings import Settings
from bench.reads_seed import PROJECT_NAME, app_user_id, seed
from tests.e2e.processes import ROOT, free_port, service_env

DB_NAME = os.environ.get("BENCH_READS_DB", "cp_bench_reads")
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "1000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DSN = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
URL = DSN.replace("postgresql://", "postgresql+asyncpg://")
RESULTS = Path(__file__).with_name("results")

SHOWN = """fragment Shown on Customer {
  id appUserId originalAppUserId country firstSeenAt lastOpenedAt
  aliases { appUserId isAnonymous createdAt }
  notes { id body author createdAt }
  attributes { key value isReserved }
  attribution { network campaign }
  totalSpent { amount currency }
  entitlements { entitlement { identifier } isActive expiresAt productId }
  purchases { id productId store status expiresAt price { amount currency } }
  history(first: $history) { pageInfo { hasNextPage endCursor }
    edges { node { id type description purchasedAt priceUsd { amount currency } } } }
}"""
PROFILE = "query Profile($id: String!, $history: Int) { customer(appUserId: $id) { ...Shown } }\n" + SHOWN
PAGE = (
    "query Page($first: Int, $history: Int) { customers(first: $first) {"
    " pageInfo { hasNextPage endCursor } edges { cursor node { ...Shown } } } }\n" + SHOWN
)


def profile_body(index: int) -> dict[str, Any]:
    return {
        "query": PROFILE,
        "operationName": "Profile",
        "variables": {"id": app_user_id(index % CUSTOMERS), "history": 20},
    }


PAGE_BODY = {"query": PAGE, "operationName": "Page", "variables": {"first": 100, "history": 5}}


@dataclass(frozen=True)
class Scenario:
    name: str
    connections: int
    bodies: list[dict[str, Any]]
    # A page takes about a second alone: give it time for more than a handful.
    seconds: float = SECONDS


SCENARIOS = [
    Scenario("profile, 8 connections", 8, [profile_body(i) for i in range(CUSTOMERS)]),
    Scenario("profile, 1 connection", 1, [profile_body(i) for i in range(CUSTOMERS)]),
    Scenario("page of 100, 8 connections", 8, [PAGE_BODY], seconds=3 * SECONDS),
]


# -- the data set -------------------------------------------------------------------------


async def prepared_key() -> str:
    """A viewer key of the seeded project: seeds once, reuses the database after."""
    marker = RESULTS / f"{DB_NAME}.json"
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DB_NAME)
        if exists and (os.environ.get("BENCH_RESEED") or not marker.exists()):
            await admin.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
            exists = None
        if not exists:
            await admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        await admin.close()
    if exists:
        # Seeded by an earlier run: brought to the current schema first.
        await asyncio.to_thread(upgrade, URL)
        return str(json.loads(marker.read_text())["key"])
    began = time.perf_counter()
    seeded = await seed(URL, CUSTOMERS)
    print(f"seeded {CUSTOMERS} customers in {time.perf_counter() - began:.0f} s")
    RESULTS.mkdir(exist_ok=True)
    marker.write_text(json.dumps({"key": seeded.viewer_key, "project": PROJECT_NAME}))
    return seeded.viewer_key


# -- processes ----------------------------------------------------------------------------


class Server:
    def __init__(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.name, self.args, self.env = name, args, env
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, *self.args, "--port", str(self.port), cwd=ROOT, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                try:
                    await client.post(self.url, json={}, timeout=1)
                    return
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start")

    def cpu_seconds(self) -> float:
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await asyncio.wait_for(self.process.wait(), timeout=20)


# -- wrk ----------------------------------------------------------------------------------


def wrk_script(folder: Path, key: str, bodies: list[dict[str, Any]]) -> Path:
    quoted = ",\n".join("[==[" + json.dumps(body) + "]==]" for body in bodies)
    script = folder / f"bodies-{len(bodies)}-{abs(hash(quoted))}.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {key}"\n'
        f"local bodies = {{\n{quoted}\n}}\n"
        "local i = 0\n"
        "request = function()\n  i = i + 1\n"
        "  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])\nend\n"
    )
    return script


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise SystemExit(f"wrk latency not understood: {text!r}")
    number, unit = match.groups()
    return float(number) * _UNITS[unit]


@dataclass
class Run:
    rps: float
    p50: float
    p99: float
    cpu_ms: float
    errors: int


async def wrk(server: Server, script: Path, connections: int, seconds: float) -> Run:
    cpu_before = server.cpu_seconds()
    process = await asyncio.create_subprocess_exec(
        "wrk", "-t1", f"-c{connections}", f"-d{round(seconds)}s", "--latency", "--timeout", "30s",
        "-s", str(script), server.url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out = (await process.communicate())[0].decode()
    if "requests in" not in out:
        raise SystemExit(f"wrk failed against {server.name}:\n{out}")
    # wrk gives up at its deadline while the server still works on the abandoned
    # requests: let it drain, so the next run does not start with a stall, and count
    # its CPU for those requests too.
    await asyncio.sleep(1.0)
    cpu = server.cpu_seconds() - cpu_before
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if socket_errors:
        print(f"    {server.name}: socket errors {socket_errors.group(1)}")
    if requests == 0:  # none finished in the window: no latency lines to read
        return Run(rps=0.0, p50=0.0, p99=0.0, cpu_ms=1000 * cpu, errors=0)
    return Run(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        # The "Latency Distribution" lines; a "+/- Stdev" column such as "72.50%" is not one.
        p50=_ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1)),  # type: ignore[union-attr]
        p99=_ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)),  # type: ignore[union-attr]
        cpu_ms=1000 * cpu / max(requests, 1),
        errors=int(bad.group(1)) if bad else 0,
    )


def median(runs: list[Run], name: str) -> float:
    return statistics.median(getattr(run, name) for run in runs)


# -- checks -------------------------------------------------------------------------------


async def same_answers(service: Server, reference: Server, key: str) -> None:
    """Byte-for-byte: every benchmark request gets the same body from both."""
    bodies = [profile_body(i) for i in range(0, CUSTOMERS, max(1, CUSTOMERS // 20))] + [PAGE_BODY]
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(timeout=60) as client:
        for body in bodies:
            ours = await client.post(service.url, json=body, headers=headers)
            theirs = await client.post(reference.url, json=body, headers=headers)
            assert ours.status_code == 200 and b'"errors"' not in ours.content, ours.text[:500]
            if ours.content != theirs.content:
                _show_difference(ours.content, theirs.content)
                raise SystemExit(f"service and reference differ for {body['variables']}")
    print(f"byte-for-byte: {len(bodies)} requests answered identically by service and reference")


def _show_difference(ours: bytes, theirs: bytes) -> None:
    at = next(
        (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), min(len(ours), len(theirs))
    )
    print(f"  first difference at byte {at}:")
    print(f"  service:   ...{ours[max(0, at - 120) : at + 120]!r}")
    print(f"  reference: ...{theirs[max(0, at - 120) : at + 120]!r}")


class Counter:
    def __init__(self) -> None:
        self.statements = 0
        self.ceremony = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.ceremony += 1
        else:
            self.statements += 1


@contextmanager
def counting(db: Database) -> Iterator[Counter]:
    counter = Counter()
    event.listen(db.engine.sync_engine, "before_cursor_execute", counter)
    # The asyncpg dialect sends BEGIN/ROLLBACK without a cursor: count them from the pool events.
    for name in ("begin", "rollback", "commit"):
        event.listen(db.engine.sync_engine, name, lambda conn: _bump(counter, conn))
    try:
        yield counter
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", counter)


def _bump(counter: Counter, conn: Any) -> None:
    # In autocommit the events still fire, but nothing goes to the server.
    if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        counter.ceremony += 1


async def statements_per_request(key: str) -> dict[str, tuple[int, int]]:
    """(SQL statements, BEGIN/COMMIT/ROLLBACK) of one profile and one page, in-process."""
    db = Database(create_engine(URL))
    settings = Settings(database_url=URL, app_env="production", webhook_dispatcher="off", log_level="WARNING")
    app = create_app(settings, db)
    found = {}
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client:
            headers = {"Authorization": f"Bearer {key}"}
            for name, body in (("profile", profile_body(1)), ("page of 100", PAGE_BODY)):
                await client.post("/graphql", json=body, headers=headers)  # warm: key touched, caches
                with counting(db) as counter:
                    response = await client.post("/graphql", json=body, headers=headers)
                assert response.status_code == 200
                found[name] = (counter.statements, counter.ceremony)
    finally:
        await db.dispose()
    return found


async def sessions_opened() -> int:
    connection = await asyncpg.connect(ADMIN_DSN)
    try:
        return int(
            await connection.fetchval("SELECT sessions FROM pg_stat_database WHERE datname = $1", DB_NAME)
        )
    finally:
        await connection.close()


# -- the run ------------------------------------------------------------------------------


async def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    key = await prepared_key()
    env = service_env(
        DATABASE_URL=URL,
        APP_ENV="production",
        WEBHOOK_DISPATCHER="off",
        LOG_LEVEL="WARNING",
        RATE_LIMIT_PER_KEY="100000000/minute",
        RATE_LIMIT_PER_ADDRESS="100000000/minute",
    )
    service = Server("service", ["-m", "app", "serve"], env)
    reference = Server("reference", ["-m", "bench.reference"], env)
    counts = await statements_per_request(key)
    for name, (sql, ceremony) in counts.items():
        print(f"statements per {name}: {sql} SQL + {ceremony} BEGIN/COMMIT/ROLLBACK")
    chosen = os.environ.get("BENCH_SCENARIOS")
    scenarios = [s for s in SCENARIOS if not chosen or any(c.strip() in s.name for c in chosen.split(","))]
    rows: list[dict[str, Any]] = []
    await service.start()
    await reference.start()
    try:
        await same_answers(service, reference, key)
        with tempfile.TemporaryDirectory() as folder:
            for scenario in scenarios:
                script = wrk_script(Path(folder), key, scenario.bodies)
                runs: dict[str, list[Run]] = {"service": [], "reference": []}
                sessions = 0
                requests = 0
                # Warm up both (pool filled, caches built, code paths hot), unrecorded.
                for server in (service, reference):
                    await wrk(server, script, scenario.connections, max(1, scenario.seconds / 5))
                for _ in range(ROUNDS):
                    before = await sessions_opened()
                    run = await wrk(service, script, scenario.connections, scenario.seconds)
                    sessions += await sessions_opened() - before
                    requests += int(run.rps * scenario.seconds)
                    runs["service"].append(run)
                    runs["reference"].append(
                        await wrk(reference, script, scenario.connections, scenario.seconds)
                    )
                row = {
                    "scenario": scenario.name,
                    **{
                        f"{who}_{m}": median(runs[who], m)
                        for who in runs
                        for m in ("rps", "p50", "p99", "cpu_ms")
                    },
                    "new_sessions_per_request": sessions / max(requests, 1),
                    "errors": sum(r.errors for rs in runs.values() for r in rs),
                }
                row["ratio"] = row["service_rps"] / row["reference_rps"]
                rows.append(row)
                print(
                    f"{scenario.name:28} service {row['service_rps']:7.1f} req/s p50 {row['service_p50']:7.1f} ms "
                    f"p99 {row['service_p99']:7.1f} ms cpu {row['service_cpu_ms']:6.1f} ms | reference "
                    f"{row['reference_rps']:7.1f} req/s p50 {row['reference_p50']:6.1f} ms p99 "
                    f"{row['reference_p99']:6.1f} ms cpu {row['reference_cpu_ms']:5.1f} ms | ratio "
                    f"{row['ratio']:.2f} | new PG sessions/request {row['new_sessions_per_request']:.2f}"
                    + (f" | NON-2xx {row['errors']}" if row["errors"] else ""),
                    flush=True,
                )
    finally:
        await service.stop()
        await reference.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reads-latest.json").write_text(
        json.dumps({"statements": counts, "scenarios": rows}, indent=2)
    )


if __name__ == "__main__":
    asyncio.run(main())
