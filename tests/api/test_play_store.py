"""Google Play purchases from the Play Developer API (DESIGN 4.10): recordStorePurchase
with a purchase token, looked up in a fake Google on loopback with a real service-account
token exchange (google-auth), as subscriptionsv2, orders and products answer."""

import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import select

from app.db.engine import Database
from app.db.models import StoreNotification
from app.domain.enums import NotificationStatus
from app.main import create_app
from app.services.rates import rate_table
from app.services.store_notifications import InboxWorker
from app.stores.registry import StoreAdapters
from tests.conftest import ApiClient, Clock, make_settings, new_api_client
from tests.fake_stores import FakeGooglePlay

PACKAGE = "com.example.app"
AUDIENCE = "https://api.example.com/rtdn"
PUSH_EMAIL = "push@example.iam.gserviceaccount.com"
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=20)
USER = "play-user"
PURCHASE = """mutation($token: String!, $product: String, $user: String!) {
  recordStorePurchase(input: {appUserId: $user, store: PLAY_STORE, purchaseToken: $token, productId: $product}) {
    events { type periodType price { amount currency } environment } userErrors { code message } } }"""
STATE = """query($id: String!) { customer(appUserId: $id) {
  purchases(sandbox: true) { id productId status willRenew refundedAt environment canRefund }
  entitlements(sandbox: true) { isActive billingIssueDetectedAt }
  history(first: 50, sandbox: true) { edges { node { type } } } } }"""


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def order(order_id: str, start: datetime, days: int, units: int, nanos: int = 0, trial: bool = False,
          **changes: Any) -> dict[str, Any]:  # fmt: skip
    phase = {"freeTrial": {}} if trial else {"basePrice": {}}
    body: dict[str, Any] = {
        "orderId": order_id, "state": "PROCESSED", "purchaseToken": "tok-1",
        "total": {"currencyCode": "EUR", "units": str(units), "nanos": nanos},
        "lineItems": [{"productId": "play_monthly", "subscriptionDetails": {
            "basePlanId": "monthly", "servicePeriodStartTime": iso(start),
            "servicePeriodEndTime": iso(start + timedelta(days=days)), "offerPhaseDetails": phase}}],
    }  # fmt: skip
    body.update(changes)
    return body


def subscription(latest_order: str, expiry: datetime, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "androidpublisher#subscriptionPurchaseV2", "regionCode": "DE", "startTime": iso(T0),
        "subscriptionState": "SUBSCRIPTION_STATE_ACTIVE", "acknowledgementState": "ACKNOWLEDGEMENT_STATE_PENDING",
        "lineItems": [{"productId": "play_monthly", "expiryTime": iso(expiry),
                       "autoRenewingPlan": {"autoRenewEnabled": True}, "offerDetails": {"basePlanId": "monthly"},
                       "latestSuccessfulOrderId": latest_order}],
    }  # fmt: skip
    body.update(changes)
    return body


class Play:
    def __init__(
        self, api: ApiClient, google: FakeGooglePlay, clock: Clock, worker: InboxWorker, path: str
    ) -> None:
        self.api, self.google, self.clock, self.worker, self.path = api, google, clock, worker, path

    async def push(self, notification: dict[str, Any], message_id: str, token: str | None = None,
                   package: str = PACKAGE) -> httpx.Response:  # fmt: skip
        body = {"packageName": package, "eventTimeMillis": str(int(datetime.now(UTC).timestamp() * 1000)),
                "version": "1.0"} | notification  # fmt: skip
        push = {"message": {"data": base64.b64encode(json.dumps(body).encode()).decode(), "messageId": message_id,
                            "publishTime": iso(datetime.now(UTC))},
                "subscription": "projects/p/subscriptions/rtdn"}  # fmt: skip
        bearer = token or self.google.push_token(AUDIENCE, PUSH_EMAIL)
        return await self.api.http.post(self.path, json=push, headers={"Authorization": f"Bearer {bearer}"})

    async def apply(self) -> None:
        while await self.worker.run_once():
            pass

    async def inbox(self) -> list[StoreNotification]:
        async with self.api.db.read() as session:
            statement = select(StoreNotification).where(StoreNotification.project_id == self.api.project_id)
            return list((await session.exec(statement.order_by(StoreNotification.id))).all())

    async def purchase(
        self, token: str = "tok-1", product: str | None = None, user: str = USER
    ) -> dict[str, Any]:
        data = await self.api.gql(PURCHASE, {"token": token, "product": product, "user": user})
        return data["recordStorePurchase"]  # type: ignore[no-any-return]

    async def state(self, user: str = USER) -> dict[str, Any]:
        return (await self.api.gql(STATE, {"id": user}))["customer"]  # type: ignore[no-any-return]

    async def history(self, user: str = USER) -> list[str]:
        return [e["node"]["type"] for e in reversed((await self.state(user))["history"]["edges"])]


