"""Web Billing (Stripe) objects, as Stripe's API returns them, as the periods the diff
works on. Pure code: no I/O.

A subscription's periods are its paid invoices (one per billing period: the invoice
line's period, the amount paid, the payment intent that paid it); its renewal state
is the subscription's own (cancel at period end, status, cancellation reason); a
refund is a refunded charge of a period's payment intent. Field names follow Stripe's
API version of the pinned library (periods on invoice lines and subscription items,
invoices linked to payments through `payments`).
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain.enums import CancelReason, Environment, PeriodType
from app.domain.periods import TransactionState, sort_transactions
from app.domain.receipt_validation import StoreRefs

Obj = Mapping[str, Any]

# Stripe amounts are in the currency's minor unit; these currencies have none.
# https://docs.stripe.com/currencies#zero-decimal
ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])
ENDED = frozenset({"canceled", "incomplete_expired"})
BILLING_TROUBLE = frozenset({"past_due", "unpaid"})
CANCEL_REASONS = {
    "cancellation_requested": CancelReason.UNSUBSCRIBE,
    "payment_failed": CancelReason.BILLING_ERROR,
    "payment_disputed": CancelReason.CUSTOMER_SUPPORT,
}


def moment(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(int(seconds), tz=UTC)


def amount(minor_units: int, currency: str) -> Decimal:
    code = currency.upper()
    exponent = 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2
    return Decimal(int(minor_units)).scaleb(-exponent)


def environment(obj: Obj) -> Environment:
    return Environment.PRODUCTION if obj.get("livemode") else Environment.SANDBOX


def _id(value: Any) -> str | None:
    """A Stripe reference: an id, or the expanded object carrying it."""
    if isinstance(value, Mapping):
        return str(value.get("id")) if value.get("id") else None
    return str(value) if value else None


def product_identifier(subscription: Obj) -> str | None:
    """Which of the project's products this is: the price's lookup key, else the Stripe
    product id (create the Web Billing product with that identifier)."""
    items = (subscription.get("items") or {}).get("data") or []
    if not items:
        return None
    price = items[0].get("price") or {}
    return price.get("lookup_key") or _id(price.get("product"))


def invoice_subscription(invoice: Obj) -> str | None:
    """The subscription an invoice bills (`parent.subscription_details.subscription`)."""
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    return _id(details.get("subscription")) or _id(invoice.get("subscription"))


def invoice_payment_intent(invoice: Obj) -> str | None:
    for entry in (invoice.get("payments") or {}).get("data") or []:
        payment = entry.get("payment") or {}
        if payment.get("payment_intent"):
            return _id(payment["payment_intent"])
    return _id(invoice.get("payment_intent"))


def refunds_by_payment_intent(charges: Sequence[Obj]) -> dict[str, datetime]:
    """When each refunded payment intent was refunded (its first refund)."""
    refunded: dict[str, datetime] = {}
    for charge in charges:
        intent = _id(charge.get("payment_intent"))
        if not intent or not charge.get("refunded"):
            continue
        refunds = (charge.get("refunds") or {}).get("data") or []
        times = [moment(r.get("created")) for r in refunds if r.get("created")]
        when = min((t for t in times if t), default=None) or moment(charge.get("created"))
        if when is not None:
            refunded[intent] = when
    return refunded


def subscription_periods(
    subscription: Obj, invoices: Sequence[Obj], charges: Sequence[Obj], product_id: str
) -> tuple[list[TransactionState], dict[str, StoreRefs]]:
    """The subscription's paid periods, oldest first, its renewal state on the latest,
    and the Stripe ids each period may be refunded or cancelled by."""
    subscription_id = str(subscription["id"])
    refunded = refunds_by_payment_intent(charges)
    trial_end = moment(subscription.get("trial_end"))
    periods: list[TransactionState] = []
    refs: dict[str, StoreRefs] = {}
    for invoice in invoices:
        if invoice.get("status") != "paid" or invoice_subscription(invoice) != subscription_id:
            continue
        lines = (invoice.get("lines") or {}).get("data") or []
        period = (lines[0].get("period") if lines else None) or invoice.get("period") or {}
        start, end = moment(period.get("start")), moment(period.get("end"))
        if start is None or end is None:
            continue
        currency = str(invoice.get("currency") or "usd").upper()
        paid = amount(int(invoice.get("amount_paid") or 0), currency)
        is_trial = paid == 0 and trial_end is not None and end <= trial_end
        intent = invoice_payment_intent(invoice)
        periods.append(
            TransactionState(
                transaction_id=str(invoice["id"]),
                original_transaction_id=subscription_id,
                product_id=product_id,
                purchased_at=start,
                expires_at=end,
                period_type=PeriodType.TRIAL if is_trial else PeriodType.NORMAL,
                price=paid,
                currency=currency,
                refunded_at=refunded.get(intent) if intent else None,
            )
        )
        refs[str(invoice["id"])] = StoreRefs(subscription_id=subscription_id, payment_id=intent)
    ordered = sort_transactions(periods)
    if not ordered:
        return ordered, refs
    return [*ordered[:-1], _with_subscription_state(ordered[-1], subscription)], refs


def _with_subscription_state(latest: TransactionState, subscription: Obj) -> TransactionState:
    status = subscription.get("status")
    will_renew = not subscription.get("cancel_at_period_end") and status not in ENDED
    reason = None
    if not will_renew:
        details = subscription.get("cancellation_details") or {}
        reason = CANCEL_REASONS.get(str(details.get("reason")), CancelReason.UNKNOWN)
        if details.get("reason") is None and subscription.get("cancel_at_period_end"):
            reason = CancelReason.UNSUBSCRIBE
    expires_at = latest.expires_at
    ended = moment(subscription.get("ended_at"))
    if status in ENDED and ended is not None and expires_at is not None:
        expires_at = min(expires_at, ended)
    return replace(
        latest,
        expires_at=expires_at,
        will_renew=will_renew,
        cancel_reason=reason,
        # Stripe retries a failed renewal while the subscription is past due.
        billing_issue_detected_at=latest.expires_at if status in BILLING_TROUBLE else None,
    )


def payment_period(intent: Obj, product_id: str, charges: Sequence[Obj]) -> TransactionState | None:
    """A one-time purchase paid by a payment intent, once it succeeded."""
    if intent.get("status") != "succeeded":
        return None
    created = moment(intent.get("created"))
    if created is None:
        return None
    currency = str(intent.get("currency") or "usd").upper()
    intent_id = str(intent["id"])
    return TransactionState(
        transaction_id=intent_id,
        original_transaction_id=intent_id,
        product_id=product_id,
        purchased_at=created,
        expires_at=None,
        price=amount(int(intent.get("amount_received") or intent.get("amount") or 0), currency),
        currency=currency,
        refunded_at=refunds_by_payment_intent(charges).get(intent_id),
    )
