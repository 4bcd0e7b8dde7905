"""Loaders of purchases and their store transactions (one transaction per period)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from app.db.models import Purchase, StoreTransaction
from app.domain.spending import CENT
from app.graphql.dataloaders.base import (
    ByIdLoader,
    ProjectLoader,
    one_per_key,
)
from app.graphql.dataloaders.customer_parts import MICRO, CustomerPartsLoader
from app.graphql.dataloaders.project import (
    EntitlementByIdentifierLoader,
    EntitlementIdentifiersByProductLoader,
)


@dataclass(frozen=True, slots=True)
class LatestPrice:
    """What a purchase shows of its latest period."""

    price: Decimal | None
    currency: str | None
    price_usd: Decimal | None


class PurchaseByIdLoader(ByIdLoader[Purchase]):
    model = Purchase


_WITH_PURCHASES = ("purchases", "product_entitlements", "granted_entitlements")


class PurchasesByCustomerIdLoader(ProjectLoader[int, list[Purchase]]):
    """Each customer's purchases, newest first, in one statement with what they show
    of their transactions: the latest period's price (primed into
    LatestTransactionByPurchaseIdLoader) and the customer's totalSpent (a window SUM).
    Every transaction is read once, in SQL, and none is sent to Python."""

    def __init__(self, context: Any) -> None:
        if getattr(self, "context", None) is context:
            return
        super().__init__(context)
        self._spent: dict[int, Decimal] = {}

    async def total_spent(self, customer_id: int) -> Decimal:
        """totalSpent (DESIGN 4.3, app/domain/spending.py) from the same statement."""
        await self.load(customer_id)
        return self._spent[customer_id]

    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Purchase]]:
        # The entitlements their products give come in the same statement: whoever
        # shows a customer's purchases or entitlements asks for those next.
        parts = CustomerPartsLoader(self.context)
        asked = [(kind, key, None) for kind in _WITH_PURCHASES for key in keys]
        found = dict(zip(asked, await parts.load_many(asked), strict=True))
        latest = LatestTransactionByPurchaseIdLoader(self.context)
        identifiers = EntitlementIdentifiersByProductLoader(self.context)
        by_identifier = EntitlementByIdentifierLoader(self.context)
        for key in keys:
            given: dict[tuple[str, str], list[str]] = defaultdict(list)
            for row in found[("product_entitlements", key, None)]:
                given[(row.product_store, row.product_identifier)].append(row.identifier)
                by_identifier.prime(row.identifier, row)
            for row in found[("granted_entitlements", key, None)]:
                by_identifier.prime(row.identifier, row)
            spent = None
            for row in found[("purchases", key, None)]:
                latest.prime(
                    row.id,
                    LatestPrice(row.latest_price, row.latest_currency, row.latest_price_usd)
                    if row.period_of is not None
                    else None,
                )
                if not row.is_granted:
                    identifiers.prime((row.store, row.product_id), given.get((row.store, row.product_id), []))
                if row.customer_spent is not None:
                    spent = self._dollars(row.customer_spent)
            # Unknown prices count 0, refunded and sandbox periods are left out (the
            # CASE in the statement, as spending.total_spent does); rounded to cents.
            self._spent[key] = (spent or Decimal(0)).quantize(CENT)
        return [found[("purchases", key, None)] for key in keys]

    def _dollars(self, total: Any) -> Decimal:
        if self.db.dialect == "sqlite":
            return Decimal(int(total)) / MICRO
        return Decimal(total)


class LatestTransactionByPurchaseIdLoader(ProjectLoader[int, StoreTransaction | LatestPrice | None]):
    """The transaction of each purchase's current or last period (the purchases
    statement primes it; a purchase reached another way loads it here)."""

    async def batch_load_fn(self, keys: Sequence[int]) -> list[StoreTransaction | LatestPrice | None]:
        rows = await self.fetch(
            select(StoreTransaction)
            .where(
                StoreTransaction.project_id == self.project_id, col(StoreTransaction.purchase_id).in_(keys)
            )
            .order_by(col(StoreTransaction.purchased_at), col(StoreTransaction.transaction_id))
        )
        # Rows come oldest first, so the last one per purchase wins.
        return one_per_key(keys, rows, lambda r: r.purchase_id)
