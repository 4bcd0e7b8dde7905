"""Granted (promotional) entitlements: how long a grant lasts and how it is named.

DESIGN 4.5 and the RevenueCat reference, section 3.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Final

from app.domain.enums import GrantDuration
from app.domain.errors import DomainError, ErrorCode

PROMO_PRODUCT_PREFIX = "rc_promo"
CUSTOM_SUFFIX = "custom"
DURATION_FIELD = ("input", "duration")
ENDS_AT_FIELD = ("input", "endsAt")

GRANT_DURATIONS: Final[Mapping[GrantDuration, timedelta | None]] = MappingProxyType(
    {
        GrantDuration.DAILY: timedelta(hours=24),
        GrantDuration.THREE_DAY: timedelta(hours=72),
        GrantDuration.WEEKLY: timedelta(days=7),
        GrantDuration.TWO_WEEK: timedelta(days=14),
        GrantDuration.MONTHLY: timedelta(days=31),
        GrantDuration.TWO_MONTH: timedelta(days=61),
        GrantDuration.THREE_MONTH: timedelta(days=92),
        GrantDuration.SIX_MONTH: timedelta(days=183),
        GrantDuration.YEARLY: timedelta(days=365),
        GrantDuration.LIFETIME: None,
    }
)
"""RevenueCat's fixed lengths (not calendar months); LIFETIME never expires."""

LIFETIME_PAYLOAD_SPAN = timedelta(days=365 * 200 + 48)
"""What "200 years" means where a lifetime grant needs an expiry date (webhook
`expiration_at_ms`): 200 × 365 days plus the 48 leap days of the years 2026-2226.
RevenueCat sends such a far date too; internally a lifetime grant has no expiry."""


@dataclass(frozen=True, slots=True)
class GrantWindow:
    """When a new grant ends (None: never) and the suffix of its product id."""

    expires_at: datetime | None
    product_id_suffix: str


def grant_window(now: datetime, duration: GrantDuration | None, ends_at: datetime | None) -> GrantWindow:
    """The window of a grant made at `now`, from exactly one of `duration` or `ends_at`.

    A grant always starts at once, so only its end is chosen. An `ends_at` without a
    time zone is read as UTC (GraphQL clients often omit the offset); one at or before
    `now` would make a grant that is over before it starts, and is refused.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    if duration is not None and ends_at is None:
        return _window_for_duration(now, duration)
    if ends_at is not None and duration is None:
        return _window_until(now, ends_at)
    raise DomainError(ErrorCode.INVALID_INPUT, "Give exactly one of duration or endsAt.", DURATION_FIELD)


def _window_for_duration(now: datetime, duration: GrantDuration) -> GrantWindow:
    length = GRANT_DURATIONS[duration]
    expires_at = None if length is None else now + length
    return GrantWindow(expires_at, duration.value.lower())


def _window_until(now: datetime, ends_at: datetime) -> GrantWindow:
    end = ends_at.replace(tzinfo=UTC) if ends_at.tzinfo is None else ends_at.astimezone(UTC)
    if end <= now:
        raise DomainError(ErrorCode.INVALID_INPUT, "endsAt must be in the future.", ENDS_AT_FIELD)
    return GrantWindow(end, CUSTOM_SUFFIX)


def promo_product_id(entitlement_identifier: str, suffix: str) -> str:
    """The product id of a grant, e.g. `rc_promo_pro_monthly` or `rc_promo_pro_custom`."""
    return f"{PROMO_PRODUCT_PREFIX}_{entitlement_identifier}_{suffix}"


def payload_expiration(granted_at: datetime, expires_at: datetime | None) -> datetime:
    """The expiry to show where one is required: a lifetime grant ends 200 years out."""
    return expires_at if expires_at is not None else granted_at + LIFETIME_PAYLOAD_SPAN
