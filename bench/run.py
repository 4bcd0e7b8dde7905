"""`make bench`: throughput figures, measured on this machine (not timed tests).

- receipts ingested per second: a 24-transaction receipt (two years of monthly
  renewals) posted for new customers, through the service layer, then re-posted
  unchanged (the idempotent path);
- the customer page through HTTP (one customer, notes, 20 events), requests per second;
- webhook delivery: events per second from one dispatcher to a fast local receiver
  (a process of its own, bench/fast_receiver.py);
- App Store notifications: verified and written to the inbox per second through HTTP,
  and applied (renewals) per second by the inbox worker; the same for Google Play RTDN
  pushes against a fake Google on loopback (bench/store_notifications.py);
- a probe query's p50/p99 alone, while 4 clients send the expensive-validation
  document, and while one client posts max-size receipts of 1,000 transactions
  (bench/abuse.py; a real server process).

Runs on SQLite, and on PostgreSQL when one answers on 127.0.0.1:5432 (a scratch
database is created and dropped). BENCH_SECONDS bounds each measurement.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from app.db.engine import Database, create_engine
from app.db.migrate import upgrade
from app.domain.enums import ApiKeyRole, Environment, ProductType, Store
from app.domain.events import Actor
from app.domain.prices import default_rate_table
from app.domain.receipts import TransactionState
from app.main import create_app
from app.services import projects
from app.services.identity import record_app_open
from app.services.receipts import PostedReceipt, record_receipt
from app.services.virtual_currency import adjust_virtual_currency
from app.services.webhooks import create_endpoint
from app.settings import Settings
from app.webhooks.dispatcher import Dispatcher
from bench.abuse import bench_probe_under_abuse
from bench.fast_receiver import FastReceiver
from bench.store_notifications import bench_app_store_notifications, bench_play_notifications

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
RESULTS = Path(__file__).with_name("results")


def receipt(app_user_id: str, original: str, start: datetime) -> PostedReceipt:
    transactions = [
        TransactionState(
            transaction_id=f"{original}-{month}",
            original_transaction_id=original,
            product_id="monthly",
            purchased_at=start + timedelta(days=30 * month),
            expires_at=start + timedelta(days=30 * (month + 1)),
            price=Decimal("9.99"),
            currency="EUR",
        )
        for month in range(24)
    ]
    return PostedReceipt(app_user_id, Store.APP_STORE, Environment.PRODUCTION, transactions)


async def bench_receipts(db: Database, project_id: int) -> dict[str, float]:
    rates = default_rate_table()
    start = datetime.now(UTC) - timedelta(days=30 * 23)
    posted: list[PostedReceipt] = []
    began = time.perf_counter()
    while time.perf_counter() - began < SECONDS:
        item = receipt(f"bench-{uuid.uuid4().hex[:12]}", uuid.uuid4().hex, start)
        await record_receipt(db, project_id, item, rates, datetime.now(UTC))
        posted.append(item)
    new_rate = len(posted) / (time.perf_counter() - began)
    began, count = time.perf_counter(), 0
    while time.perf_counter() - began < SECONDS:
        await record_receipt(db, project_id, posted[count % len(posted)], rates, datetime.now(UTC))
        count += 1
    return {
        "new_receipts_per_second": new_rate,
        "unchanged_receipts_per_second": count / (time.perf_counter() - began),
    }


CUSTOMER_QUERY = """query($id: String!) { customer(appUserId: $id) { appUserId totalSpent { amount }
  entitlements { entitlement { identifier } isActive expiresAt } purchases { productId status }
  history(first: 20) { edges { node { type description purchasedAt priceUsd { amount } } } } } }"""


async def bench_customer_page(db: Database, url: str, key: str, app_user_id: str) -> dict[str, float]:
    # The per-key rate limit (600 a minute) would cut the measurement short: it measures
    # the page, and the limits have benchmarks of their own (bench/abuse.py).
    settings = Settings(
        database_url=url, app_env="production", webhook_dispatcher="off", rate_limit_per_key="1000000/minute"
    )
    app = create_app(settings, db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        headers = {"Authorization": f"Bearer {key}"}
        body = {"query": CUSTOMER_QUERY, "variables": {"id": app_user_id}}
        began, count = time.perf_counter(), 0
        while time.perf_counter() - began < SECONDS:
            response = await client.post("/graphql", json=body, headers=headers)
            assert response.status_code == 200 and "errors" not in response.json(), response.text
            count += 1
    return {"customer_page_requests_per_second": count / (time.perf_counter() - began)}


async def bench_webhooks(db: Database, project_id: int) -> dict[str, float]:
    with FastReceiver() as receiver:
        await create_endpoint(db, project_id, receiver.url, None, None, [], "bench", datetime.now(UTC))
        events = 1000
        customers = 100
        for index in range(customers):
            await record_app_open(db, project_id, f"hook-{index}", None, datetime.now(UTC))
        for index in range(events):
            await adjust_virtual_currency(
                db,
                project_id=project_id,
                app_user_id=f"hook-{index % customers}",
                code="GEMS",
                amount=1,
                actor=Actor("bench"),
                now=datetime.now(UTC),
            )
        # As the worker makes it (its batch size and concurrency); the receiver is on loopback.
        dispatcher = Dispatcher(db, [1], 10.0, allow_private_urls=True)
        began, attempted = time.perf_counter(), 0
        while attempted < events and time.perf_counter() - began < 120:
            attempted += await dispatcher.run_once()
        elapsed = time.perf_counter() - began
        await dispatcher.close()
        received = await asyncio.to_thread(receiver.count)
        assert received == events, f"the receiver counted {received} of {events} deliveries"
        return {"webhook_events_per_second": received / elapsed}


async def run_backend(name: str, url: str) -> dict[str, Any]:
    await asyncio.to_thread(upgrade, url)
    db = Database(create_engine(url))
    try:
        project, admin = await projects.create_project(db, f"bench-{name}")
        assert project.id is not None
        await projects.create_entitlement(db, project.id, "pro", "Pro")
        await projects.create_product(
            db,
            project.id,
            "monthly",
            Store.APP_STORE,
            ProductType.SUBSCRIPTION,
            (Decimal("9.99"), "EUR"),
            ["pro"],
        )
        results: dict[str, Any] = {"database": name}
        results |= await bench_receipts(db, project.id)
        await record_receipt(
            db,
            project.id,
            receipt("page-user", "page-sub", datetime.now(UTC) - timedelta(days=30 * 23)),
            default_rate_table(),
            datetime.now(UTC),
        )
        viewer = await projects.create_api_key(db, project.id, "bench viewer", ApiKeyRole.VIEWER)
        results |= await bench_customer_page(db, url, viewer.secret, "page-user")
        results |= await bench_webhooks(db, project.id)
        results |= await bench_app_store_notifications(db, url, project.id, SECONDS)
        results |= await bench_play_notifications(db, url, project.id, SECONDS)
        del admin
        return results
    finally:
        await db.dispose()


async def postgres_url() -> tuple[str, str] | None:
    try:
        admin = await asyncpg.connect(
            host="127.0.0.1", port=5432, user="postgres", database="postgres", timeout=3
        )
    except (OSError, asyncpg.PostgresError):
        return None
    name = f"cp_bench_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return name, f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


async def drop_postgres(name: str) -> None:
    admin = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows.append(await run_backend("sqlite", f"sqlite+aiosqlite:///{folder}/bench.db"))
        # Event-loop health under abuse (a server process).
        rows[0] |= await bench_probe_under_abuse(f"sqlite+aiosqlite:///{folder}/abuse.db")
    pg = await postgres_url()
    if pg:
        try:
            rows.append(await run_backend("postgresql", pg[1]))
            rows[1] |= await bench_probe_under_abuse(pg[1])
        finally:
            await drop_postgres(pg[0])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(rows, indent=2))
    keys = [k for k in rows[0] if k != "database"]
    print(f"{'measure':40}" + "".join(f"{r['database']:>14}" for r in rows))
    for key in keys:
        print(f"{key:40}" + "".join(f"{r[key]:>14.1f}" if key in r else f"{'-':>14}" for r in rows))


if __name__ == "__main__":
    asyncio.run(main())
