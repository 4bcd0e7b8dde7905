"""Loaders of purchases and their store transactions (one transaction per period)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, Numeric, and_, case, cast, func
from sqlalchemy import select as core_select
from sqlmodel import col, select

from app.db.models import Purchase, StoreTransaction
from app.domain.enums import Environment
from app.domain.spending import CENT
from app.graphql.dataloaders.base import (
    PROJECT_ID,
    ByIdLoader,
    ProjectLoader,
    keys_in,
    many_per_key,
    one_per_key,
    prepared,
)

# SQLite has no exact decimal: it sums whole micro-dollars (prices are stored with at
# most 6 decimals, USD prices with 2), PostgreSQL sums NUMERIC.
_MICRO = 1_000_000


@dataclass(frozen=True, slots=True)
class LatestPrice:
    """What a purchase shows of its latest period."""

    price: Decimal | None
    currency: str | None
    price_usd: Decimal | None


def _usd_amount(column: Any, dialect: str) -> Any:
    if dialect == "sqlite":
        return cast(func.round(cast(column, Numeric) * _MICRO), Integer)
    return cast(column, Numeric)


@prepared
def _purchases_with_periods(dialect: str) -> Any:
    counted = and_(
        col(StoreTransaction.environment) == Environment.PRODUCTION.value,
        col(StoreTransaction.refunded_at).is_(None),
    )
    periods = (
        core_select(
            col(StoreTransaction.purchase_id),
            col(StoreTransaction.price),
            col(StoreTransaction.currency),
            col(StoreTransaction.price_usd),
            func.row_number()
            .over(
                partition_by=col(StoreTransaction.purchase_id),
                order_by=(
                    col(StoreTransaction.purchased_at).desc(),
                    col(StoreTransaction.transaction_id).desc(),
                ),
            )
            .label("position"),
            func.sum(case((counted, _usd_amount(col(StoreTransaction.price_usd), dialect)), else_=None))
            .over(partition_by=col(StoreTransaction.customer_id))
            .label("customer_spent"),
        )
        .where(col(StoreTransaction.project_id) == PROJECT_ID, keys_in(col(StoreTransaction.customer_id)))
        .subquery()
    )
    return (
        core_select(
            *Purchase.__table__.c,  # type: ignore[attr-defined]
            periods.c.purchase_id.label("_period_of"),
            periods.c.price.label("_latest_price"),
            periods.c.currency.label("_latest_currency"),
            periods.c.price_usd.label("_latest_price_usd"),
            periods.c.customer_spent.label("_customer_spent"),
        )
        .outerjoin(periods, and_(periods.c.purchase_id == col(Purchase.id), periods.c.position == 1))
        .where(col(Purchase.project_id) == PROJECT_ID, keys_in(col(Purchase.customer_id)))
        .order_by(col(Purchase.purchased_at).desc(), col(Purchase.id).desc())
    )


class PurchaseByIdLoader(ByIdLoader[Purchase]):
    model = Purchase


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
        rows = await self.fetch_prepared(_purchases_with_periods(self.db.dialect), keys)
        latest = LatestTransactionByPurchaseIdLoader(self.context)
        spent: dict[int, Decimal] = {}
        for row in rows:
            has_period = row._period_of is not None
            latest.prime(
                row.id,
                LatestPrice(row._latest_price, row._latest_currency, row._latest_price_usd)
                if has_period
                else None,
            )
            if row._customer_spent is not None:
                spent[row.customer_id] = self._dollars(row._customer_spent)
        # Unknown prices count 0, refunded and sandbox periods are left out (the CASE
        # above, as spending.total_spent does); rounded to cents.
        for key in keys:
            self._spent[key] = spent.get(key, Decimal(0)).quantize(CENT)
        return many_per_key(keys, rows, lambda r: r.customer_id)

    def _dollars(self, total: Any) -> Decimal:
        if self.db.dialect == "sqlite":
            return Decimal(int(total)) / _MICRO
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
