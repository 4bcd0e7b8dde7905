"""Which purchase decides each entitlement of a customer (DESIGN 4.3).

Several purchases (and promotional grants) can give the same entitlement. The customer
sees one row per entitlement, decided by the source that gives the most access: a
lifetime source beats everything, otherwise the one that ends last. Refunded sources
never beat a non-refunded one, whatever their dates.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.domain.enums import Environment, PeriodType, Store
from app.domain.spending import is_visible


@dataclass(frozen=True, slots=True)
class EntitlementGrantSource:
    """One purchase or grant that gives entitlements."""

    purchase_key: object  # opaque id of the purchase (caller's)
    entitlement_identifiers: tuple[str, ...]
    product_id: str
    store: Store
    environment: Environment
    period_type: PeriodType
    purchased_at: datetime
    expires_at: datetime | None  # effective expiry (grace included); None = lifetime
    refunded: bool
    will_renew: bool
    is_granted: bool  # PROMOTIONAL grant
    unsubscribe_detected_at: datetime | None = None
    billing_issue_detected_at: datetime | None = None
    grace_period_expires_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        return not self.refunded and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True, slots=True)
class EntitlementStatus:
    entitlement_identifier: str
    is_active: bool
    source: EntitlementGrantSource


def entitlement_statuses(
    sources: Iterable[EntitlementGrantSource], now: datetime, include_sandbox: bool
) -> list[EntitlementStatus]:
    """One row per entitlement ever held, active first, then by identifier."""
    sources_by_entitlement = _sources_by_entitlement(_visible(sources, include_sandbox))
    statuses = [
        _status(identifier, _winner(candidates), now)
        for identifier, candidates in sources_by_entitlement.items()
    ]
    return sorted(statuses, key=lambda s: (not s.is_active, s.entitlement_identifier))


def _visible(
    sources: Iterable[EntitlementGrantSource], include_sandbox: bool
) -> list[EntitlementGrantSource]:
    """Sandbox purchases are test data: shown only when the caller asks for them."""
    return [source for source in sources if is_visible(source.environment, include_sandbox)]


def _sources_by_entitlement(
    sources: Sequence[EntitlementGrantSource],
) -> dict[str, list[EntitlementGrantSource]]:
    grouped: dict[str, list[EntitlementGrantSource]] = {}
    for source in sources:
        for identifier in source.entitlement_identifiers:
            grouped.setdefault(identifier, []).append(source)
    return grouped


def _winner(candidates: Sequence[EntitlementGrantSource]) -> EntitlementGrantSource:
    """The source giving the most access; ties go to the latest purchase, then the first."""
    return max(candidates, key=_access_rank)


def _access_rank(source: EntitlementGrantSource) -> tuple[bool, bool, datetime, datetime]:
    is_lifetime = source.expires_at is None
    # Lifetime sources are ordered by the flag before; their own end is just a placeholder.
    ends_at = source.expires_at or source.purchased_at
    return (not source.refunded, is_lifetime, ends_at, source.purchased_at)


def _status(identifier: str, winner: EntitlementGrantSource, now: datetime) -> EntitlementStatus:
    return EntitlementStatus(
        entitlement_identifier=identifier, is_active=winner.is_active(now), source=winner
    )
