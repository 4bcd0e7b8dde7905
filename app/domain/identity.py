"""App User IDs: which ones are accepted, which one represents a customer, and what
`identifyCustomer` (the SDK's logIn) does with two of them.

See DESIGN 4.1 and the RevenueCat reference, section 7.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from app.domain.enums import ApiKeyRole
from app.domain.errors import DomainError, ErrorCode

ANONYMOUS_ID_PREFIX = "$RCAnonymousID:"
ANONYMOUS_ID_PATTERN = re.compile(r"^\$RCAnonymousID:[0-9a-f]{32}$")
MAX_APP_USER_ID_LENGTH = 100

BLOCKED_APP_USER_IDS: frozenset[str] = frozenset(
    {
        "no_user",
        "null",
        "none",
        "nil",
        "(null)",
        "NaN",
        "unidentified",
        "undefined",
        "unknown",
        "anonymous",
        "guest",
        "-1",
        "0",
        "[]",
        "{}",
        "[object Object]",
    }
)
"""The IDs RevenueCat refuses, as it lists them.

They are what a client sends when it stringifies a missing user (`None`, `nil`,
`undefined`, `[object Object]` ...); accepting one would pool every such customer into
one profile.
"""

_BLOCKED_FOLDED = frozenset(blocked.casefold() for blocked in BLOCKED_APP_USER_IDS)


_INVISIBLE_KINDS: dict[str, str] = {
    "Cc": "control characters",
    # Zero-width characters (U+200B-U+200D, U+2060, U+FEFF, the soft hyphen) and the
    # bidirectional controls (U+200E/F, U+202A-U+202E, U+2066-U+2069, U+061C) are all
    # format characters: invisible, or changing only how the rest is shown.
    "Cf": "zero-width or bidirectional-control characters",
    "Zl": "line separators",
    "Zp": "paragraph separators",
    "Cs": "unpaired surrogates",
}
"""Unicode categories refused anywhere in an App User ID, with how the refusal names them."""


def is_anonymous(app_user_id: str) -> bool:
    """True for an SDK-generated anonymous ID (`$RCAnonymousID:` + 32 lowercase hex)."""
    return ANONYMOUS_ID_PATTERN.fullmatch(app_user_id) is not None


def new_anonymous_id() -> str:
    """A fresh anonymous ID in the SDK's format (a UUID4 without dashes)."""
    return ANONYMOUS_ID_PREFIX + uuid.uuid4().hex


def validate_app_user_id(value: str, field: tuple[str, ...] = ("input", "appUserId")) -> str:
    """Return `value` unchanged if it may be used as an App User ID, else refuse it.

    IDs are case-sensitive and compared exactly as sent, so an ID that only looks like
    another must be refused here, or it could pose as that customer in a support search:
    leading or trailing whitespace, control characters (NUL included, which PostgreSQL
    rejects anyway), format characters (Unicode category Cf: the zero-width ones such as
    U+200B and U+FEFF, and the bidirectional controls such as U+200E and U+202E that
    reorder what a screen shows), line and paragraph separators, and lone surrogates
    (not text: they cannot be stored as UTF-8). The blocked list is matched without
    regard to case (so `NULL` and `None` are refused too): a case variant is the same
    stringified missing value from another language, never a real user.
    """
    problem = _app_user_id_problem(value)
    if problem is not None:
        raise DomainError(ErrorCode.INVALID_INPUT, problem, field)
    return value


def _app_user_id_problem(value: str) -> str | None:
    if not value.strip():
        return "App User ID must not be empty."
    if len(value) > MAX_APP_USER_ID_LENGTH:
        return f"App User ID must be at most {MAX_APP_USER_ID_LENGTH} characters."
    if "/" in value:
        return "App User ID must not contain '/'."
    if value != value.strip():
        return "App User ID must not start or end with whitespace."
    for char in value:
        kind = _INVISIBLE_KINDS.get(unicodedata.category(char))
        if kind is not None:
            return f"App User ID must not contain {kind} (U+{ord(char):04X})."
    if value.strip().casefold() in _BLOCKED_FOLDED:
        return f"{value.strip()!r} is not allowed as an App User ID."
    return None


@dataclass(frozen=True, slots=True)
class AliasView:
    """What choosing a customer's representative ID needs to know about one alias."""

    app_user_id: str
    is_anonymous: bool
    last_seen_at: datetime | None
    created_at: datetime


def choose_app_user_id(aliases: Sequence[AliasView]) -> str:
    """The ID that stands for the customer in the API and in webhooks.

    RevenueCat's order: the last seen identified alias, else the last seen alias (even
    anonymous), else any. "Any" is the original (earliest created) so the answer stays
    stable; ties on the last-seen time also go to the earliest created, then to the
    smallest ID, so the same rows always give the same answer.
    """
    if not aliases:
        raise ValueError("a customer has at least one App User ID")
    ordered = sorted(aliases, key=lambda alias: (alias.created_at, alias.app_user_id))
    seen = [(alias.last_seen_at, alias) for alias in ordered if alias.last_seen_at is not None]
    identified_seen = [(at, alias) for at, alias in seen if not alias.is_anonymous]
    for candidates in (identified_seen, seen):
        if candidates:
            # max() keeps the first of equal times, and candidates are in creation order.
            return max(candidates, key=lambda pair: pair[0])[1].app_user_id
    return ordered[0].app_user_id


