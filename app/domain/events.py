"""Timeline events as the domain produces them.

A use case says what happened as one of the small frozen dataclasses below (to which
purchase period, with which facts); the unit of work stores each as a timeline row and
its outbox rows (`app/services/timeline.py`), and the webhook body is built from that
stored row by one builder (`app/webhooks/payloads.py`). Adding a webhook fact touches the
event here and the builder, nothing else: facts without a column of their own travel in
the row's `facts` (see `PurchaseEvent.facts`).

Pure code: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.domain.enums import CancelReason, Environment, ExpirationReason, PeriodType, Store
from app.domain.enums import CustomerEventType as E
from app.domain.enums import WebhookEventType as W
from app.domain.virtual_currency import adjustment_event_type, describe_adjustment

WEBHOOK_TYPES: dict[E, W] = {
    E.MADE_PURCHASE: W.NON_RENEWING_PURCHASE,
    E.STARTED_SUBSCRIPTION: W.INITIAL_PURCHASE,
    E.STARTED_TRIAL: W.INITIAL_PURCHASE,
    E.CONVERTED_FROM_TRIAL: W.RENEWAL,
    E.RENEWED: W.RENEWAL,
    E.CHANGED_RENEWAL_PREFERENCE: W.PRODUCT_CHANGE,
    E.OPTED_OUT_OF_RENEWAL: W.CANCELLATION,
    E.RESUBSCRIBED: W.UNCANCELLATION,
    E.HAD_BILLING_ISSUE: W.BILLING_ISSUE,
    E.REFUNDED: W.CANCELLATION,
    E.CANCELLED_PRICE_INCREASE: W.CANCELLATION,
    E.CANCELLED_BILLING_ERROR: W.CANCELLATION,
    E.CANCELLED_UNKNOWN: W.CANCELLATION,
    E.CREATED_ALIAS: W.SUBSCRIBER_ALIAS,
    E.GRANTED_ENTITLEMENT: W.NON_RENEWING_PURCHASE,
    E.REMOVED_GRANTED_ENTITLEMENT: W.CANCELLATION,
    E.GRANTED_VIRTUAL_CURRENCY: W.VIRTUAL_CURRENCY_TRANSACTION,
    E.SPENT_VIRTUAL_CURRENCY: W.VIRTUAL_CURRENCY_TRANSACTION,
    E.TRANSFERRED: W.TRANSFER,
    E.EXPIRED: W.EXPIRATION,
    E.EXTENDED: W.SUBSCRIPTION_EXTENDED,
    E.REFUND_REVERSED: W.REFUND_REVERSED,
    E.PAUSED: W.SUBSCRIPTION_PAUSED,
}

# The Customer History's own words (customer-profile.md, "Event Types").
DESCRIPTIONS: dict[E, str] = {
    E.MADE_PURCHASE: "Made a purchase",
    E.STARTED_SUBSCRIPTION: "Started a subscription",
    E.STARTED_TRIAL: "Started a trial",
    E.CONVERTED_FROM_TRIAL: "Converted from a trial",
    E.RENEWED: "Renewed",
    E.CHANGED_RENEWAL_PREFERENCE: "Changed renewal preference",
    E.OPTED_OUT_OF_RENEWAL: "Opted out of renewal",
    E.RESUBSCRIBED: "Resubscribed",
    E.HAD_BILLING_ISSUE: "Had a billing issue",
    E.REFUNDED: "Was issued a refund",
    E.CANCELLED_PRICE_INCREASE: "Cancelled due to not agreeing to a price increase",
    E.CANCELLED_BILLING_ERROR: "Cancelled due to a billing error",
    E.CANCELLED_UNKNOWN: "Cancelled due to unknown reasons",
    E.CREATED_ALIAS: "Created a new alias",
    E.GRANTED_ENTITLEMENT: "Was granted an Entitlement",
    E.REMOVED_GRANTED_ENTITLEMENT: "Had their granted Entitlement removed",
    E.GRANTED_VIRTUAL_CURRENCY: "Granted virtual currency",
    E.SPENT_VIRTUAL_CURRENCY: "Spent virtual currency",
    E.TRANSFERRED: "Transferred purchases",
    E.EXPIRED: "Expired",
    E.EXTENDED: "Had their subscription extended",
    E.REFUND_REVERSED: "Had a refund reversed",
    E.PAUSED: "Paused their subscription",
}

# Events where money moves: they carry the period's price (negative for a refund), or
# null when it is unknown. Every other event about a purchase carries price 0 in its
# webhook, as RevenueCat's do, and shows no price in the timeline.
REVENUE_EVENTS = frozenset(
    {
        E.MADE_PURCHASE,
        E.STARTED_SUBSCRIPTION,
        E.STARTED_TRIAL,
        E.CONVERTED_FROM_TRIAL,
        E.RENEWED,
        E.REFUNDED,
        E.REFUND_REVERSED,
    }
)


def describe(event_type: E, *, entitlement: str | None = None, detail: str | None = None) -> str:
    """The timeline line; some types name what they are about ("Was granted the pro Entitlement")."""
    if event_type is E.GRANTED_ENTITLEMENT and entitlement:
        return f"Was granted the {entitlement} Entitlement"
    if detail:
        return detail
    return DESCRIPTIONS[event_type]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted and why: kept on the event and in the audit trail. The app itself (SDK
    calls, store data, the scheduler) acts with no name."""

    name: str | None = None
    reason: str | None = None