@pytest.fixture
async def google_fake() -> AsyncIterator[FakeGooglePlay]:
    server = await FakeGooglePlay().start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def play(
    db: Database, database_urls: dict[str, str], backend: str, clock: Clock, google_fake: FakeGooglePlay
) -> AsyncIterator[Play]:
    settings = make_settings(
        database_urls[backend],
        google_play_api_base=google_fake.url,
        google_oidc_certs_url=google_fake.certs_url,
        store_timeout_seconds=2,
    )
    api = await new_api_client(db, create_app(settings, db, clock))
    await api.gql(
        'mutation { e: createEntitlement(input: {identifier: "pro"}) { userErrors { code } } '
        'p: createProduct(input: {identifier: "play_monthly:monthly", store: PLAY_STORE, type: SUBSCRIPTION, '
        'entitlementIdentifiers: ["pro"]}) { userErrors { code } } '
        'c: createProduct(input: {identifier: "coins_100", store: PLAY_STORE, type: CONSUMABLE}) { userErrors { code } } }'
    )
    data = await api.gql(
        "mutation($sa: String!, $pkg: String!) { configurePlayStoreApp(input: {packageName: $pkg, "
        'pushServiceAccountEmail: "push@example.iam.gserviceaccount.com", serviceAccountJson: $sa, '
        'pushAudience: "https://api.example.com/rtdn"}) '
        "{ storeApp { notificationPath hasApiCredentials } userErrors { code field } } }",
        {"sa": json.dumps(google_fake.service_account()), "pkg": PACKAGE},
    )
    assert data["configurePlayStoreApp"]["userErrors"] == []
    assert data["configurePlayStoreApp"]["storeApp"]["hasApiCredentials"] is True
    worker = InboxWorker(db, settings, StoreAdapters().app_store_api, rate_table(settings), clock)
    try:
        yield Play(
            api, google_fake, clock, worker, data["configurePlayStoreApp"]["storeApp"]["notificationPath"]
        )
    finally:
        await api.http.aclose()


def trial_then_paid(google: FakeGooglePlay) -> None:
    google.orders = {
        "GPA.1": order("GPA.1", T0, 7, 0, trial=True),
        "GPA.1..0": order("GPA.1..0", T0 + timedelta(days=7), 30, 8, 990000000),
    }
    google.subscriptions["tok-1"] = subscription("GPA.1..0", T0 + timedelta(days=37))


async def test_a_token_becomes_the_subscription_google_holds(play: Play) -> None:
    trial_then_paid(play.google)
    result = await play.purchase()
    assert result["userErrors"] == []
    assert [(e["type"], e["periodType"], e["environment"]) for e in result["events"]] == [
        ("STARTED_TRIAL", "TRIAL", "PRODUCTION"), ("CONVERTED_FROM_TRIAL", "NORMAL", "PRODUCTION"),
    ]  # fmt: skip
    assert result["events"][1]["price"] == {"amount": "8.99", "currency": "EUR"}
    assert play.google.acknowledged == ["tok-1"]  # acknowledged within Google's three days
    [purchase] = (await play.state())["purchases"]
    assert (purchase["productId"], purchase["status"], purchase["canRefund"]) == (
        "play_monthly:monthly",
        "ACTIVE",
        True,
    )
    assert (await play.purchase())["events"] == []  # idempotent

    refund = await play.api.gql(
        "mutation($id: ID!) { refundPurchase(input: {purchaseId: $id}) { userErrors { code } } }",
        {"id": purchase["id"]},
    )
    assert refund["refundPurchase"]["userErrors"] == []
    [call] = play.google.calls(":revoke")
    assert "/applications/com.example.app/purchases/subscriptionsv2/tokens/tok-1:revoke" in call.path