def ids_seen_by_login(app_user_id: str, new_app_user_id: str) -> tuple[str, ...]:
    """The IDs that `identifyCustomer(appUserId, newAppUserId)` marks as seen now.

    logIn is a connection by the new ID: from then on the app calls with it, so it is
    seen at once, and after logIn from an anonymous ID the identified one stands for the
    customer (`choose_app_user_id`) in the API and in every webhook that follows, the
    SUBSCRIBER_ALIAS of the logIn itself included. The current ID is the one the app
    leaves: marking it would let an ID the app just switched away from stand for its
    customer again.
    """
    return (new_app_user_id,)


def identify_lock_keys(project_id: int, app_user_ids: Iterable[str]) -> list[int]:
    """The keys of the locks that serialize logIns touching these App User IDs.

    One key per distinct ID (signed 64 bits, as PostgreSQL's advisory locks take them),
    in ascending order: every logIn takes its locks in the same order, so two of them
    can never each hold one lock and wait for the other's. The hash is a stable one, not
    Python's `hash` (which differs per process), since every server process must compute
    the same key; a collision only makes two unrelated logIns wait for each other.
    """
    keys: set[int] = set()
    for app_user_id in app_user_ids:
        digest = hashlib.blake2b(f"identify\x00{project_id}\x00{app_user_id}".encode(), digest_size=8)
        keys.add(int.from_bytes(digest.digest(), "big", signed=True))
    return sorted(keys)


def set_attributes_creates_customer(role: ApiKeyRole) -> bool:
    """Whether `setAttributes` on an unknown App User ID creates the customer.

    From an app (SDK key) it does: the first call of a fresh install may set attributes
    before anything else, and refusing it would lose them. Support staff and dashboards
    act on customers that exist: for them an unknown ID is a typo, answered with
    CUSTOMER_NOT_FOUND rather than a new empty customer.
    """
    return role is ApiKeyRole.SDK


class OriginalFlag(Protocol):
    app_user_id: str
    is_original: bool


def original_app_user_id(ids: Sequence[OriginalFlag]) -> str:
    """The customer's original App User ID: the one it was created with. A merge keeps the
    receiving customer's original (the other's IDs become aliases); if no ID is marked,
    the first one listed (the earliest created) stands in."""
    if not ids:
        raise ValueError("a customer has at least one App User ID")
    return next((row.app_user_id for row in ids if row.is_original), ids[0].app_user_id)


@dataclass(frozen=True, slots=True)
class CustomerDates:
    """What a merge must choose between two customers' details."""

    first_seen_at: datetime
    last_seen_at: datetime
    last_opened_at: datetime | None
    country: str | None
    offering_override_id: int | None


def merged_details(target: CustomerDates, source: CustomerDates) -> CustomerDates:
    """Merge precedence: User Since is the earliest; Last Opened and its country are the
    latest open's (the other's country only fills a gap); last seen is the latest; the
    receiving customer's offering override wins, else the other's."""
    opened_later = source.last_opened_at is not None and (
        target.last_opened_at is None or source.last_opened_at > target.last_opened_at
    )
    return CustomerDates(
        first_seen_at=min(target.first_seen_at, source.first_seen_at),
        last_seen_at=max(target.last_seen_at, source.last_seen_at),
        last_opened_at=source.last_opened_at if opened_later else target.last_opened_at,
        country=(source.country or target.country) if opened_later else target.country,
        offering_override_id=target.offering_override_id or source.offering_override_id,
    )


class IdentifyOutcome(StrEnum):
    """What `identifyCustomer(appUserId, newAppUserId)` does."""

    ALIAS_NEW = "ALIAS_NEW"
    """The new ID is unknown: it becomes an alias of the current (anonymous) customer."""
    MERGE_INTO_NEW = "MERGE_INTO_NEW"
    """The current anonymous customer is merged into the known customer of the new ID."""
    SWITCH = "SWITCH"
    """No merge: the app switches to the new ID's customer (created if unknown)."""
    ALREADY_SAME = "ALREADY_SAME"
    """Both IDs already belong to one customer: nothing to do."""


def identify_outcome(
    current_is_anonymous: bool,
    current_customer_exists: bool,
    new_customer_exists: bool,
    new_customer_has_anonymous_alias: bool,
    same_customer: bool,
) -> IdentifyOutcome:
    """Apply RevenueCat's logIn merge rules (reference section 7).

    Only an anonymous current ID ever merges, so purchases made before signing in follow
    the user; a known customer that already absorbed an anonymous ID is not merged again,
    so one device cannot pull a second anonymous history into an account. A current ID
    with no customer yet has nothing to bring along: the app simply switches.
    """
    if same_customer:
        return IdentifyOutcome.ALREADY_SAME
    if not current_is_anonymous or not current_customer_exists:
        return IdentifyOutcome.SWITCH
    if not new_customer_exists:
        return IdentifyOutcome.ALIAS_NEW
    if new_customer_has_anonymous_alias:
        return IdentifyOutcome.SWITCH
    return IdentifyOutcome.MERGE_INTO_NEW
