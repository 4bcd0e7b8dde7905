"""Probe latency alone, while 4 clients send the expensive-validation document
(issue 13 item 2): 490 repeated `purchases { id }` fields, which took graphql-core 1.6 s
or more to validate before the structural check refused it up front, and while one
client posts max-size receipts (1,000 transactions each, one after the other).

A real server process (uvicorn over HTTP on loopback, production settings), on SQLite
and on PostgreSQL; the probe is a small query sent one at a time; the abusers loop on
their own connections.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from datetime import UTC, datetime, timedelta

import httpx

from tests.e2e.processes import Process, run, service_env

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
KEY = "cpk_bench-abuse-admin-0123456789abcdef"
PROBE = '{ project { name } customer(appUserId: "nobody") { id } }'
ABUSE = '{ customer(appUserId: "x") { ' + "purchases { id } " * 490 + "} }"
ABUSERS = 4


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "n": float(len(ordered)),
    }


async def probe(url: str, seconds: float) -> list[float]:
    latencies = []
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        began = time.perf_counter()
        while time.perf_counter() - began < seconds:
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": PROBE})
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
            await asyncio.sleep(0.01)
    return latencies


async def abuse(url: str, stop: asyncio.Event, refused: list[int]) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        while not stop.is_set():
            response = await client.post("/graphql", json={"query": ABUSE})
            refused.append(response.status_code)


MAX_RECEIPT = """mutation($input: RecordReceiptInput!) {
  recordReceipt(input: $input) { customer { id } userErrors { code } } }"""
CATALOG = """mutation {
  e: createEntitlement(input: {identifier: "pro", displayName: "Pro"}) { userErrors { code } }
  p: createProduct(input: {identifier: "monthly", store: APP_STORE, type: SUBSCRIPTION,
     price: {amount: "9.99", currency: "USD"}, entitlementIdentifiers: ["pro"]}) { userErrors { code } }
}"""


def max_receipt(app_user_id: str) -> dict[str, object]:
    """1,000 monthly renewals of one subscription (the most a receipt may hold)."""
    start = datetime(1940, 1, 1, tzinfo=UTC)
    transactions = [
        {
            "transactionId": f"{app_user_id}-{i}",
            "originalTransactionId": f"{app_user_id}-0",
            "productId": "monthly",
            "purchasedAt": (start + timedelta(days=30 * i)).isoformat(),
            "expiresAt": (start + timedelta(days=30 * i + 30)).isoformat(),
        }
        for i in range(1000)
    ]
    return {"input": {"appUserId": app_user_id, "store": "APP_STORE", "transactions": transactions}}


async def post_max_receipts(url: str, stop: asyncio.Event, posted: list[float]) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as client:
        while not stop.is_set():
            started = time.perf_counter()
            response = await client.post(
                "/graphql", json={"query": MAX_RECEIPT, "variables": max_receipt(f"big-{len(posted)}")}
            )
            assert response.status_code == 200 and '"userErrors":[]' in response.text, response.text[:300]
            posted.append(time.perf_counter() - started)


async def probe_during_max_receipts(url: str) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {KEY}"}) as client:
        assert (await client.post("/graphql", json={"query": CATALOG})).status_code == 200
    stop, posted = asyncio.Event(), []
    poster = asyncio.create_task(post_max_receipts(url, stop, posted))
    await asyncio.sleep(0.2)
    during = percentiles(await probe(url, SECONDS))
    stop.set()
    await poster
    return {
        "probe_during_max_receipt_p50_ms": during["p50_ms"],
        "probe_during_max_receipt_p99_ms": during["p99_ms"],
        "max_receipt_seconds": statistics.median(posted) if posted else float("nan"),
    }


async def bench_probe_under_abuse(database_url: str) -> dict[str, float]:
    env = service_env(
        DATABASE_URL=database_url,
        APP_ENV="production",
        BOOTSTRAP_ADMIN_KEY=KEY,
        WEBHOOK_DISPATCHER="off",
        # the abusers share one key and address: measure the event loop, not the limiter
        RATE_LIMIT_PER_KEY="1000000/minute",
    )
    await run(env, "migrate")
    server = await Process.server(env)
    try:
        assert server.url is not None
        await probe(server.url, 1.0)  # warm up
        alone = percentiles(await probe(server.url, SECONDS))
        stop, statuses = asyncio.Event(), []
        abusers = [asyncio.create_task(abuse(server.url, stop, statuses)) for _ in range(ABUSERS)]
        await asyncio.sleep(0.5)
        loaded = percentiles(await probe(server.url, SECONDS))
        stop.set()
        await asyncio.gather(*abusers)
        receipts = await probe_during_max_receipts(server.url)
    finally:
        await server.terminate()
    return {
        "probe_alone_p50_ms": alone["p50_ms"],
        "probe_alone_p99_ms": alone["p99_ms"],
        "probe_under_abuse_p50_ms": loaded["p50_ms"],
        "probe_under_abuse_p99_ms": loaded["p99_ms"],
        "abusive_requests_refused": float(len(statuses)),
        **receipts,
    }
