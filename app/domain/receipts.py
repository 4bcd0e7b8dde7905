"""The receipt diff engine: turns a posted store receipt into stored state plus events.

A receipt is the store's full current view of a customer's transactions. We never trust a
single post to be complete (an older device may send a shorter receipt), so the stored
state is the union of everything ever seen, and events are derived only from what
changed between the stored state and that union. Posting the same receipt twice is
therefore a no-op, which is what makes `recordReceipt` safe to retry.

Pure code: no I/O, all datetimes timezone-aware UTC.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from app.domain.enums import CancelReason, CustomerEventType, PeriodType
from app.domain.periods import TransactionState as TransactionState
from app.domain.periods import effective_expiry as effective_expiry
from app.domain.periods import group_transactions as group_transactions
from app.domain.periods import merge_transactions as merge_transactions
from app.domain.periods import renewal_numbers as renewal_numbers
from app.domain.periods import sort_transactions as sort_transactions

E = CustomerEventType


@dataclass(frozen=True, slots=True)
class EventDraft:
    """An event to write; the caller adds ids, prices and the customer."""

    type: CustomerEventType
    transaction_id: str  # the transaction the event is about
    original_transaction_id: str
    product_id: str
    purchased_at: datetime  # the transaction's purchased_at (timeline order)
    period_type: PeriodType
    new_product_id: str | None = None  # CHANGED_RENEWAL_PREFERENCE only
    cancel_reason: CancelReason | None = None
    is_refund: bool = False  # REFUNDED: price is to be negated by the caller
    is_trial_conversion: bool = False  # CONVERTED_FROM_TRIAL
    grace_period_expires_at: datetime | None = None  # HAD_BILLING_ISSUE
    expires_at: datetime | None = None
    auto_resume_at: datetime | None = None  # PAUSED
    sends_webhook: bool = True  # False: a timeline-only event (an earlier period's refund)
    # An immediate product change is told before the period it starts.
    before_its_period: bool = False


@dataclass(frozen=True, slots=True)
class DiffResult:
    transactions: list[TransactionState]  # merged state, sorted by (purchased_at, id)
    events: list[EventDraft]  # oldest first


# Within one transaction, events are listed in the order a reader expects the story:
# the period starts, then its settings change, then money comes back.
_GENERATION_ORDER: dict[CustomerEventType, int] = {
    E.MADE_PURCHASE: 0,
    E.STARTED_SUBSCRIPTION: 0,
    E.STARTED_TRIAL: 0,
    E.CONVERTED_FROM_TRIAL: 0,
    E.RENEWED: 0,
    E.CHANGED_RENEWAL_PREFERENCE: 1,
    E.HAD_BILLING_ISSUE: 2,
    E.OPTED_OUT_OF_RENEWAL: 3,
    E.CANCELLED_PRICE_INCREASE: 3,
    E.CANCELLED_BILLING_ERROR: 3,
    E.CANCELLED_UNKNOWN: 3,
    E.EXTENDED: 1,
    E.PAUSED: 1,
    E.RESUBSCRIBED: 4,
    E.REFUNDED: 5,
    E.REFUND_REVERSED: 5,
}

# Turning off auto-renew: which timeline event each store reason becomes, and the reason
# the event carries (a missing reason is a plain voluntary unsubscribe).
_OPT_OUT_EVENTS: dict[CancelReason | None, tuple[CustomerEventType, CancelReason]] = {
    None: (E.OPTED_OUT_OF_RENEWAL, CancelReason.UNSUBSCRIBE),
    CancelReason.UNSUBSCRIBE: (E.OPTED_OUT_OF_RENEWAL, CancelReason.UNSUBSCRIBE),
    CancelReason.DEVELOPER_INITIATED: (E.OPTED_OUT_OF_RENEWAL, CancelReason.DEVELOPER_INITIATED),
    CancelReason.CUSTOMER_SUPPORT: (E.OPTED_OUT_OF_RENEWAL, CancelReason.CUSTOMER_SUPPORT),
    CancelReason.PRICE_INCREASE: (E.CANCELLED_PRICE_INCREASE, CancelReason.PRICE_INCREASE),
    CancelReason.BILLING_ERROR: (E.CANCELLED_BILLING_ERROR, CancelReason.BILLING_ERROR),
    CancelReason.UNKNOWN: (E.CANCELLED_UNKNOWN, CancelReason.UNKNOWN),
}


# --- the diff -------------------------------------------------------------------------


def diff_purchase(
    stored: Sequence[TransactionState],
    posted: Sequence[TransactionState],
    now: datetime,
    refunds_made_here: frozenset[str] = frozenset(),
) -> DiffResult:
    """Merge one purchase's posted transactions into its stored ones and list the events.

    `stored` and `posted` must all share one original transaction id; `stored` is empty
    for a purchase seen for the first time. Events come from differences only, so the
    same post twice yields no events.
    """
    _require_single_purchase([*stored, *posted])
    merged = merge_transactions(stored, posted, refunds_made_here)
    stored_by_id = {txn.transaction_id: txn for txn in stored}
    events = [
        *_period_events(merged, stored_by_id),
        *_subscription_events(sort_transactions(stored), merged, stored_by_id, now),
        *_refund_events(merged, stored_by_id),
    ]
    return DiffResult(transactions=merged, events=_in_timeline_order(events))


def _require_single_purchase(txns: Sequence[TransactionState]) -> None:
    original_ids = {txn.original_transaction_id for txn in txns}
    if len(original_ids) > 1:
        raise ValueError(f"diff_purchase takes one purchase, got original ids {sorted(original_ids)}")


def _in_timeline_order(events: list[EventDraft]) -> list[EventDraft]:
    return sorted(
        events,
        key=lambda e: (
            e.purchased_at,
            e.transaction_id,
            -1 if e.before_its_period else _GENERATION_ORDER[e.type],
        ),
    )


def _draft(txn: TransactionState, event_type: CustomerEventType) -> EventDraft:
    """An event about `txn`; event-specific fields are added with `replace`."""
    return EventDraft(
        type=event_type,
        transaction_id=txn.transaction_id,
        original_transaction_id=txn.original_transaction_id,
        product_id=txn.product_id,
        purchased_at=txn.purchased_at,
        period_type=txn.period_type,
        expires_at=txn.expires_at,
    )


def _period_events(
    merged: list[TransactionState], stored_by_id: dict[str, TransactionState]
) -> list[EventDraft]:
    """One purchase event per transaction we had not seen, backfilled gaps included."""
    events = []
    for index, txn in enumerate(merged):
        if txn.transaction_id in stored_by_id:
            continue
        previous = merged[index - 1] if index > 0 else None
        change = _immediate_product_change(txn, previous)
        if change is not None:
            events.append(change)
        events.append(_period_event(txn, previous))
    return events


def _immediate_product_change(txn: TransactionState, previous: TransactionState | None) -> EventDraft | None:
    """A new period of another product with the same original transaction is an upgrade
    or crossgrade that took effect at once (unless the previous period had announced it
    as its renewal product): PRODUCT_CHANGE from the old product to the new, then the
    period's own event."""
    if previous is None or txn.is_one_time or txn.product_id == previous.product_id:
        return None
    if previous.renewal_product_id == txn.product_id:
        return None  # a deferred change, already told when it was chosen
    return replace(
        _draft(txn, E.CHANGED_RENEWAL_PREFERENCE),
        product_id=previous.product_id,
        new_product_id=txn.product_id,
        before_its_period=True,
    )


