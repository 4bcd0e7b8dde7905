"""Web Billing (Stripe) purchases from Stripe's own data (DESIGN 4.10): recordStorePurchase
with a subscription id read back from a fake Stripe on loopback, and Stripe webhooks
signed with Stripe's own helper and verified with its library."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import stripe
from sqlmodel import select

from app.db.engine import Database
from app.db.models import StoreNotification
from app.domain.enums import NotificationStatus
from app.main import create_app
from app.services.rates import rate_table
from app.services.store_notifications import InboxWorker
from app.stores.registry import StoreAdapters
from tests.api.helpers import configure_catalog
from tests.conftest import ApiClient, Clock, make_settings, new_api_client
from tests.fake_stores import STRIPE_KEY, FakeStripe

SECRET = "whsec_test_0123456789abcdef"
# The paid period (days 7 to 37) runs now.
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=33)
USER = "web-user"
PURCHASE = """mutation($id: String!, $user: String!) {
  recordStorePurchase(input: {appUserId: $user, store: RC_BILLING, stripeId: $id}) {
    events { type periodType price { amount currency } } userErrors { code message } } }"""
STATE = """query($id: String!) { customer(appUserId: $id) {
  totalSpent { amount currency }
  purchases(sandbox: true) { id productId status willRenew refundedAt environment canRefund canCancel }
  history(first: 50, sandbox: true) { edges { node { type } } } } }"""


def ts(moment: datetime) -> int:
    return int(moment.timestamp())


def subscription(sub_id: str = "sub_1", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": sub_id, "object": "subscription", "customer": "cus_1", "status": "active", "livemode": True,
        "cancel_at_period_end": False, "canceled_at": None, "ended_at": None, "cancellation_details": {"reason": None},
        "trial_end": ts(T0 + timedelta(days=7)), "metadata": {"app_user_id": USER},
        "items": {"object": "list", "data": [{"id": "si_1", "price": {"id": "price_1", "lookup_key": "web_monthly",
                                                                      "product": "prod_1"}}]},
    }  # fmt: skip
    body.update(changes)
    return body


def invoice(
    inv_id: str, start: datetime, days: int, paid: int, intent: str, sub_id: str = "sub_1"
) -> dict[str, Any]:
    return {
        "id": inv_id, "object": "invoice", "status": "paid", "amount_paid": paid, "currency": "usd",
        "livemode": True, "parent": {"subscription_details": {"subscription": sub_id}},
        "lines": {"data": [{"period": {"start": ts(start), "end": ts(start + timedelta(days=days))}}]},
        "payments": {"data": [{"payment": {"type": "payment_intent", "payment_intent": intent}}]},
    }  # fmt: skip


@pytest.fixture
async def stripe_fake() -> AsyncIterator[FakeStripe]:
    server = await FakeStripe().start()
    try:
        yield server
    finally:
        await server.stop()


class WebBilling:
    def __init__(
        self, api: ApiClient, fake: FakeStripe, worker: InboxWorker, path: str, clock: Clock
    ) -> None:
        self.api, self.fake, self.worker, self.path, self.clock = api, fake, worker, path, clock

    async def purchase(self, stripe_id: str, user: str = USER) -> dict[str, Any]:
        return (await self.api.gql(PURCHASE, {"id": stripe_id, "user": user}))["recordStorePurchase"]  # type: ignore[no-any-return]

    async def event(
        self, event_type: str, obj: dict[str, Any], event_id: str, secret: str = SECRET
    ) -> httpx.Response:
        body = json.dumps({"id": event_id, "object": "event", "type": event_type, "created": ts(datetime.now(UTC)),
                           "livemode": True, "data": {"object": obj}})  # fmt: skip
        header = stripe.WebhookSignature.generate_signature_header(body, secret)
        return await self.api.http.post(
            self.path, content=body, headers={"Stripe-Signature": header, "Content-Type": "application/json"}
        )

    async def apply(self) -> None:
        while await self.worker.run_once():
            pass

    async def state(self, user: str = USER) -> dict[str, Any]:
        return (await self.api.gql(STATE, {"id": user}))["customer"]  # type: ignore[no-any-return]

    async def history(self, user: str = USER) -> list[str]:
        state = await self.state(user)
        return [e["node"]["type"] for e in reversed(state["history"]["edges"])] if state else []

    async def inbox(self) -> list[StoreNotification]:
        async with self.api.db.read() as session:
            statement = select(StoreNotification).where(StoreNotification.project_id == self.api.project_id)
            return list((await session.exec(statement.order_by(StoreNotification.id))).all())


@pytest.fixture
async def web(
    db: Database, database_urls: dict[str, str], backend: str, clock: Clock, stripe_fake: FakeStripe
) -> AsyncIterator[WebBilling]:
    settings = make_settings(
        database_urls[backend],
        stripe_api_key=STRIPE_KEY,
        stripe_api_base=stripe_fake.url,
        store_timeout_seconds=2,
    )
    stores = StoreAdapters.from_settings(settings)
    api = await new_api_client(db, create_app(settings, db, clock, stores))
    await configure_catalog(api)
    data = await api.gql(
        'mutation($s: String!) { configureWebBillingApp(input: {label: "Stripe", webhookSecret: $s}) '
        "{ storeApp { notificationPath hasApiCredentials } userErrors { code } } }",
        {"s": SECRET},
    )
    app = data["configureWebBillingApp"]
    assert app["userErrors"] == [] and app["storeApp"]["hasApiCredentials"] is True
    worker = InboxWorker(db, settings, stores.app_store_api, rate_table(settings), clock)
    try:
        yield WebBilling(api, stripe_fake, worker, app["storeApp"]["notificationPath"], clock)
    finally:
        await api.http.aclose()
        await stores.close()


def trial_then_paid(fake: FakeStripe) -> None:
    fake.subscriptions["sub_1"] = subscription()
    fake.invoices = [
        invoice("in_1", T0, 7, 0, "pi_1"),
        invoice("in_2", T0 + timedelta(days=7), 30, 799, "pi_2"),
    ]


async def test_a_subscription_is_what_stripe_says(web: WebBilling) -> None:
    trial_then_paid(web.fake)
    result = await web.purchase("sub_1")
    assert result["userErrors"] == []
    assert [(e["type"], e["periodType"]) for e in result["events"]] == [
        ("STARTED_TRIAL", "TRIAL"), ("CONVERTED_FROM_TRIAL", "NORMAL"),
    ]  # fmt: skip
    state = await web.state()
    assert state["totalSpent"] == {"amount": "7.99", "currency": "USD"}
    [purchase] = state["purchases"]
    assert (purchase["productId"], purchase["status"], purchase["environment"]) == (
        "web_monthly",
        "ACTIVE",
        "PRODUCTION",
    )
    assert purchase["canRefund"] and purchase["canCancel"]
    assert (await web.purchase("sub_1"))["events"] == []  # idempotent

    # Support's cancel and refund act on the ids Stripe returned, not on anything posted.
    cancel = await web.api.gql(
        "mutation($id: ID!) { cancelSubscription(input: {purchaseId: $id}) { userErrors { code } } }",
        {"id": purchase["id"]},
    )
    assert cancel["cancelSubscription"]["userErrors"] == []
    assert [c.path for c in web.fake.calls("/v1/subscriptions/") if c.method == "POST"] == [
        "/v1/subscriptions/sub_1"
    ]
    refund = await web.api.gql(
        "mutation($id: ID!) { refundPurchase(input: {purchaseId: $id}) { userErrors { code } } }",
        {"id": purchase["id"]},
    )
    assert refund["refundPurchase"]["userErrors"] == []
    assert [c.form()["payment_intent"] for c in web.fake.calls("/v1/refunds")] == [["pi_2"]]


async def test_what_stripe_does_not_confirm_is_refused(web: WebBilling) -> None:
    trial_then_paid(web.fake)
    unknown = await web.purchase("sub_unknown")
    assert [e["code"] for e in unknown["userErrors"]] == ["VERIFICATION_FAILED"]
    not_an_id = await web.purchase("cus_1")
    assert [e["code"] for e in not_an_id["userErrors"]] == ["VERIFICATION_FAILED"]
    # Checkout named another App User ID: the subscription is not this user's to claim.
    stranger = await web.purchase("sub_1", user="attacker")
    assert [e["code"] for e in stranger["userErrors"]] == ["VERIFICATION_FAILED"]
    web.fake.answer = 500
    down = await web.purchase("sub_1")
    assert [e["code"] for e in down["userErrors"]] == ["STORE_ERROR"]
    assert await web.state() is None and await web.state("attacker") is None


async def test_webhooks_drive_the_lifecycle(web: WebBilling) -> None:
    trial_then_paid(web.fake)
    await web.purchase("sub_1")

    web.fake.subscriptions["sub_1"] = subscription(cancel_at_period_end=True,
                                                   cancellation_details={"reason": "cancellation_requested"})  # fmt: skip
    assert (
        await web.event("customer.subscription.updated", web.fake.subscriptions["sub_1"], "evt_1")
    ).status_code == 200
    await web.apply()
    assert (await web.history())[-1] == "OPTED_OUT_OF_RENEWAL"

    web.fake.subscriptions["sub_1"] = subscription(status="past_due")
    failed = {"id": "in_3", "object": "invoice", "status": "open",
              "parent": {"subscription_details": {"subscription": "sub_1"}}}  # fmt: skip
    assert (await web.event("invoice.payment_failed", failed, "evt_2")).status_code == 200
    await web.apply()
    # Renewal is back on (the opt-out was withdrawn) and the charge failed.
    assert sorted((await web.history())[-3:]) == [
        "CANCELLED_BILLING_ERROR",
        "HAD_BILLING_ISSUE",
        "RESUBSCRIBED",
    ]

    web.clock.set(T0 + timedelta(days=38))  # the next period began, and Stripe charged it
    web.fake.subscriptions["sub_1"] = subscription()
    paid = invoice("in_3", T0 + timedelta(days=37), 30, 799, "pi_3")
    web.fake.invoices.append(paid)
    assert (await web.event("invoice.paid", paid, "evt_3")).status_code == 200
    await web.apply()
    assert (await web.history())[-1] == "RENEWED"

    charge = {"id": "ch_3", "object": "charge", "customer": "cus_1", "payment_intent": "pi_3", "refunded": True,
              "created": ts(datetime.now(UTC)), "refunds": {"data": [{"id": "re_1", "created": ts(datetime.now(UTC))}]}}  # fmt: skip
    web.fake.charges.append(charge)
    assert (await web.event("charge.refunded", charge, "evt_4")).status_code == 200
    await web.apply()
    assert (await web.history())[-1] == "REFUNDED"
    assert (await web.state())["totalSpent"]["amount"] == "7.99"
    assert [r.status for r in await web.inbox()] == [NotificationStatus.APPLIED] * 4


async def test_a_bad_signature_is_400_and_a_repeat_is_kept_once(web: WebBilling) -> None:
    trial_then_paid(web.fake)
    obj = web.fake.subscriptions["sub_1"]
    forged = await web.event(
        "customer.subscription.updated", obj, "evt_x", secret="whsec_attacker_0000000000"
    )
    assert forged.status_code == 400
    assert await web.inbox() == []

    for _ in range(2):
        assert (await web.event("customer.subscription.created", obj, "evt_same")).status_code == 200
    assert len(await web.inbox()) == 1

    # A new secret keeps the previous one valid (Stripe's rotation).
    await web.api.gql(
        'mutation { configureWebBillingApp(input: {label: "Stripe", webhookSecret: "whsec_new_0123456789"}) '
        "{ userErrors { code } } }"
    )
    assert (
        await web.event("customer.subscription.updated", obj, "evt_old", secret=SECRET)
    ).status_code == 200
    assert (
        await web.event("customer.subscription.updated", obj, "evt_new", secret="whsec_new_0123456789")
    ).status_code == 200


async def test_a_webhook_for_a_new_purchase_attaches_by_checkout_metadata(web: WebBilling) -> None:
    trial_then_paid(web.fake)
    assert (
        await web.event("customer.subscription.created", web.fake.subscriptions["sub_1"], "evt_c")
    ).status_code == 200
    await web.apply()
    assert await web.history() == ["STARTED_TRIAL", "CONVERTED_FROM_TRIAL"]

    web.fake.subscriptions["sub_2"] = subscription("sub_2", metadata={})
    web.fake.invoices.append(invoice("in_9", T0, 30, 799, "pi_9", sub_id="sub_2"))
    assert (
        await web.event("customer.subscription.created", web.fake.subscriptions["sub_2"], "evt_d")
    ).status_code == 200
    await web.apply()
    assert (await web.inbox())[-1].status is NotificationStatus.PARKED  # nobody to give it to yet
    await web.purchase("sub_2", user="second-user")
    await web.apply()
    assert (await web.inbox())[-1].status is NotificationStatus.APPLIED
    assert await web.history("second-user") == ["STARTED_SUBSCRIPTION"]
