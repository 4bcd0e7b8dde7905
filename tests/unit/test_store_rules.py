"""Which support actions a purchase allows (DESIGN 4.7) and why a purchase expired."""

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.enums import CancelReason, ExpirationReason, PeriodType, ProductType, Store
from app.domain.expiration import expiration_reason
from app.domain.store_actions import can_cancel, can_refund, cancel_supported

NOW = datetime(2026, 6, 1, tzinfo=UTC)
LATER = NOW + timedelta(days=10)


@pytest.mark.parametrize("store", list(Store))
def test_only_play_and_web_billing_can_be_refunded(store: Store) -> None:
    assert can_refund(store, None, is_granted=False) is (store in (Store.PLAY_STORE, Store.RC_BILLING))


def test_a_refunded_purchase_or_a_grant_cannot_be_refunded() -> None:
    assert can_refund(Store.PLAY_STORE, NOW, is_granted=False) is False
    assert can_refund(Store.RC_BILLING, None, is_granted=True) is False


@pytest.mark.parametrize("store", list(Store))
@pytest.mark.parametrize("period", [PeriodType.TRIAL, PeriodType.NORMAL, PeriodType.INTRO])
def test_cancel_is_web_billing_or_a_play_trial(store: Store, period: PeriodType) -> None:
    expected = store is Store.RC_BILLING or (store is Store.PLAY_STORE and period is PeriodType.TRIAL)
    assert cancel_supported(store, ProductType.SUBSCRIPTION, period) is expected
    assert cancel_supported(store, ProductType.NON_RENEWING, period) is False


def test_can_cancel_needs_a_running_renewing_unrefunded_subscription() -> None:
    args = (Store.RC_BILLING, ProductType.SUBSCRIPTION, PeriodType.NORMAL)
    assert can_cancel(*args, True, LATER, None, NOW) is True
    assert can_cancel(*args, False, LATER, None, NOW) is False  # already off
    assert can_cancel(*args, True, NOW - timedelta(seconds=1), None, NOW) is False  # expired
    assert can_cancel(*args, True, LATER, NOW, NOW) is False  # refunded
    assert can_cancel(*args, True, None, None, NOW) is False  # no expiry: not a running period


def reason(
    granted: bool, renews: bool, cancel: str | None, billing: datetime | None, paused: datetime | None = None
) -> ExpirationReason:
    return expiration_reason(
        is_granted=granted,
        will_renew=renews,
        cancel_reason=CancelReason(cancel) if cancel else None,
        billing_issue_detected_at=billing,
        paused_at=paused,
    )


def test_expiration_reasons() -> None:
    assert reason(False, False, "UNSUBSCRIBE", None) is ExpirationReason.UNSUBSCRIBE
    assert reason(False, False, "PRICE_INCREASE", None) is ExpirationReason.PRICE_INCREASE
    assert reason(False, True, None, NOW) is ExpirationReason.BILLING_ERROR  # grace ran out
    assert reason(False, True, None, None) is ExpirationReason.UNKNOWN  # the store went quiet
    assert reason(True, False, None, None) is ExpirationReason.UNKNOWN  # a grant ran out
    assert reason(True, False, "DEVELOPER_INITIATED", None) is ExpirationReason.DEVELOPER_INITIATED


def test_a_paused_period_ends_as_subscription_paused() -> None:
    assert reason(False, True, None, None, paused=NOW) is ExpirationReason.SUBSCRIPTION_PAUSED
    assert reason(False, True, None, NOW, paused=NOW) is ExpirationReason.SUBSCRIPTION_PAUSED
