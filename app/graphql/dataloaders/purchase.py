"""Loaders of purchases and their store transactions (one transaction per period)."""

from collections.abc import Sequence

from sqlmodel import col, select

from app.db.models import Purchase, StoreTransaction
from app.graphql.dataloaders.base import ByIdLoader, ProjectLoader, many_per_key, one_per_key


class PurchaseByIdLoader(ByIdLoader[Purchase]):
    model = Purchase


class PurchasesByCustomerIdLoader(ProjectLoader[int, list[Purchase]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Purchase]]:
        rows = await self.fetch(
            select(Purchase)
            .where(Purchase.project_id == self.project_id, col(Purchase.customer_id).in_(keys))
            .order_by(col(Purchase.purchased_at).desc(), col(Purchase.id).desc())
        )
        return many_per_key(keys, rows, lambda r: r.customer_id)


class TransactionsByCustomerIdLoader(ProjectLoader[int, list[StoreTransaction]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[StoreTransaction]]:
        rows = await self.fetch(
            select(StoreTransaction).where(
                StoreTransaction.project_id == self.project_id, col(StoreTransaction.customer_id).in_(keys)
            )
        )
        return many_per_key(keys, rows, lambda r: r.customer_id)


class LatestTransactionByPurchaseIdLoader(ProjectLoader[int, StoreTransaction | None]):
    """The transaction of each purchase's current or last period."""

    async def batch_load_fn(self, keys: Sequence[int]) -> list[StoreTransaction | None]:
        rows = await self.fetch(
            select(StoreTransaction)
            .where(
                StoreTransaction.project_id == self.project_id, col(StoreTransaction.purchase_id).in_(keys)
            )
            .order_by(col(StoreTransaction.purchased_at), col(StoreTransaction.transaction_id))
        )
        # Rows come oldest first, so the last one per purchase wins.
        return one_per_key(keys, rows, lambda r: r.purchase_id)
