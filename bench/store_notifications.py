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


async def bench_play_notifications(
    db: Database, url: str, project_id: int, seconds: float
) -> dict[str, float]:
    """RTDN pushes (verified OIDC token, inbox insert) and their application (subscriptionsv2
    and orders read back from a fake Google on loopback) per second."""
    import base64
    import json

    from app.services.store_apps import PlayStoreAppRequest, configure_play_store_app
    from tests.fake_stores import FakeGooglePlay

    google = await FakeGooglePlay().start()
    try:
        settings = Settings(
            database_url=url, app_env="production", webhook_dispatcher="off", secret_key="bench-secret-key-0123456789abcdef",
            google_play_api_base=google.url, google_oidc_certs_url=google.certs_url,
        )  # fmt: skip
        await _play_product(db, project_id)
        app_row = await configure_play_store_app(
            db, settings, project_id,
            PlayStoreAppRequest("com.example.app", "push@example.com", json.dumps(google.service_account()), "bench"),
            datetime.now(UTC),
        )  # fmt: skip
        start = datetime.now(UTC) - MONTH * 30
        for index in range(SUBSCRIPTIONS):
            _play_subscription(google, index, start, months=1)
            request = StorePurchaseRequest(f"play-{index}", Store.PLAY_STORE, purchase_token=f"tok-{index}")
            await record_store_purchase(
                db, settings, api_for(settings), project_id, request, default_rate_table(), datetime.now(UTC)
            )
        for index in range(SUBSCRIPTIONS):
            _play_subscription(google, index, start, months=2)  # each renewed once more
        service = create_app(settings, db)
        path = notification_path(app_row)
        token = google.push_token("bench", "push@example.com")
        received = 0
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=service), base_url="http://bench"
        ) as client:
            began = time.perf_counter()
            while time.perf_counter() - began < seconds and received < SUBSCRIPTIONS * 20:
                index = received % SUBSCRIPTIONS
                body = {"packageName": "com.example.app", "eventTimeMillis": str(int(time.time() * 1000)),
                        "subscriptionNotification": {"notificationType": 2, "purchaseToken": f"tok-{index}"}}  # fmt: skip
                push = {"message": {"data": base64.b64encode(json.dumps(body).encode()).decode(),
                                    "messageId": f"m-{received}"}}  # fmt: skip
                response = await client.post(path, json=push, headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 200, response.text
                received += 1
            receive_rate = received / (time.perf_counter() - began)
        worker = InboxWorker(db, settings, api_for(settings), default_rate_table(), lambda: datetime.now(UTC))
        began, applied = time.perf_counter(), 0
        while time.perf_counter() - began < seconds:
            done = await worker.run_once()
            if not done:
                break
            applied += done
        return {
            "play_notifications_received_per_second": receive_rate,
            "play_notifications_applied_per_second": applied / (time.perf_counter() - began),
        }
    finally:
        await google.stop()


def api_for(settings: Settings) -> AppStoreServerApi:
    return AppStoreServerApi(settings.apple_api_base, settings.apple_sandbox_api_base, 5.0)


async def _play_product(db: Database, project_id: int) -> None:
    from app.domain.enums import ProductType
    from app.services import projects

    await projects.create_product(db, project_id, "play_monthly:monthly", Store.PLAY_STORE, ProductType.SUBSCRIPTION,
                                  None, [])  # fmt: skip


def _play_subscription(google: object, index: int, start: datetime, months: int) -> None:
    def iso(moment: datetime) -> str:
        return moment.isoformat().replace("+00:00", "Z")

    base = f"GPA.{index}"
    ids = [base, *(f"{base}..{n}" for n in range(months - 1))]
    for number, order_id in enumerate(ids):
        period = start + MONTH * number
        google.orders[order_id] = {  # type: ignore[attr-defined]
            "orderId": order_id, "state": "PROCESSED", "total": {"currencyCode": "EUR", "units": "8", "nanos": 990000000},
            "lineItems": [{"productId": "play_monthly", "subscriptionDetails": {
                "basePlanId": "monthly", "servicePeriodStartTime": iso(period),
                "servicePeriodEndTime": iso(period + MONTH)}}],
        }  # fmt: skip
    google.subscriptions[f"tok-{index}"] = {  # type: ignore[attr-defined]
        "subscriptionState": "SUBSCRIPTION_STATE_ACTIVE", "acknowledgementState": "ACKNOWLEDGEMENT_STATE_ACKNOWLEDGED",
        "lineItems": [{"productId": "play_monthly", "expiryTime": iso(start + MONTH * months),
                       "autoRenewingPlan": {"autoRenewEnabled": True}, "offerDetails": {"basePlanId": "monthly"},
                       "latestSuccessfulOrderId": ids[-1]}],
    }  # fmt: skip
