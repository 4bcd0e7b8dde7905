"""Restore behaviour (DESIGN 4.6), merge precedence and the original App User ID (4.1),
totalSpent and sandbox visibility (4.3), the environment of a transfer."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.domain.enums import Environment, RestoreBehavior
from app.domain.identity import CustomerDates, merged_details, original_app_user_id
from app.domain.restore import RestoreOutcome, restore_outcome
from app.domain.spending import is_visible, total_spent
from app.domain.transfers import transfer_environment

NOW = datetime(2026, 3, 1, tzinfo=UTC)
B = RestoreBehavior


@pytest.mark.parametrize(
    ("behavior", "active", "expected"),
    [
        (B.TRANSFER, True, RestoreOutcome.TRANSFER),
        (B.TRANSFER, False, RestoreOutcome.TRANSFER),
        (B.TRANSFER_IF_NO_ACTIVE_SUBSCRIPTION, False, RestoreOutcome.TRANSFER),
        (B.TRANSFER_IF_NO_ACTIVE_SUBSCRIPTION, True, RestoreOutcome.REFUSE),
        (B.KEEP_WITH_ORIGINAL, False, RestoreOutcome.REFUSE),
        (B.KEEP_WITH_ORIGINAL, True, RestoreOutcome.REFUSE),
    ],
)
def test_restore_behaviour_for_an_identified_owner(
    behavior: B, active: bool, expected: RestoreOutcome
) -> None:
    assert (
        restore_outcome(behavior, owner_is_anonymous=False, owner_has_active_subscription=active) is expected
    )


@pytest.mark.parametrize("behavior", list(B))
def test_an_anonymous_owner_is_merged_whatever_the_behaviour(behavior: B) -> None:
    outcome = restore_outcome(behavior, owner_is_anonymous=True, owner_has_active_subscription=True)
    assert outcome is RestoreOutcome.MERGE


@dataclass
class Id:
    app_user_id: str
    is_original: bool


def test_the_original_app_user_id_is_the_marked_one_else_the_first() -> None:
    assert original_app_user_id([Id("alias", False), Id("first", True)]) == "first"
    assert original_app_user_id([Id("a", False), Id("b", False)]) == "a"
    with pytest.raises(ValueError):
        original_app_user_id([])


def dates(days_ago_seen: int, opened: int | None, country: str | None, override: int | None) -> CustomerDates:
    return CustomerDates(
        first_seen_at=NOW - timedelta(days=days_ago_seen),
        last_seen_at=NOW - timedelta(days=days_ago_seen // 2),
        last_opened_at=None if opened is None else NOW - timedelta(days=opened),
        country=country,
        offering_override_id=override,
    )


def test_merge_precedence() -> None:
    target, source = dates(10, 5, "DE", None), dates(20, 1, "FR", 7)
    merged = merged_details(target, source)
    assert merged.first_seen_at == source.first_seen_at  # the earliest User Since
    assert merged.last_seen_at == target.last_seen_at  # the latest
    assert (merged.last_opened_at, merged.country) == (source.last_opened_at, "FR")  # the latest open's
    assert merged.offering_override_id == 7  # the target had none
    # The target's own open is later: its country stays, and its override wins.
    merged = merged_details(dates(10, 1, "DE", 3), dates(20, 5, "FR", 7))
    assert (merged.country, merged.offering_override_id) == ("DE", 3)
    # A later open without a country does not erase the known one.
    assert merged_details(dates(10, 5, "DE", None), dates(20, 1, None, None)).country == "DE"


@dataclass
class Priced:
    environment: str
    price_usd: Decimal | None
    refunded_at: datetime | None = None


def test_total_spent_is_production_less_refunds_in_cents() -> None:
    periods = [
        Priced("PRODUCTION", Decimal("9.994")),
        Priced("PRODUCTION", Decimal("5")),
        Priced("PRODUCTION", Decimal("5"), refunded_at=NOW),  # refunded: taken back
        Priced("SANDBOX", Decimal("100")),  # test purchases are not money
        Priced("PRODUCTION", None),  # unknown price
        Priced("PRODUCTION", Decimal(0)),  # a grant
    ]
    assert total_spent(periods) == Decimal("14.99")
    assert total_spent([]) == Decimal("0.00")


def test_sandbox_is_shown_only_on_request() -> None:
    assert is_visible("PRODUCTION", include_sandbox=False)
    assert not is_visible("SANDBOX", include_sandbox=False)
    assert is_visible("SANDBOX", include_sandbox=True)


def test_a_transfer_with_any_production_purchase_is_a_production_event() -> None:
    P, S = Environment.PRODUCTION, Environment.SANDBOX
    assert transfer_environment([S, P]) is P
    assert transfer_environment([S, S]) is S
