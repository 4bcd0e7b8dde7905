"""One subscription through a year of its life, one posted receipt at a time
(DESIGN 4.2 and 4.3): the exact timeline, each event's webhook type and fields, the
entitlement status and totalSpent after every step."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.api.helpers import configure_catalog, customer_state, days, iso, post_receipt, txn
from tests.conftest import ApiClient, Clock

T0 = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)
MONTH = days(30)
USER = "year-user"


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class Subscription:
    """The receipt as the store would send it: every transaction so far, current state."""

    def __init__(self) -> None:
        self.transactions: list[dict[str, Any]] = []

    def add(self, transaction_id: str, start: datetime, end: datetime, **extra: Any) -> None:
        self.transactions.append(txn(transaction_id, start, end, original="year-sub", **extra))

    def update_latest(self, **changes: Any) -> None:
        latest = self.transactions[-1]
        for key, value in changes.items():
            latest[key] = iso(value) if isinstance(value, datetime) else value


async def post(api: ApiClient, clock: Clock, sub: Subscription, at: datetime) -> list[dict[str, Any]]:
    clock.set(at)
    result = await post_receipt(api, USER, sub.transactions)
    assert result["userErrors"] == []
    return result["events"]  # type: ignore[no-any-return]


def only(events: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(events) == 1, [e["type"] for e in events]
    return events[0]


async def status(api: ApiClient) -> tuple[dict[str, Any], dict[str, Any], str]:
    state = await customer_state(api, USER)
    purchase = only(state["purchases"])
    return state, purchase, state["totalSpent"]["amount"]


def entitlement(state: dict[str, Any], identifier: str) -> dict[str, Any]:
    return next(e for e in state["entitlements"] if e["entitlement"]["identifier"] == identifier)


async def test_a_year_of_one_subscription(api: ApiClient, clock: Clock) -> None:
    await configure_catalog(api)
    sub = Subscription()

    # 1. A free trial starts.
    trial_end = T0 + days(7)
    sub.add("t1", T0, trial_end, periodType="TRIAL")
    event = only(await post(api, clock, sub, T0 + timedelta(minutes=1)))
    body = event["payload"]["event"]
    assert (event["type"], event["description"], event["webhookEventType"]) == (
        "STARTED_TRIAL",
        "Started a trial",
        "INITIAL_PURCHASE",
    )
    assert body["period_type"] == "TRIAL" and body["price"] == 0
    assert body["expiration_at_ms"] == ms(trial_end) and body["purchased_at_ms"] == ms(T0)
    assert body["app_user_id"] == USER and body["entitlement_ids"] == ["pro"]
    state, purchase, spent = await status(api)
    assert purchase["status"] == "ACTIVE" and purchase["periodType"] == "TRIAL"
    assert entitlement(state, "pro")["isActive"] is True
    assert spent == "0.00"

    # 2. The trial converts to a paid month.
    p1_end = trial_end + MONTH
    sub.add("t2", trial_end, p1_end, price="9.99", currency="USD")
    event = only(await post(api, clock, sub, trial_end + timedelta(minutes=5)))
    body = event["payload"]["event"]
    assert (event["type"], event["webhookEventType"]) == ("CONVERTED_FROM_TRIAL", "RENEWAL")
    assert body["is_trial_conversion"] is True and body["price"] == 9.99
    # The first paid period is renewal 1; a trial conversion counts as a renewal.
    assert body["renewal_number"] == 1
    assert "cancel_reason" not in body and "expiration_reason" not in body
    state, purchase, spent = await status(api)
    assert purchase["periodType"] == "NORMAL" and spent == "9.99"

    # 3. A normal renewal.
    p2_end = p1_end + MONTH
    sub.add("t3", p1_end, p2_end, price="9.99", currency="USD")
    event = only(await post(api, clock, sub, p1_end + timedelta(minutes=5)))
    assert (event["type"], event["webhookEventType"]) == ("RENEWED", "RENEWAL")
    assert event["payload"]["event"]["is_trial_conversion"] is False
    assert event["payload"]["event"]["renewal_number"] == 2
    _, _, spent = await status(api)
    assert spent == "19.98"

    # 4. The next charge fails: a billing issue with a 16-day grace period. Receivers
    #    hear of the billing issue and, at the same moment, of a cancellation for billing
    #    error (DESIGN 4.2), so they start dunning at once; access stays.
    grace_end = p2_end + days(16)
    sub.update_latest(billingIssueDetectedAt=p2_end - timedelta(hours=1), gracePeriodExpiresAt=grace_end)
    issue, cancellation = await post(api, clock, sub, p2_end + days(1))
    body = issue["payload"]["event"]
    assert (issue["type"], issue["webhookEventType"]) == ("HAD_BILLING_ISSUE", "BILLING_ISSUE")
    assert body["grace_period_expiration_at_ms"] == ms(grace_end)
    assert (cancellation["type"], cancellation["webhookEventType"]) == (
        "CANCELLED_BILLING_ERROR",
        "CANCELLATION",
    )
    assert cancellation["payload"]["event"]["cancel_reason"] == "BILLING_ERROR"
    assert cancellation["payload"]["event"]["price"] == 0
    state, purchase, _ = await status(api)
    assert purchase["status"] == "IN_GRACE_PERIOD"
    pro = entitlement(state, "pro")
    assert pro["isActive"] is True and pro["expiresAt"] == iso(grace_end)

    # 4b. Another failed attempt in the same episode writes nothing.
    sub.update_latest(billingIssueDetectedAt=p2_end + days(2))
    assert await post(api, clock, sub, p2_end + days(2)) == []

    # 5. The store recovers: a renewal, which ends the episode.
    p3_start = p2_end + days(3)
    p3_end = p3_start + MONTH
    sub.add("t4", p3_start, p3_end, price="9.99", currency="USD")
    event = only(await post(api, clock, sub, p3_start + timedelta(minutes=5)))
    assert event["type"] == "RENEWED"
    state, purchase, spent = await status(api)
    assert purchase["status"] == "ACTIVE" and spent == "29.97"
    assert entitlement(state, "pro")["billingIssueDetectedAt"] is None

    # 6. The customer picks the yearly plan for the next period.
    sub.update_latest(renewalProductId="yearly")
    event = only(await post(api, clock, sub, p3_start + days(10)))
    body = event["payload"]["event"]
    assert (event["type"], event["webhookEventType"]) == ("CHANGED_RENEWAL_PREFERENCE", "PRODUCT_CHANGE")
    assert event["newProductId"] == "yearly" and body["new_product_id"] == "yearly"

    # 7. It renews into the yearly product, which also gives premium.
    y_end = p3_end + days(365)
    sub.add("t5", p3_end, y_end, productId="yearly", price="79.99", currency="USD")
    event = only(await post(api, clock, sub, p3_end + timedelta(minutes=5)))
    assert (event["type"], event["productId"]) == ("RENEWED", "yearly")
    assert sorted(event["entitlementIds"]) == ["premium", "pro"]
    state, purchase, spent = await status(api)
    assert purchase["productId"] == "yearly" and spent == "109.96"
    assert entitlement(state, "premium")["isActive"] is True

    # 8. The customer turns auto-renew off.
    opt_out_at = p3_end + days(40)
    sub.update_latest(willRenew=False, cancelReason="UNSUBSCRIBE")
    event = only(await post(api, clock, sub, opt_out_at))
    body = event["payload"]["event"]
    assert (event["type"], event["webhookEventType"]) == ("OPTED_OUT_OF_RENEWAL", "CANCELLATION")
    assert body["cancel_reason"] == "UNSUBSCRIBE"
    state, purchase, _ = await status(api)
    assert purchase["status"] == "WILL_NOT_RENEW" and purchase["willRenew"] is False
    assert entitlement(state, "pro")["isActive"] is True
    assert entitlement(state, "pro")["unsubscribeDetectedAt"] == iso(opt_out_at)

    # 9. ... and back on before the year ends.
    sub.update_latest(willRenew=True, cancelReason=None)
    event = only(await post(api, clock, sub, opt_out_at + days(5)))
    assert (event["type"], event["webhookEventType"]) == ("RESUBSCRIBED", "UNCANCELLATION")
    _, purchase, _ = await status(api)
    assert purchase["status"] == "ACTIVE"

    # 10. Apple support refunds the yearly period.
    refund_at = opt_out_at + days(20)
    sub.update_latest(refundedAt=refund_at)
    event = only(await post(api, clock, sub, refund_at + timedelta(minutes=1)))
    body = event["payload"]["event"]
    assert (event["type"], event["description"], event["webhookEventType"]) == (
        "REFUNDED",
        "Was issued a refund",
        "CANCELLATION",
    )
    assert body["cancel_reason"] == "CUSTOMER_SUPPORT" and body["price"] == -79.99
    assert event["priceUsd"]["amount"] == "-79.99"
    state, purchase, spent = await status(api)
    assert purchase["status"] == "REFUNDED"
    assert entitlement(state, "pro")["isActive"] is False
    assert entitlement(state, "premium")["isActive"] is False
    assert Decimal(spent) == Decimal("29.97")

    # Posting the same state again changes nothing.
    assert await post(api, clock, sub, refund_at + days(1)) == []

    # The whole timeline, newest first by the purchase time of the transaction each
    # event is about; events of one transaction newest first.
    history = [edge["node"] for edge in state["history"]["edges"]]
    assert [(e["type"], e["productId"]) for e in history] == [
        ("REFUNDED", "yearly"),
        ("RESUBSCRIBED", "yearly"),
        ("OPTED_OUT_OF_RENEWAL", "yearly"),
        ("RENEWED", "yearly"),
        ("CHANGED_RENEWAL_PREFERENCE", "monthly"),
        ("RENEWED", "monthly"),
        ("CANCELLED_BILLING_ERROR", "monthly"),
        ("HAD_BILLING_ISSUE", "monthly"),
        ("RENEWED", "monthly"),
        ("CONVERTED_FROM_TRIAL", "monthly"),
        ("STARTED_TRIAL", "monthly"),
    ]
    assert [e["purchasedAt"] for e in history[:4]] == [iso(p3_end)] * 4
