"""Timeline events: the words shown for each type and the webhook each one sends."""

from app.domain.enums import CustomerEventType as E
from app.domain.enums import WebhookEventType as W

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
}


def describe(event_type: E, *, entitlement: str | None = None, detail: str | None = None) -> str:
    """The timeline line; some types name what they are about ("Was granted the pro Entitlement")."""
    if event_type is E.GRANTED_ENTITLEMENT and entitlement:
        return f"Was granted the {entitlement} Entitlement"
    if detail:
        return detail
    return DESCRIPTIONS[event_type]
