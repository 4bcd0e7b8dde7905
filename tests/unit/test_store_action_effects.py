"""Refund and cancel preconditions and effects (DESIGN 4.7), as pure rules."""

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.enums import CancelReason, PeriodType, ProductType, Store
from app.domain.errors import DomainError, ErrorCode
from app.domain.receipts import TransactionState
from app.domain.store_actions import cancelled, check_cancel, check_refund, refunded

NOW = datetime(2026, 3, 1, tzinfo=UTC)
FIELD = ("input", "purchaseId")
LATEST = TransactionState("t-2", "t-1", "monthly", NOW - timedelta(days=3), NOW + timedelta(days=27))


def code_of(call: object) -> ErrorCode | None:
    try:
        call()  # type: ignore[operator]
    except DomainError as error:
        assert error.field == FIELD
        return error.code
    return None


def test_refund_refusals() -> None:
    assert code_of(lambda: check_refund(Store.PLAY_STORE, None, False, FIELD)) is None
    assert code_of(lambda: check_refund(Store.RC_BILLING, None, False, FIELD)) is None
    assert code_of(lambda: check_refund(Store.PLAY_STORE, NOW, False, FIELD)) is ErrorCode.ALREADY_REFUNDED
    assert (
        code_of(lambda: check_refund(Store.APP_STORE, None, False, FIELD)) is ErrorCode.REFUND_NOT_SUPPORTED
    )
    assert (
        code_of(lambda: check_refund(Store.PROMOTIONAL, None, True, FIELD)) is ErrorCode.REFUND_NOT_SUPPORTED
    )


def test_apple_refund_refusal_says_where_to_go() -> None:
    with pytest.raises(DomainError, match="Apple support"):
        check_refund(Store.APP_STORE, None, False, FIELD)


def cancel(**changes: object) -> ErrorCode | None:
    args: dict[str, object] = {
        "store": Store.RC_BILLING,
        "product_type": ProductType.SUBSCRIPTION,
        "period_type": PeriodType.NORMAL,
        "is_granted": False,
        "will_renew": True,
        "access_expires_at": NOW + timedelta(days=1),
        "refunded_at": None,
    } | changes
    return code_of(
        lambda: check_cancel(
            args["store"], args["product_type"], args["period_type"],  # type: ignore[arg-type]
            is_granted=args["is_granted"], will_renew=args["will_renew"],  # type: ignore[arg-type]
            access_expires_at=args["access_expires_at"], refunded_at=args["refunded_at"],  # type: ignore[arg-type]
            now=NOW, field=FIELD,
        )
    )  # fmt: skip


def test_cancel_refusals() -> None:
    assert cancel() is None
    assert cancel(store=Store.PLAY_STORE, period_type=PeriodType.TRIAL) is None
    assert cancel(store=Store.PLAY_STORE) is ErrorCode.CANCEL_NOT_SUPPORTED
    assert cancel(store=Store.APP_STORE) is ErrorCode.CANCEL_NOT_SUPPORTED
    assert cancel(product_type=ProductType.NON_RENEWING) is ErrorCode.CANCEL_NOT_SUPPORTED
    assert cancel(is_granted=True) is ErrorCode.CANCEL_NOT_SUPPORTED
    assert cancel(access_expires_at=NOW) is ErrorCode.CANCEL_NOT_SUPPORTED  # already ended
    assert cancel(refunded_at=NOW) is ErrorCode.CANCEL_NOT_SUPPORTED
    assert cancel(will_renew=False) is ErrorCode.ALREADY_CANCELLED


def test_a_refund_refunds_the_last_period_now_and_stops_renewal() -> None:
    after = refunded(LATEST, NOW)
    assert after.refunded_at == NOW and after.will_renew is False
    assert after.expires_at == LATEST.expires_at and after.transaction_id == LATEST.transaction_id


def test_a_cancel_stops_renewal_for_developer_initiated_and_keeps_the_period() -> None:
    after = cancelled(LATEST)
    assert after.will_renew is False and after.cancel_reason is CancelReason.DEVELOPER_INITIATED
    assert after.expires_at == LATEST.expires_at and after.refunded_at is None
