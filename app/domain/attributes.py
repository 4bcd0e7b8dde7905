"""Customer attributes: which keys and values one `setAttributes` call may write.

Rules from DESIGN 4.4 and the RevenueCat reference, section 2. A call is all or nothing,
so validation reports every problem of the call at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from app.domain.errors import DomainError, DomainErrors, ErrorCode

CUSTOM_KEY_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]*$")
MAX_CUSTOM_KEY_LENGTH = 40
MAX_VALUE_LENGTH = 500
MAX_CUSTOM_ATTRIBUTES = 50
# One call sets at most this many (DESIGN 4.11: list inputs are capped).
MAX_ATTRIBUTES_PER_CALL = 100
EMAIL_KEY = "$email"
RESERVED_PREFIX = "$"

_DOCUMENTED_RESERVED_KEYS = {
    # Identity and contact
    "$displayName", "$email", "$phoneNumber", "$deviceVersion",
    # Push tokens
    "$apnsTokens", "$fcmTokens",
    # Tracking consent
    "$attConsentStatus",
    # Device identifiers
    "$idfa", "$idfv", "$gpsAdId", "$androidId", "$amazonAdId", "$ip",
    # Third-party ids
    "$adjustId", "$amplitudeDeviceId", "$amplitudeUserId", "$appsflyerId", "$fbAnonId",
    "$firebaseAppInstanceId", "$iterableUserId", "$mixpanelDistinctId", "$mparticleId",
    "$onesignalId", "$clevertapId", "$airshipChannelId", "$kochavaDeviceId", "$tenjinId",
    "$posthogUserId", "$customerioId",
    # Braze, Iterable
    "$brazeAliasName", "$brazeAliasLabel", "$iterableCampaignId", "$iterableTemplateId",
    # Attribution
    "$mediaSource", "$campaign", "$adGroup", "$ad", "$keyword", "$creative",
    # Apple refunds
    "$appleRefundHandlingPreference",
}  # fmt: skip
_API_V2_ONLY_RESERVED_KEYS = {
    "$airbridgeDeviceId", "$appleAdsAdGroupId", "$appleAdsCampaignId", "$appleAdsKeywordId",
    "$appsflyerSharingFilter", "$branchId", "$onesignalUserId", "$telemetryDeckUserId",
    "$telemetryDeckAppId", "$segmentId", "$solarEngineDistinctId", "$solarEngineAccountId",
    "$solarEngineVisitorId",
}  # fmt: skip

RESERVED_KEYS: frozenset[str] = frozenset(_DOCUMENTED_RESERVED_KEYS | _API_V2_ONLY_RESERVED_KEYS)
"""Every `$` key RevenueCat defines: its docs page plus the API v2 enum's extra keys."""

ATTRIBUTION_KEYS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "network": "$mediaSource",
        "campaign": "$campaign",
        "ad_group": "$adGroup",
        "keywords": "$keyword",
        "creative": "$creative",
    }
)
"""The Attribution card's fields (as Python names) and the reserved keys they show."""

# Pragmatic, not RFC 5322: one @, no whitespace, a dotted domain. It catches the typos
# and placeholders that would make an email integration fail, and nothing more.
_EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


@dataclass(frozen=True, slots=True)
class AttributeChange:
    """One validated write: set `key` to `value`, or delete it when `value` is None."""

    key: str
    value: str | None

    @property
    def is_delete(self) -> bool:
        return self.value is None

    @property
    def is_custom(self) -> bool:
        return not is_reserved_prefix(self.key)


def is_reserved(key: str) -> bool:
    """True for a `$` key that RevenueCat defines."""
    return key in RESERVED_KEYS


def is_reserved_prefix(key: str) -> bool:
    """True for a key in the reserved `$` namespace, defined or not."""
    return key.startswith(RESERVED_PREFIX)


