"""Restore behaviour (DESIGN 4.6): what happens when a receipt posted for one customer
holds a purchase another customer owns."""

from enum import Enum

from app.domain.enums import RestoreBehavior


class RestoreOutcome(Enum):
    MERGE = "MERGE"  # the owner is anonymous: the two are one person, alias them
    TRANSFER = "TRANSFER"  # move the purchase to the poster
    REFUSE = "REFUSE"  # RECEIPT_ALREADY_OWNED


def restore_outcome(
    behavior: RestoreBehavior, *, owner_is_anonymous: bool, owner_has_active_subscription: bool
) -> RestoreOutcome:
    """An anonymous owner is always merged, whatever the behaviour; otherwise TRANSFER
    moves, TRANSFER_IF_NO_ACTIVE_SUBSCRIPTION moves unless the owner's subscription in this
    receipt is still active, and KEEP_WITH_ORIGINAL refuses."""
    if owner_is_anonymous:
        return RestoreOutcome.MERGE
    if behavior is RestoreBehavior.KEEP_WITH_ORIGINAL:
        return RestoreOutcome.REFUSE
    if behavior is RestoreBehavior.TRANSFER_IF_NO_ACTIVE_SUBSCRIPTION and owner_has_active_subscription:
        return RestoreOutcome.REFUSE
    return RestoreOutcome.TRANSFER
