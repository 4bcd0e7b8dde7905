"""Google Play purchases, as the Play Developer API returns them, as the periods the diff
works on. Pure code: no I/O.

A subscription (`purchases.subscriptionsv2.get`) has one line item per product; each
billing period is an order (`orders.batchget`: the service period, the price, the
refund). Renewal orders carry a `..N` suffix on the first order's id, so the order ids of
a purchase are known from its latest one, and the first order's id is the purchase's
original transaction id. A one-time purchase (`purchases.products.get`) is one order.
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain.enums import CancelReason, Environment, PeriodType
from app.domain.periods import TransactionState, sort_transactions

Obj = Mapping[str, Any]

# Orders the service reads back at most (eight years of monthly renewals and more).
MAX_ORDERS = 120
ACTIVE_STATES = frozenset({"SUBSCRIPTION_STATE_ACTIVE", "SUBSCRIPTION_STATE_IN_GRACE_PERIOD"})
BILLING_TROUBLE = frozenset({"SUBSCRIPTION_STATE_IN_GRACE_PERIOD", "SUBSCRIPTION_STATE_ON_HOLD"})


def timestamp(value: str | None) -> datetime | None:
    """An RFC 3339 time as Google writes it ("2026-05-01T12:00:00.123Z")."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def millis(value: str | int | None) -> datetime | None:
    return None if value in (None, "") else datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def money(value: Obj | None) -> tuple[Decimal | None, str | None]:
    """A google.type.Money: units plus nanos."""
    if not value:
        return None, None
    units = Decimal(int(value.get("units") or 0))
    nanos = Decimal(int(value.get("nanos") or 0)).scaleb(-9)
    return (units + nanos).quantize(Decimal("0.000001")).normalize(), value.get("currencyCode")


def base_order_id(order_id: str) -> str:
    return order_id.split("..", 1)[0]


def order_ids(latest_order_id: str) -> list[str]:
    """Every order of a subscription, from its latest: GPA.1, GPA.1..0, ..., GPA.1..N."""
    base = base_order_id(latest_order_id)
    if ".." not in latest_order_id:
        return [base]
    last = int(latest_order_id.rsplit("..", 1)[1])
    first = max(0, last - MAX_ORDERS + 2)
    return [base, *(f"{base}..{n}" for n in range(first, last + 1))]


def environment(purchase: Obj) -> Environment:
    return Environment.SANDBOX if purchase.get("testPurchase") is not None else Environment.PRODUCTION


def product_identifier(product_id: str, base_plan_id: str | None) -> str:
    """RevenueCat's Play product identifier: `<subscription id>:<base plan id>`."""
    return f"{product_id}:{base_plan_id}" if base_plan_id else product_id


def _period_type(details: Obj) -> PeriodType:
    phase = details.get("offerPhaseDetails") or details.get("offerPhase") or {}
    if "freeTrial" in phase or phase.get("phase") == "FREE_TRIAL":
        return PeriodType.TRIAL
    if "introductoryPrice" in phase or phase.get("phase") == "INTRODUCTORY":
        return PeriodType.INTRO
    return PeriodType.NORMAL


def _refunded_at(order: Obj) -> datetime | None:
    if order.get("state") not in ("REFUNDED", "PARTIALLY_REFUNDED"):
        return None
    event = (order.get("orderHistory") or {}).get("refundEvent") or {}
    return timestamp(event.get("eventTime")) or timestamp(order.get("lastEventTime"))


