"""Verified store notifications survive a crash: the service's own server process,
killed with SIGKILL with notifications in its inbox (and again while applying them),
applies every one after a restart, none twice (DESIGN 4.10)."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import Process, run, service_env
from tests.store_pki import APP_APPLE_ID, BUNDLE_ID, TestPKI, ms, notification_payload, transaction_claims

pytestmark = pytest.mark.e2e
ADMIN_KEY = "cpk_e2e-store-inbox-admin-0123456789abcdef"
RENEWALS = 24
MONTH = timedelta(days=30)
T0 = datetime.now(UTC).replace(microsecond=0) - MONTH * (RENEWALS + 2)
SETUP = """mutation($root: String!, $bundle: String!, $appleId: String!) {
  e: createEntitlement(input: {identifier: "pro"}) { userErrors { code } }
  p: createProduct(input: {identifier: "monthly", store: APP_STORE, type: SUBSCRIPTION,
                           entitlementIdentifiers: ["pro"]}) { userErrors { code } }
  a: configureAppStoreApp(input: {bundleId: $bundle, appAppleId: $appleId, rootCertificates: [$root],
                                  onlineChecks: false}) { storeApp { notificationPath } userErrors { code } }
}"""
PURCHASE = """mutation($jws: String!) {
  recordStorePurchase(input: {appUserId: "crash-user", store: APP_STORE, signedTransaction: $jws}) {
    events { type } userErrors { code } } }"""
STATE = """{ customer(appUserId: "crash-user") { history(first: 100) { edges { node { type } } } }
  project { storeApps { notifications(first: 100) { status } } } }"""


def period(index: int) -> dict[str, object]:
    start = T0 + MONTH * index
    return transaction_claims(f"t-{index}", start, start + MONTH, original_transaction_id="t-0")


async def state(server: Process) -> tuple[list[str], list[str]]:
    data = await server.graphql(STATE, ADMIN_KEY)
    events = [e["node"]["type"] for e in data["customer"]["history"]["edges"]]
    statuses = [n["status"] for n in data["project"]["storeApps"][0]["notifications"]]
    return events, statuses


async def test_inbox_rows_are_applied_after_a_crash_and_never_twice(tmp_path: Path) -> None:
    pki = TestPKI()
    env = service_env(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'inbox.db'}",
        APP_ENV="production",
        BOOTSTRAP_ADMIN_KEY=ADMIN_KEY,
        WEBHOOK_DISPATCHER="off",  # no inbox worker: the notifications stay in the inbox
        STORE_NOTIFICATION_POLL_SECONDS="0.05",
        # A row the killed server had claimed is free again after 2 x 1 + 0.5 s.
        STORE_TIMEOUT_SECONDS="1",
        WEBHOOK_LEASE_MARGIN_SECONDS="0.5",
    )
    await run(env, "migrate")
    server = await Process.server(env)
    try:
        setup = await server.graphql(
            SETUP, ADMIN_KEY, root=pki.root_base64, bundle=BUNDLE_ID, appleId=str(APP_APPLE_ID)
        )
        path = setup["a"]["storeApp"]["notificationPath"]
        bought = await server.graphql(PURCHASE, ADMIN_KEY, jws=pki.sign(period(0)))
        assert bought["recordStorePurchase"]["events"] == [{"type": "STARTED_SUBSCRIPTION"}]
        async with httpx.AsyncClient(base_url=server.url) as client:
            for index in range(1, RENEWALS + 1):
                claims = notification_payload(
                    pki, "DID_RENEW", transaction=period(index) | {"signedDate": ms(T0 + MONTH * index)}
                )
                response = await client.post(path, json={"signedPayload": pki.sign(claims)})
                assert response.status_code == 200
        _, statuses = await state(server)
        assert statuses == ["PENDING"] * RENEWALS
        await server.kill()

        # A server that applies them, killed while it does, then one that finishes.
        env["WEBHOOK_DISPATCHER"] = "on"
        server = await Process.server(env)
        await asyncio.sleep(0.3)
        await server.kill()
        server = await Process.server(env)
        for _ in range(200):
            events, statuses = await state(server)
            if statuses == ["APPLIED"] * RENEWALS:
                break
            await asyncio.sleep(0.1)
        assert statuses == ["APPLIED"] * RENEWALS
        renewals = [e for e in events if e == "RENEWED"]
        assert len(renewals) == RENEWALS  # every renewal once: none lost, none applied twice
        assert events.count("STARTED_SUBSCRIPTION") == 1
    finally:
        await server.kill()
