"""Why a purchase expired: the `expiration_reason` of its EXPIRATION webhook."""

from datetime import datetime

from app.domain.enums import CancelReason, ExpirationReason


def expiration_reason(
    *,
    is_granted: bool,
    will_renew: bool,
    cancel_reason: CancelReason | None,
    billing_issue_detected_at: datetime | None,
    paused_at: datetime | None = None,
) -> ExpirationReason:
    """A paused subscription's period ends as SUBSCRIPTION_PAUSED; a billing issue that
    was never resolved (the grace period ran out) as BILLING_ERROR; otherwise the reason
    the subscription stopped renewing; a revoked grant is DEVELOPER_INITIATED. A grant
    that simply ran out, or a subscription that lapsed while still set to renew (the
    store never sent the next period), has no known reason: UNKNOWN."""
    if paused_at is not None and not is_granted:
        return ExpirationReason.SUBSCRIPTION_PAUSED
    if billing_issue_detected_at is not None and not is_granted:
        return ExpirationReason.BILLING_ERROR
    if cancel_reason is not None and not will_renew:
        return ExpirationReason(cancel_reason.value)
    if cancel_reason is CancelReason.DEVELOPER_INITIATED:
        return ExpirationReason.DEVELOPER_INITIATED
    return ExpirationReason.UNKNOWN