def _period_event(txn: TransactionState, previous: TransactionState | None) -> EventDraft:
    """Name a new period by what came before it in the same purchase."""
    if txn.is_one_time:
        return _draft(txn, E.MADE_PURCHASE)
    if previous is None:
        first = E.STARTED_TRIAL if txn.period_type == PeriodType.TRIAL else E.STARTED_SUBSCRIPTION
        return _draft(txn, first)
    if previous.period_type == PeriodType.TRIAL:
        return replace(_draft(txn, E.CONVERTED_FROM_TRIAL), is_trial_conversion=True)
    return _draft(txn, E.RENEWED)


def _subscription_events(
    stored_sorted: list[TransactionState],
    merged: list[TransactionState],
    stored_by_id: dict[str, TransactionState],
    now: datetime,
) -> list[EventDraft]:
    """Changes to the subscription's settings, read off its latest transaction.

    Renewal preference, auto-renew and billing state live on the latest period, so we
    compare the stored latest with the merged latest. A new purchase is compared with a
    neutral baseline (renewing, no flags).
    """
    latest = merged[-1]
    if latest.is_one_time:
        return []
    old_latest = stored_sorted[-1] if stored_sorted else None
    latest_is_new = latest.transaction_id not in stored_by_id
    candidates = [
        _renewal_preference_event(old_latest, latest),
        *_billing_issue_events(old_latest, latest, latest_is_new),
        _opt_out_event(old_latest, latest),
        _resubscribe_event(old_latest, latest, latest_is_new, now),
        _extension_event(old_latest, latest),
        _pause_event(old_latest, latest),
    ]
    return [event for event in candidates if event is not None]