async def test_cancel_grace_refund_and_pause_follow_google(play: Play) -> None:
    trial_then_paid(play.google)
    await play.purchase()
    line = play.google.subscriptions["tok-1"]["lineItems"][0]

    line["autoRenewingPlan"] = {"autoRenewEnabled": False}
    play.google.subscriptions["tok-1"]["canceledStateContext"] = {"userInitiatedCancellation": {}}
    await play.purchase()
    assert (await play.history())[-1] == "OPTED_OUT_OF_RENEWAL"

    line["autoRenewingPlan"] = {"autoRenewEnabled": True}
    del play.google.subscriptions["tok-1"]["canceledStateContext"]
    play.google.subscriptions["tok-1"]["subscriptionState"] = "SUBSCRIPTION_STATE_IN_GRACE_PERIOD"
    line["expiryTime"] = iso(T0 + timedelta(days=44))
    await play.purchase()
    # Renewal is back on, and the charge failed: a billing issue, access through the grace period.
    assert sorted((await play.history())[-3:]) == [
        "CANCELLED_BILLING_ERROR",
        "HAD_BILLING_ISSUE",
        "RESUBSCRIBED",
    ]
    assert (await play.state())["entitlements"][0]["isActive"] is True  # through the grace period

    play.google.subscriptions["tok-1"]["subscriptionState"] = "SUBSCRIPTION_STATE_ACTIVE"
    play.google.orders["GPA.1..0"] |= {"state": "REFUNDED",
                                       "orderHistory": {"refundEvent": {"eventTime": iso(datetime.now(UTC))}}}  # fmt: skip
    await play.purchase()
    assert (await play.history())[-1] == "REFUNDED"


async def test_what_google_does_not_know_is_refused(play: Play) -> None:
    trial_then_paid(play.google)
    unknown = await play.purchase(token="tok-unknown")
    assert [e["code"] for e in unknown["userErrors"]] == ["VERIFICATION_FAILED"]
    play.google.package = "com.other.app"  # the token belongs to another app
    assert [e["code"] for e in (await play.purchase())["userErrors"]] == ["VERIFICATION_FAILED"]
    play.google.package = PACKAGE
    play.google.answer = 500
    assert [e["code"] for e in (await play.purchase())["userErrors"]] == ["STORE_ERROR"]
    assert await play.state() is None


async def test_a_test_purchase_is_sandbox_and_a_one_time_product_is_one_order(play: Play) -> None:
    trial_then_paid(play.google)
    play.google.subscriptions["tok-1"]["testPurchase"] = {}
    result = await play.purchase()
    assert {e["environment"] for e in result["events"]} == {"SANDBOX"}

    play.google.products["tok-coins"] = {"orderId": "GPA.9", "purchaseTimeMillis": str(int(T0.timestamp() * 1000)),
                                         "purchaseState": 0, "acknowledgementState": 0, "regionCode": "DE"}  # fmt: skip
    play.google.orders["GPA.9"] = {"orderId": "GPA.9", "state": "PROCESSED",
                                   "total": {"currencyCode": "EUR", "units": "1", "nanos": 490000000}}  # fmt: skip
    coins = await play.purchase(token="tok-coins", product="coins_100", user="coin-user")
    assert [(e["type"], e["price"]) for e in coins["events"]] == [
        ("MADE_PURCHASE", {"amount": "1.49", "currency": "EUR"})
    ]
    assert "tok-coins" in play.google.acknowledged


def subscription_notification(kind: int, token: str = "tok-1") -> dict[str, Any]:
    return {"subscriptionNotification": {"version": "1.0", "notificationType": kind, "purchaseToken": token,
                                         "subscriptionId": "play_monthly"}}  # fmt: skip


