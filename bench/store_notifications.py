"""App Store notifications: how many verified notifications per second the endpoint
takes in (signature checks with Apple's library, offline, plus the inbox insert), and
how many the inbox worker applies (each a renewal of one of 50 subscriptions)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx

from app.db.engine import Database
from app.domain.enums import Store
from app.domain.prices import default_rate_table
from app.main import create_app
from app.services.store_apps import AppStoreAppRequest, configure_app_store_app, notification_path
from app.services.store_notifications import InboxWorker
from app.services.store_purchases import StorePurchaseRequest, record_store_purchase
from app.settings import Settings
from app.stores.app_store.api_client import AppStoreServerApi
from tests.store_pki import APP_APPLE_ID, BUNDLE_ID, TestPKI, ms, notification_payload, transaction_claims

SUBSCRIPTIONS = 50
RENEWALS = 80
MONTH = timedelta(days=30)


async def bench_app_store_notifications(
    db: Database, url: str, project_id: int, seconds: float
) -> dict[str, float]:
    pki = TestPKI()
    settings = Settings(database_url=url, app_env="production", webhook_dispatcher="off")
    app_row = await configure_app_store_app(
        db,
        settings,
        project_id,
        AppStoreAppRequest(bundle_id=BUNDLE_ID, app_apple_id=str(APP_APPLE_ID), root_certificates=[pki.root_base64],
                           online_checks=False),
        datetime.now(UTC),
    )  # fmt: skip
    api = AppStoreServerApi(settings.apple_api_base, settings.apple_sandbox_api_base, 5.0)
    # The test chain is valid from 2020: 80 monthly renewals of each subscription fit.
    start = datetime.now(UTC) - MONTH * RENEWALS
    rates = default_rate_table()
    for index in range(SUBSCRIPTIONS):
        first = transaction_claims(f"n{index}-0", start, start + MONTH, original_transaction_id=f"n{index}-0")
        request = StorePurchaseRequest(
            f"notified-{index}", store=Store.APP_STORE, signed_transaction=pki.sign(first)
        )
        await record_store_purchase(db, settings, api, project_id, request, rates, datetime.now(UTC))

    # Signed beforehand: the measure is the service's work, not the test signer's.
    bodies = []
    for month in range(1, RENEWALS):
        for index in range(SUBSCRIPTIONS):
            period = start + MONTH * month
            txn = transaction_claims(
                f"n{index}-{month}", period, period + MONTH, original_transaction_id=f"n{index}-0",
                signedDate=ms(period),
            )  # fmt: skip
            bodies.append(
                {"signedPayload": pki.sign(notification_payload(pki, "DID_RENEW", transaction=txn))}
            )
            if len(bodies) >= 4000:
                break
        if len(bodies) >= 4000:
            break

    service = create_app(settings, db)
    path = notification_path(app_row)
    received = 0
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=service), base_url="http://bench"
    ) as client:
        began = time.perf_counter()
        while received < len(bodies) and time.perf_counter() - began < seconds:
            response = await client.post(path, json=bodies[received])
            assert response.status_code == 200, response.text
            received += 1
        receive_rate = received / (time.perf_counter() - began)

    worker = InboxWorker(db, settings, api, rates, lambda: datetime.now(UTC))
    began, applied = time.perf_counter(), 0
    while time.perf_counter() - began < seconds:
        done = await worker.run_once()
        if not done:
            break
        applied += done
    apply_rate = applied / (time.perf_counter() - began)
    await api.close()
    return {
        "app_store_notifications_received_per_second": receive_rate,
        "app_store_notifications_applied_per_second": apply_rate,
    }