def _renewal_preference_event(
    old_latest: TransactionState | None, latest: TransactionState
) -> EventDraft | None:
    """A new product to renew into; going back to the current product is not a change."""
    wanted = latest.renewal_product_id
    previously_wanted = old_latest.renewal_product_id if old_latest else None
    if wanted is None or wanted == previously_wanted or wanted == latest.product_id:
        return None
    return replace(_draft(latest, E.CHANGED_RENEWAL_PREFERENCE), new_product_id=wanted)


def _billing_issue_events(
    old_latest: TransactionState | None, latest: TransactionState, latest_is_new: bool
) -> list[EventDraft]:
    """Once per billing-issue episode, as RevenueCat does: BILLING_ISSUE and, at the same
    moment, a CANCELLATION for BILLING_ERROR, so receivers start dunning at once. Access
    stays through the grace period; a recovery is the next period's RENEWAL.

    Repeated failures of the same period are the same episode; a successful renewal in
    between (a new latest period) closes the old episode.
    """
    if latest.billing_issue_detected_at is None:
        return []
    known_episode = (
        old_latest is not None and old_latest.billing_issue_detected_at is not None and not latest_is_new
    )
    if known_episode:
        return []
    issue = replace(
        _draft(latest, E.HAD_BILLING_ISSUE), grace_period_expires_at=latest.grace_period_expires_at
    )
    cancellation = replace(
        _draft(latest, E.CANCELLED_BILLING_ERROR), cancel_reason=CancelReason.BILLING_ERROR
    )
    return [issue, cancellation]


def _extension_event(old_latest: TransactionState | None, latest: TransactionState) -> EventDraft | None:
    """The store moved the running period's expiry later, with no new period."""
    if old_latest is None or old_latest.transaction_id != latest.transaction_id:
        return None
    if (
        old_latest.expires_at is None
        or latest.expires_at is None
        or latest.expires_at <= old_latest.expires_at
    ):
        return None
    return _draft(latest, E.EXTENDED)


def _pause_event(old_latest: TransactionState | None, latest: TransactionState) -> EventDraft | None:
    """Google Play paused the subscription (it resumes at auto_resume_at)."""
    if latest.paused_at is None or (old_latest is not None and old_latest.paused_at == latest.paused_at):
        return None
    return replace(_draft(latest, E.PAUSED), auto_resume_at=latest.auto_resume_at)


def _opt_out_event(old_latest: TransactionState | None, latest: TransactionState) -> EventDraft | None:
    """Auto-renew turned off; the store's reason picks the timeline label."""
    was_renewing = old_latest.will_renew if old_latest else True
    if not was_renewing or latest.will_renew:
        return None
    cancel_reason = latest.cancel_reason
    if latest.billing_issue_detected_at is not None and cancel_reason in (None, CancelReason.BILLING_ERROR):
        # Renewal stopped while the store could not charge: the billing error, whose
        # cancellation was told when the issue was detected (_billing_issue_events).
        return None
    event_type, reason = _OPT_OUT_EVENTS[cancel_reason]
    return replace(_draft(latest, event_type), cancel_reason=reason)


def _resubscribe_event(
    old_latest: TransactionState | None,
    latest: TransactionState,
    latest_is_new: bool,
    now: datetime,
) -> EventDraft | None:
    """Auto-renew turned back on before access ended.

    A new period is a renewal, not a resubscribe; after expiry, turning auto-renew on
    again is not an uncancellation either (the customer had already lost access).
    """
    if old_latest is None or old_latest.will_renew or not latest.will_renew or latest_is_new:
        return None
    expiry = effective_expiry(latest)
    if expiry is None or expiry <= now:
        return None
    return _draft(latest, E.RESUBSCRIBED)


def _refund_events(
    merged: list[TransactionState], stored_by_id: dict[str, TransactionState]
) -> list[EventDraft]:
    """A refund on any period, old or new, the first time we see it refunded. Only the
    latest period's refund is a CANCELLATION for receivers (access ends); an earlier
    period's is told in the timeline alone (its money comes back, access stays). A refund
    mark that disappears is the store reversing it."""
    events = []
    latest_id = merged[-1].transaction_id
    for txn in merged:
        before = stored_by_id.get(txn.transaction_id)
        newly_refunded = txn.refunded_at is not None and (before is None or before.refunded_at is None)
        if newly_refunded:
            refund = _draft(txn, E.REFUNDED)
            events.append(
                replace(
                    refund,
                    is_refund=True,
                    cancel_reason=CancelReason.CUSTOMER_SUPPORT,
                    sends_webhook=txn.transaction_id == latest_id,
                )
            )
        elif before is not None and before.refunded_at is not None and txn.refunded_at is None:
            events.append(_draft(txn, E.REFUND_REVERSED))
    return events
