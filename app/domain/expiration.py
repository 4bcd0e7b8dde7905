"""Why a purchase expired: the `expiration_reason` of its EXPIRATION webhook."""

from datetime import datetime

from app.domain.enums import CancelReason


def expiration_reason(
    is_granted: bool,
    will_renew: bool,
    cancel_reason: str | None,
    billing_issue_detected_at: datetime | None,
) -> CancelReason:
    """A billing issue that was never resolved ends as BILLING_ERROR; otherwise the
    reason the subscription stopped renewing; a revoked grant is DEVELOPER_INITIATED.
    A grant that simply ran out, or a subscription that lapsed while still set to
    renew (the store never sent the next period), has no known reason: UNKNOWN."""
    if billing_issue_detected_at is not None and not is_granted:
        return CancelReason.BILLING_ERROR
    if cancel_reason is not None and not will_renew:
        return CancelReason(cancel_reason)
    if cancel_reason == CancelReason.DEVELOPER_INITIATED.value:
        return CancelReason.DEVELOPER_INITIATED
    return CancelReason.UNKNOWN


def ends_with_billing_error(
    *, is_granted: bool, will_renew: bool, billing_issue_detected_at: datetime | None
) -> bool:
    """A subscription that reaches its expiry still set to renew, with a billing issue the
    store never recovered, ended because of it: a cancellation for billing error comes
    before its EXPIRED (DESIGN 4.2). Grants never have billing issues."""
    return billing_issue_detected_at is not None and will_renew and not is_granted