async def test_real_time_notifications_re_read_the_purchase(play: Play) -> None:
    trial_then_paid(play.google)
    # PURCHASED arrives before the app reports the token: kept until then.
    assert (await play.push(subscription_notification(4), "m-1")).status_code == 200
    await play.apply()
    assert [r.status for r in await play.inbox()] == [NotificationStatus.PARKED]
    await play.purchase()
    await play.apply()
    assert [r.status for r in await play.inbox()] == [NotificationStatus.APPLIED]
    assert await play.history() == ["STARTED_TRIAL", "CONVERTED_FROM_TRIAL"]

    # CANCELED: whatever the type says, Google's current state is what is applied.
    play.google.subscriptions["tok-1"]["lineItems"][0]["autoRenewingPlan"] = {"autoRenewEnabled": False}
    play.google.subscriptions["tok-1"]["canceledStateContext"] = {"userInitiatedCancellation": {}}
    assert (await play.push(subscription_notification(3), "m-2")).status_code == 200
    assert (await play.push(subscription_notification(3), "m-2")).status_code == 200  # Pub/Sub redelivery
    await play.apply()
    assert (await play.history())[-1] == "OPTED_OUT_OF_RENEWAL"
    assert len(await play.inbox()) == 2

    # An upgrade: a new token, linked to the old one, is the same customer's.
    play.google.orders["GPA.2"] = order("GPA.2", datetime.now(UTC) - timedelta(days=1), 30, 8, 990000000)
    # Google ended the old purchase when the new one began.
    ended = iso(datetime.now(UTC) - timedelta(days=1))
    play.google.subscriptions["tok-1"] |= {"subscriptionState": "SUBSCRIPTION_STATE_EXPIRED",
                                           "canceledStateContext": {"replacementCancellation": {}}}  # fmt: skip
    play.google.subscriptions["tok-1"]["lineItems"][0]["expiryTime"] = ended
    play.google.orders["GPA.1..0"]["lineItems"][0]["subscriptionDetails"]["servicePeriodEndTime"] = ended
    play.google.subscriptions["tok-2"] = subscription("GPA.2", datetime.now(UTC) + timedelta(days=29),
                                                      linkedPurchaseToken="tok-1")  # fmt: skip
    assert (await play.push(subscription_notification(4, token="tok-2"), "m-3")).status_code == 200
    await play.apply()
    assert [r.status for r in await play.inbox()][-1] is NotificationStatus.APPLIED
    statuses = sorted(p["status"] for p in (await play.state())["purchases"])
    assert statuses == ["ACTIVE", "EXPIRED"]  # the replaced purchase ended where Google ended it


async def test_a_push_google_did_not_sign_for_this_app_is_refused(play: Play) -> None:
    trial_then_paid(play.google)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for token in (
        play.google.push_token("https://attacker.example/rtdn", PUSH_EMAIL),
        play.google.push_token(AUDIENCE, "someone@else.iam.gserviceaccount.com"),
        play.google.push_token(AUDIENCE, PUSH_EMAIL, email_verified=False),
        play.google.push_token(AUDIENCE, PUSH_EMAIL, iss="https://evil.example"),
        play.google.push_token(AUDIENCE, PUSH_EMAIL, key=other_key),
        play.google.push_token(AUDIENCE, PUSH_EMAIL, exp=1_000_000, iat=999_000),
        "not-a-jwt",
    ):
        response = await play.push(subscription_notification(2), "m-x", token=token)
        assert response.status_code == 401, token[:30]
    assert (await play.push(subscription_notification(2), "m-y", package="com.other.app")).status_code == 400
    assert await play.inbox() == []
    # A token issued a few seconds "in the future" by Google's clock still verifies.
    skewed = play.google.push_token(AUDIENCE, PUSH_EMAIL, iat=int(datetime.now(UTC).timestamp()) + 20)
    assert (await play.push({"testNotification": {"version": "1.0"}}, "m-t", token=skewed)).status_code == 200
    assert [r.status for r in await play.inbox()] == [NotificationStatus.IGNORED]


async def test_a_deferred_product_change_a_pause_and_a_voided_purchase(play: Play) -> None:
    trial_then_paid(play.google)
    await play.purchase()
    line = play.google.subscriptions["tok-1"]["lineItems"][0]

    line["deferredItemReplacement"] = {"productId": "play_yearly"}
    await play.purchase()
    assert (await play.history())[-1] == "CHANGED_RENEWAL_PREFERENCE"

    del line["deferredItemReplacement"]
    resume = datetime.now(UTC) + timedelta(days=40)
    play.google.subscriptions["tok-1"] |= {"subscriptionState": "SUBSCRIPTION_STATE_PAUSED",
                                           "pausedStateContext": {"autoResumeTime": iso(resume)}}  # fmt: skip
    await play.purchase()
    assert "PAUSED" in (await play.history())

    # voidedPurchaseNotification: Google refunded the order; the re-read shows it.
    play.google.subscriptions["tok-1"]["subscriptionState"] = "SUBSCRIPTION_STATE_EXPIRED"
    play.google.orders["GPA.1..0"] |= {"state": "REFUNDED",
                                       "orderHistory": {"refundEvent": {"eventTime": iso(datetime.now(UTC))}}}  # fmt: skip
    voided = {"voidedPurchaseNotification": {"purchaseToken": "tok-1", "orderId": "GPA.1..0", "productType": 1,
                                             "refundType": 1}}  # fmt: skip
    assert (await play.push(voided, "m-v")).status_code == 200
    await play.apply()
    assert (await play.history())[-1] == "REFUNDED"
