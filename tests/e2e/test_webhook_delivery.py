"""Webhook delivery survives a crash, and several workers share the outbox.

These start the service's own processes: a server killed with SIGKILL while deliveries
are pending, and two `python -m app worker` processes on one PostgreSQL database.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app.db.engine import Database, create_engine
from app.db.migrate import upgrade
from app.db.types import utcnow
from app.domain.events import Actor
from app.services import projects, virtual_currency
from tests.e2e.processes import Process, run, service_env
from tests.receiver import Receiver

pytestmark = pytest.mark.e2e
ADMIN_KEY = "cpk_e2e-webhooks-admin-0123456789abcdef"
CREATE_ENDPOINT = (
    "mutation($url: String!) { createWebhookEndpoint(input: {url: $url}) { userErrors { code } } }"
)
ADJUST = """mutation($id: String!, $n: Int!) {
  recordAppOpen(input: {appUserId: $id}) { userErrors { code } }
  adjustVirtualCurrency(input: {appUserId: $id, code: "GEMS", amount: $n}) { userErrors { code } } }"""


async def wait_for(condition, seconds: float) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds * 20)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting")


async def test_a_killed_server_delivers_every_pending_event_after_restart(tmp_path: Path) -> None:
    receiver = await Receiver(default="hang", hang_seconds=60).start()
    env = service_env(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}",
        APP_ENV="production",
        BOOTSTRAP_ADMIN_KEY=ADMIN_KEY,
        WEBHOOK_DISPATCHER="on",
        WEBHOOK_TIMEOUT_SECONDS="2",
        WEBHOOK_LEASE_MARGIN_SECONDS="0.5",
        WEBHOOK_RETRY_DELAYS="0.2,0.2,0.2,0.2,0.2",
        DISPATCHER_POLL_SECONDS="0.1",
    )
    await run(env, "migrate")
    server = await Process.server(env)
    try:
        await server.graphql(CREATE_ENDPOINT, ADMIN_KEY, url=receiver.url)
        for index in range(12):
            await server.graphql(ADJUST, ADMIN_KEY, id=f"crash-{index % 3}", n=index + 1)
        await wait_for(lambda: len(receiver.received) >= 1, 10)  # deliveries are in flight
        await server.kill()
        in_flight = {r.event["id"] for r in receiver.received}
        assert len(in_flight) < 12, "everything was delivered before the crash; nothing tested"

        receiver.default = 200
        server = await Process.server(env)

        async def statuses() -> list[str]:
            found = []
            for index in range(3):
                data = await server.graphql(
                    "query($id: String!) { customer(appUserId: $id) { history { edges { node { deliveries { status } } } } } }",
                    ADMIN_KEY,
                    id=f"crash-{index}",
                )
                found += [
                    d["status"] for e in data["customer"]["history"]["edges"] for d in e["node"]["deliveries"]
                ]
            return found

        # A request the hung receiver took before the crash counts as received but not as
        # delivered: the restarted server sends it again once its lease has run out.
        for _ in range(300):
            if await statuses() == ["DELIVERED"] * 12:
                break
            await asyncio.sleep(0.1)
        assert await statuses() == ["DELIVERED"] * 12
        delivered = {r.event["id"] for r in receiver.received}
        assert len(delivered) == 12  # none lost; duplicates are allowed (at least once)
    finally:
        await server.kill()
        await receiver.stop()


@pytest.fixture
async def fresh_postgres() -> AsyncIterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL)")
    url = make_url(base)
    name = f"cp_workers_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, database="postgres"
    )
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_two_workers_deliver_1000_events_exactly_once_in_order(fresh_postgres: str) -> None:
    await asyncio.to_thread(upgrade, fresh_postgres)
    receiver = await Receiver().start()
    db = Database(create_engine(fresh_postgres))
    try:
        project, _ = await projects.create_project(db, "workers")
        assert project.id is not None
        from app.services.webhooks import create_endpoint

        await create_endpoint(db, project.id, receiver.url, None, None, [], "test", utcnow())
        from app.services.identity import record_app_open

        for customer in range(50):
            await record_app_open(db, project.id, f"w-{customer}", None, utcnow())
        for amount in range(1, 21):
            await asyncio.gather(
                *(
                    virtual_currency.adjust_virtual_currency(
                        db,
                        project_id=project.id,
                        app_user_id=f"w-{customer}",
                        code="GEMS",
                        amount=amount,
                        actor=Actor("test"),
                        now=utcnow(),
                    )
                    for customer in range(50)
                )
            )
        env = service_env(
            DATABASE_URL=fresh_postgres, DISPATCHER_POLL_SECONDS="0.05", SCHEDULER_INTERVAL_SECONDS="3600"
        )
        workers = [await Process.worker(env), await Process.worker(env)]
        try:
            await wait_for(lambda: len(receiver.received) >= 1000, 120)
            await asyncio.sleep(1.0)  # anything sent twice would arrive by now
        finally:
            assert [await w.terminate() for w in workers] == [0, 0]
        ids = [r.event["id"] for r in receiver.received]
        assert len(ids) == 1000 and len(set(ids)) == 1000
        per_customer: dict[str, list[int]] = {}
        for event in receiver.events():
            per_customer.setdefault(event["app_user_id"], []).append(event["adjustments"][0]["amount"])
        assert len(per_customer) == 50
        assert all(amounts == list(range(1, 21)) for amounts in per_customer.values())
    finally:
        await receiver.stop()
        await db.dispose()