def validate_attribute_changes(
    changes: Sequence[tuple[str, str | None]], existing_custom_keys: Set[str]
) -> list[AttributeChange]:
    """Validate one call's `(key, value)` pairs against the customer's custom keys.

    A None or empty value means delete. Returns the changes in order, with deletes as
    None; raises `DomainErrors` holding every problem found, each pointing at
    `("input", "attributes", <index>, "key" | "value")`.
    """
    if len(changes) > MAX_ATTRIBUTES_PER_CALL:
        message = f"One call sets at most {MAX_ATTRIBUTES_PER_CALL} attributes."
        raise DomainErrors([DomainError(ErrorCode.TOO_LARGE, message, ("input", "attributes"))])
    normalized = [AttributeChange(key, value or None) for key, value in changes]
    errors: list[DomainError] = []
    seen_keys: set[str] = set()
    countable: list[tuple[int, AttributeChange]] = []
    for index, change in enumerate(normalized):
        key_error = _key_error(change.key, index, seen_keys)
        if key_error is None:
            countable.append((index, change))
        else:
            errors.append(key_error)
        seen_keys.add(change.key)
        errors.extend(_value_errors(change, index))
    errors.extend(_limit_errors(countable, existing_custom_keys))
    if errors:
        raise DomainErrors(errors)
    return normalized


def _key_error(key: str, index: int, seen_keys: set[str]) -> DomainError | None:
    field = _field(index, "key")
    if key in seen_keys:
        return DomainError(ErrorCode.INVALID_INPUT, f"Attribute {key!r} is set twice in one call.", field)
    if is_reserved_prefix(key):
        if is_reserved(key):
            return None
        return DomainError(
            ErrorCode.RESERVED_ATTRIBUTE_KEY,
            f"{key!r} is not a known reserved attribute; custom keys cannot start with '$'.",
            field,
        )
    if len(key) > MAX_CUSTOM_KEY_LENGTH or CUSTOM_KEY_PATTERN.fullmatch(key) is None:
        return DomainError(
            ErrorCode.INVALID_ATTRIBUTE_KEY,
            f"Attribute key {key!r} must start with a letter, contain only letters, digits,"
            f" '_' and '-', and be at most {MAX_CUSTOM_KEY_LENGTH} characters.",
            field,
        )
    return None


def _value_errors(change: AttributeChange, index: int) -> list[DomainError]:
    value = change.value
    if value is None:
        return []
    field = _field(index, "value")
    errors: list[DomainError] = []
    if len(value) > MAX_VALUE_LENGTH:
        errors.append(
            DomainError(
                ErrorCode.ATTRIBUTE_VALUE_TOO_LONG,
                f"Value of {change.key!r} must be at most {MAX_VALUE_LENGTH} characters.",
                field,
            )
        )
    if "\x00" in value:
        errors.append(DomainError(ErrorCode.INVALID_INPUT, f"Value of {change.key!r} contains NUL.", field))
    elif change.key == EMAIL_KEY and _EMAIL_PATTERN.fullmatch(value) is None:
        errors.append(DomainError(ErrorCode.INVALID_INPUT, "Value is not a valid email address.", field))
    return errors


def _limit_errors(
    changes: Sequence[tuple[int, AttributeChange]], existing_custom_keys: Set[str]
) -> list[DomainError]:
    """Refuse the new custom keys that do not fit under the limit.

    `changes` are the call's changes with a valid key, with their index. The count is
    the one after the whole call (its deletes free room first; setting a key the
    customer has does not add one). The keys beyond the limit, in call order, are the
    ones reported.
    """
    custom = [(index, change) for index, change in changes if change.is_custom]
    deleted = {change.key for _, change in custom if change.is_delete}
    kept = {key for key in existing_custom_keys if not is_reserved_prefix(key)} - deleted
    room = MAX_CUSTOM_ATTRIBUTES - len(kept)
    errors: list[DomainError] = []
    for index, change in custom:
        if change.is_delete or change.key in kept:
            continue
        kept.add(change.key)
        room -= 1
        if room < 0:
            errors.append(
                DomainError(
                    ErrorCode.ATTRIBUTE_LIMIT_REACHED,
                    f"A customer can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes.",
                    _field(index, "key"),
                )
            )
    return errors


def _field(index: int, part: str) -> tuple[str, ...]:
    return ("input", "attributes", str(index), part)