def subscription_periods(purchase: Obj, orders: Sequence[Obj]) -> list[TransactionState]:
    """The subscription's paid or trial periods, oldest first, its renewal state on the
    latest. `orders` are the orders of the purchase (any order, any extras)."""
    items = purchase.get("lineItems") or []
    if not items:
        return []
    item = items[0]
    plan = (item.get("offerDetails") or {}).get("basePlanId")
    latest_order = item.get("latestSuccessfulOrderId") or ""
    original = base_order_id(latest_order) if latest_order else None
    periods: list[TransactionState] = []
    for order in orders:
        if original is None or base_order_id(str(order.get("orderId"))) != original:
            continue
        line = (order.get("lineItems") or [{}])[0]
        details = line.get("subscriptionDetails") or {}
        start, end = (
            timestamp(details.get("servicePeriodStartTime")),
            timestamp(details.get("servicePeriodEndTime")),
        )
        if start is None or end is None or order.get("state") in ("PENDING", "CANCELED"):
            continue
        price, currency = money(order.get("total") or line.get("total"))
        periods.append(
            TransactionState(
                transaction_id=str(order["orderId"]),
                original_transaction_id=original,
                product_id=product_identifier(
                    str(line.get("productId") or item.get("productId")), details.get("basePlanId") or plan
                ),
                purchased_at=start,
                expires_at=end,
                period_type=_period_type(details),
                price=price,
                currency=currency,
                refunded_at=_refunded_at(order),
                country_code=purchase.get("regionCode"),
            )
        )
    ordered = sort_transactions(periods)
    if not ordered:
        return ordered
    return [*ordered[:-1], _with_renewal_state(ordered[-1], purchase, item)]


def _with_renewal_state(latest: TransactionState, purchase: Obj, item: Obj) -> TransactionState:
    state = purchase.get("subscriptionState")
    plan = item.get("autoRenewingPlan") or {}
    will_renew = bool(plan.get("autoRenewEnabled")) and state in ACTIVE_STATES | {
        "SUBSCRIPTION_STATE_ON_HOLD",
        "SUBSCRIPTION_STATE_PAUSED",
    }
    cancelled = purchase.get("canceledStateContext") or {}
    reason = None
    if not will_renew:
        if "systemInitiatedCancellation" in cancelled:
            reason = CancelReason.BILLING_ERROR
        elif "developerInitiatedCancellation" in cancelled:
            reason = CancelReason.DEVELOPER_INITIATED
        elif "replacementCancellation" in cancelled:
            reason = CancelReason.UNKNOWN
        else:
            reason = CancelReason.UNSUBSCRIBE
    deferred = (item.get("deferredItemReplacement") or {}).get("productId")
    expiry = timestamp(item.get("expiryTime"))
    paused = purchase.get("pausedStateContext") or {}
    in_trouble = state in BILLING_TROUBLE
    return replace(
        latest,
        will_renew=will_renew,
        cancel_reason=reason,
        renewal_product_id=deferred if deferred and deferred != latest.product_id.split(":", 1)[0] else None,
        billing_issue_detected_at=latest.expires_at if in_trouble else None,
        # Google extends expiryTime through a grace period.
        grace_period_expires_at=expiry if state == "SUBSCRIPTION_STATE_IN_GRACE_PERIOD" else None,
        paused_at=latest.expires_at if state == "SUBSCRIPTION_STATE_PAUSED" else None,
        auto_resume_at=timestamp(paused.get("autoResumeTime"))
        if state == "SUBSCRIPTION_STATE_PAUSED"
        else None,
    )


def product_period(product_id: str, purchase: Obj, order: Obj | None) -> TransactionState | None:
    """A one-time product purchase (`ProductPurchase`), once purchased (state 0)."""
    if purchase.get("purchaseState") not in (0, None) or not purchase.get("orderId"):
        return None
    purchased_at = millis(purchase.get("purchaseTimeMillis"))
    if purchased_at is None:
        return None
    price, currency = money((order or {}).get("total"))
    order_id = str(purchase["orderId"])
    return TransactionState(
        transaction_id=order_id,
        original_transaction_id=order_id,
        product_id=product_id,
        purchased_at=purchased_at,
        expires_at=None,
        price=price,
        currency=currency,
        refunded_at=_refunded_at(order) if order else None,
        country_code=purchase.get("regionCode"),
    )