APP = Actor()


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """The purchase period an event is about (its latest one, for events about a whole
    purchase such as an expiry)."""

    purchase_id: int | None
    store: Store
    environment: Environment
    product_id: str
    entitlement_ids: tuple[str, ...]
    period_type: PeriodType
    purchased_at: datetime
    expires_at: datetime | None
    transaction_id: str
    original_transaction_id: str
    country_code: str | None = None
    renewal_number: int = 1
    is_family_share: bool = False
    offer_code: str | None = None
    presented_offering_id: str | None = None


@dataclass(frozen=True, slots=True)
class Money:
    """A price as the store charged it and in USD; `None` amounts are unknown."""

    amount: Decimal | None
    currency: str | None
    usd: Decimal | None
    is_estimated: bool = False
    # A price exists but no exchange rate for its currency and day: the USD figure is
    # unknown (never counted as 0), and the event says so.
    usd_rate_missing: bool = False

    def negated(self) -> Money:
        return Money(
            None if self.amount is None else -self.amount,
            self.currency,
            None if self.usd is None else -self.usd,
            self.is_estimated,
            self.usd_rate_missing,
        )


FREE = Money(Decimal(0), "USD", Decimal(0))


@dataclass(frozen=True, slots=True, kw_only=True)
class PurchaseEvent:
    """Something happened to a purchase: it started, renewed, changed, stopped renewing,
    had a billing issue, was refunded, granted, removed or expired."""

    type: E
    period: Period
    money: Money | None = None  # only where money moved, or a grant's 0 (see REVENUE_EVENTS)
    cancel_reason: CancelReason | None = None
    expiration_reason: ExpirationReason | None = None
    new_product_id: str | None = None
    is_trial_conversion: bool = False
    grace_period_expires_at: datetime | None = None
    auto_resume_at: datetime | None = None
    description: str | None = None
    sends_webhook: bool = True
    # Where the event stands in the timeline, when not at the period's purchase (a grant
    # removed today is today's news, though the grant's period began earlier).
    occurred_at: datetime | None = None

    @property
    def facts(self) -> dict[str, Any]:
        """What the webhook needs beyond the timeline's columns."""
        return {
            "purchased_at": self.period.purchased_at if self.occurred_at else None,
            "expires_at": self.period.expires_at,
            "country_code": self.period.country_code,
            "is_trial_conversion": self.is_trial_conversion,
            "grace_period_expires_at": self.grace_period_expires_at,
            "auto_resume_at": self.auto_resume_at,
            "renewal_number": self.period.renewal_number,
            "is_family_share": self.period.is_family_share,
            "offer_code": self.period.offer_code,
            "presented_offering_id": self.period.presented_offering_id,
            "usd_rate_missing": self.money is not None and self.money.usd_rate_missing,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class AliasCreated:
    """The customer gained an App User ID (logIn, or a merge)."""

    type: E = E.CREATED_ALIAS
    sends_webhook: bool = True

    @property
    def facts(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True, slots=True, kw_only=True)
class PurchasesTransferred:
    """Store purchases moved between customers. Both histories show it; only the
    receiving customer's event sends the TRANSFER webhook (as RevenueCat does)."""

    store: Store
    environment: Environment
    transferred_from: tuple[str, ...]
    transferred_to: tuple[str, ...]
    other_customer_id: int | None
    sends_webhook: bool
    type: E = E.TRANSFERRED

    @property
    def facts(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True, slots=True, kw_only=True)
class VirtualCurrencyAdjusted:
    """A balance went up (grant) or down (spend) by `amount`."""

    code: str
    amount: int
    transaction_id: str

    sends_webhook: bool = True

    @property
    def type(self) -> E:
        return adjustment_event_type(self.amount)

    @property
    def description(self) -> str:
        return describe_adjustment(self.code, self.amount)

    @property
    def facts(self) -> dict[str, Any]:
        return {"virtual_currency_transaction_id": self.transaction_id}


DomainEvent = PurchaseEvent | AliasCreated | PurchasesTransferred | VirtualCurrencyAdjusted


def event_money(event_type: E, period_money: Money | None) -> Money | None:
    """The price an event about a period carries (DESIGN 4.2 "Prices"): the period's price
    for revenue events, negated for a refund; none for the rest (their webhooks carry 0)."""
    if event_type not in REVENUE_EVENTS:
        return None
    money = period_money or Money(None, None, None)
    return money.negated() if event_type is E.REFUNDED else money
