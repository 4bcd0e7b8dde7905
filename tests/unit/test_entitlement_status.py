"""Which source decides each entitlement, and how the list is ordered (DESIGN 4.3)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from app.domain.entitlement_status import (
    EntitlementGrantSource,
    EntitlementStatus,
    entitlement_statuses,
)
from app.domain.enums import Environment, PeriodType, Store
from app.domain.receipts import TransactionState, effective_expiry

T0 = datetime(2025, 1, 1, tzinfo=UTC)
NOW = T0 + timedelta(days=100)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def source(
    key: str, *entitlements: str, expires_day: float | None = 130, **changes: object
) -> EntitlementGrantSource:
    base = EntitlementGrantSource(
        purchase_key=key,
        entitlement_identifiers=entitlements or ("pro",),
        product_id=f"product_{key}",
        store=Store.APP_STORE,
        environment=Environment.PRODUCTION,
        period_type=PeriodType.NORMAL,
        purchased_at=at(0),
        expires_at=None if expires_day is None else at(expires_day),
        refunded=False,
        will_renew=True,
        is_granted=False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def rows(statuses: list[EntitlementStatus]) -> list[tuple[str, bool, object]]:
    return [(s.entitlement_identifier, s.is_active, s.source.purchase_key) for s in statuses]


def test_no_sources_no_entitlements() -> None:
    assert entitlement_statuses([], NOW, include_sandbox=False) == []


def test_lifetime_beats_a_later_expiry() -> None:
    sources = [source("yearly", expires_day=500), source("lifetime", expires_day=None)]
    assert rows(entitlement_statuses(sources, NOW, include_sandbox=False)) == [("pro", True, "lifetime")]


def test_the_source_that_expires_last_wins() -> None:
    sources = [source("a", expires_day=110), source("b", expires_day=150), source("c")]
    assert rows(entitlement_statuses(sources, NOW, include_sandbox=False)) == [("pro", True, "b")]


def test_latest_expiry_wins_among_expired_sources_too() -> None:
    sources = [source("a", expires_day=90), source("b", expires_day=60)]
    assert rows(entitlement_statuses(sources, NOW, include_sandbox=False)) == [("pro", False, "a")]


def test_grace_period_extends_access() -> None:
    in_grace = TransactionState(
        transaction_id="t1",
        original_transaction_id="t1",
        product_id="monthly",
        purchased_at=at(60),
        expires_at=at(90),
        billing_issue_detected_at=at(90),
        grace_period_expires_at=at(106),
    )
    grace_source = source(
        "grace",
        expires_at=effective_expiry(in_grace),
        billing_issue_detected_at=in_grace.billing_issue_detected_at,
        grace_period_expires_at=in_grace.grace_period_expires_at,
    )
    sources = [source("older", expires_day=95), grace_source]
    assert rows(entitlement_statuses(sources, NOW, include_sandbox=False)) == [("pro", True, "grace")]


def test_refunded_source_is_inactive() -> None:
    sources = [source("refunded", refunded=True)]
    assert rows(entitlement_statuses(sources, NOW, include_sandbox=False)) == [("pro", False, "refunded")]


def test_refunded_source_loses_even_to_an_expired_one() -> None:
    sources = [
        source("refunded_lifetime", expires_day=None, refunded=True),
        source("refunded", expires_day=500, refunded=True),
        source("expired", expires_day=50),
    ]
    assert rows(entitlement_statuses(sources, NOW, include_sandbox=False)) == [("pro", False, "expired")]


def test_sandbox_is_excluded_by_default_and_included_on_request() -> None:
    sandbox = source("sandbox", "beta", environment=Environment.SANDBOX)
    sources = [source("prod", "pro"), sandbox]
    assert rows(entitlement_statuses(sources, NOW, include_sandbox=False)) == [("pro", True, "prod")]
    assert rows(entitlement_statuses(sources, NOW, include_sandbox=True)) == [
        ("beta", True, "sandbox"),
        ("pro", True, "prod"),
    ]


def test_sandbox_source_can_win_when_included() -> None:
    sources = [
        source("prod", expires_day=120),
        source("sandbox", expires_day=140, environment=Environment.SANDBOX),
    ]
    assert rows(entitlement_statuses(sources, NOW, include_sandbox=True)) == [("pro", True, "sandbox")]
    assert rows(entitlement_statuses(sources, NOW, include_sandbox=False)) == [("pro", True, "prod")]


def test_active_first_then_by_identifier_one_row_each() -> None:
    sources = [
        source("old", "zeta", "alpha", expires_day=50),
        source("new", "pro", "beta"),
        source("grant", "gamma", expires_day=None, is_granted=True, store=Store.PROMOTIONAL),
    ]
    assert rows(entitlement_statuses(sources, NOW, include_sandbox=False)) == [
        ("beta", True, "new"),
        ("gamma", True, "grant"),
        ("pro", True, "new"),
        ("alpha", False, "old"),
        ("zeta", False, "old"),
    ]


def test_expiry_exactly_now_is_inactive() -> None:
    statuses = entitlement_statuses([source("a", expires_day=100)], NOW, include_sandbox=False)
    assert rows(statuses) == [("pro", False, "a")]


def test_equal_expiry_goes_to_the_later_purchase() -> None:
    sources = [source("first", purchased_at=at(0)), source("second", purchased_at=at(10))]
    assert rows(entitlement_statuses(sources, NOW, include_sandbox=False)) == [("pro", True, "second")]


def test_status_carries_the_winning_source() -> None:
    winner = source("a", will_renew=False, unsubscribe_detected_at=at(95))
    [status] = entitlement_statuses([winner], NOW, include_sandbox=False)
    assert status.source is winner
