from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.domain.enums import GrantDuration
from app.domain.errors import DomainError, ErrorCode
from app.domain.grants import (
    GRANT_DURATIONS,
    LIFETIME_PAYLOAD_SPAN,
    GrantWindow,
    grant_window,
    payload_expiration,
    promo_product_id,
)

NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)

EXPECTED = [
    (GrantDuration.DAILY, timedelta(hours=24), "daily"),
    (GrantDuration.THREE_DAY, timedelta(hours=72), "three_day"),
    (GrantDuration.WEEKLY, timedelta(days=7), "weekly"),
    (GrantDuration.TWO_WEEK, timedelta(days=14), "two_week"),
    (GrantDuration.MONTHLY, timedelta(days=31), "monthly"),
    (GrantDuration.TWO_MONTH, timedelta(days=61), "two_month"),
    (GrantDuration.THREE_MONTH, timedelta(days=92), "three_month"),
    (GrantDuration.SIX_MONTH, timedelta(days=183), "six_month"),
    (GrantDuration.YEARLY, timedelta(days=365), "yearly"),
]


def test_every_duration_has_a_length() -> None:
    assert set(GRANT_DURATIONS) == set(GrantDuration)
    assert GRANT_DURATIONS[GrantDuration.LIFETIME] is None


@pytest.mark.parametrize(("duration", "length", "suffix"), EXPECTED)
def test_duration_window(duration: GrantDuration, length: timedelta, suffix: str) -> None:
    assert GRANT_DURATIONS[duration] == length
    assert grant_window(NOW, duration, None) == GrantWindow(NOW + length, suffix)


def test_lifetime_never_expires() -> None:
    assert grant_window(NOW, GrantDuration.LIFETIME, None) == GrantWindow(None, "lifetime")


def test_lifetime_payload_span_is_200_years() -> None:
    assert LIFETIME_PAYLOAD_SPAN.days == 73_048
    assert (NOW + LIFETIME_PAYLOAD_SPAN).date() == NOW.date().replace(year=2226)


def test_payload_expiration() -> None:
    end = NOW + timedelta(days=3)
    assert payload_expiration(NOW, end) == end
    assert payload_expiration(NOW, None) == NOW + LIFETIME_PAYLOAD_SPAN


def test_ends_at_window() -> None:
    end = NOW + timedelta(minutes=1)
    assert grant_window(NOW, None, end) == GrantWindow(end, "custom")


def test_ends_at_is_converted_to_utc() -> None:
    end = datetime(2026, 2, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    window = grant_window(NOW, None, end)
    assert window.expires_at == datetime(2026, 2, 1, 10, tzinfo=UTC)
    assert window.expires_at is not None and window.expires_at.utcoffset() == timedelta(0)


def test_naive_ends_at_is_read_as_utc() -> None:
    window = grant_window(NOW, None, datetime(2026, 2, 1, 12))
    assert window.expires_at == datetime(2026, 2, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize("ends_at", [NOW, NOW - timedelta(seconds=1), datetime(2020, 1, 1)])
def test_ends_at_must_be_in_the_future(ends_at: datetime) -> None:
    with pytest.raises(DomainError) as caught:
        grant_window(NOW, None, ends_at)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.field == ("input", "endsAt")


@pytest.mark.parametrize(
    ("duration", "ends_at"),
    [(None, None), (GrantDuration.MONTHLY, NOW + timedelta(days=1))],
)
def test_exactly_one_of_duration_and_ends_at(
    duration: GrantDuration | None, ends_at: datetime | None
) -> None:
    with pytest.raises(DomainError) as caught:
        grant_window(NOW, duration, ends_at)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.field == ("input", "duration")


def test_naive_now_is_a_bug() -> None:
    with pytest.raises(ValueError):
        grant_window(datetime(2026, 1, 1), GrantDuration.DAILY, None)


@pytest.mark.parametrize(
    ("entitlement", "suffix", "expected"),
    [
        ("pro_cat", "monthly", "rc_promo_pro_cat_monthly"),
        ("pro", "lifetime", "rc_promo_pro_lifetime"),
        ("premium", "three_day", "rc_promo_premium_three_day"),
        ("pro", "custom", "rc_promo_pro_custom"),
    ],
)
def test_promo_product_id(entitlement: str, suffix: str, expected: str) -> None:
    assert promo_product_id(entitlement, suffix) == expected


def test_product_id_from_window() -> None:
    window = grant_window(NOW, GrantDuration.TWO_WEEK, None)
    assert promo_product_id("pro", window.product_id_suffix) == "rc_promo_pro_two_week"
