"""Everything a customer shows, in one statement: its App User IDs, notes, attributes,
purchases (with their latest period's price and the customer's totalSpent), the first
page of its history, and the entitlements its purchases give.

A profile's fields are resolved together, so the loaders they call (one per kind,
below and in purchase.py / event.py) all queue their keys in the same turn of the event
loop; here those keys become one UNION ALL (app/db/folded.py) instead of a statement
per kind (issue 14: a profile in at most 4 statements, a page in at most 6). Each kind
keeps its own order and its own rows; what a kind derives (a window, a join) is a
subquery of the union.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from app.db.folded import FoldedRead
from app.db.models import (
    AppUserId,
    Attribute,
    CustomerEvent,
    Entitlement,
    Note,
    Product,
    ProductEntitlement,
    Purchase,
    StoreTransaction,
)
from app.db.prepared_reads import built_once
from app.domain.enums import Environment
from app.graphql.dataloaders.base import PROJECT_ID, ProjectLoader, prepared

# SQLite has no exact decimal: it sums whole micro-dollars (prices are stored with at
# most 6 decimals, USD prices with 2), PostgreSQL sums NUMERIC.
MICRO = 1_000_000

# The timeline's columns: all but the webhook body (about 1 kB an event, which a
# timeline rarely shows; CustomerEvent.payload loads it by id when selected).
TIMELINE_COLUMNS = [column for column in CustomerEvent.__table__.c if column.name != "payload"]  # type: ignore[attr-defined]

HISTORY_KINDS = {False: "history", True: "history_sandbox"}

PartKey = tuple[str, int, int | None]
"""(kind, customer id, rows wanted: a history page's size, else None)."""


def _keys(kind: str) -> Any:
    return sa.bindparam(f"keys_{kind}", expanding=True)


def _usd_amount(column: Any, dialect: str) -> Any:
    if dialect == "sqlite":
        return sa.cast(sa.func.round(sa.cast(column, sa.Numeric) * MICRO), sa.Integer)
    return sa.cast(column, sa.Numeric)


def _purchases(dialect: str) -> Any:
    """Each purchase with its latest period (price, currency, USD price) and the
    customer's totalSpent: production periods not refunded (DESIGN 4.3), a window SUM,
    so every transaction is read once, in SQL, and none is sent to Python."""
    counted = sa.and_(
        col(StoreTransaction.environment) == Environment.PRODUCTION.value,
        col(StoreTransaction.refunded_at).is_(None),
    )
    periods = (
        sa.select(
            col(StoreTransaction.purchase_id),
            col(StoreTransaction.price),
            col(StoreTransaction.currency),
            col(StoreTransaction.price_usd),
            sa.func.row_number()
            .over(
                partition_by=col(StoreTransaction.purchase_id),
                order_by=(
                    col(StoreTransaction.purchased_at).desc(),
                    col(StoreTransaction.transaction_id).desc(),
                ),
            )
            .label("position"),
            sa.func.sum(sa.case((counted, _usd_amount(col(StoreTransaction.price_usd), dialect)), else_=None))
            .over(partition_by=col(StoreTransaction.customer_id))
            .label("customer_spent"),
        )
        .where(
            col(StoreTransaction.project_id) == PROJECT_ID,
            col(StoreTransaction.customer_id).in_(_keys("purchases")),
        )
        .subquery()
    )
    return (
        sa.select(
            *Purchase.__table__.c,  # type: ignore[attr-defined]
            periods.c.purchase_id.label("period_of"),
            periods.c.price.label("latest_price"),
            periods.c.currency.label("latest_currency"),
            periods.c.price_usd.label("latest_price_usd"),
            periods.c.customer_spent.label("customer_spent"),
        )
        .outerjoin(periods, sa.and_(periods.c.purchase_id == col(Purchase.id), periods.c.position == 1))
        .where(col(Purchase.project_id) == PROJECT_ID, col(Purchase.customer_id).in_(_keys("purchases")))
        .subquery()
    )


def _history(sandbox: bool) -> Any:
    """The newest events of each customer, ranked (the page's size is applied outside)."""
    kind = HISTORY_KINDS[sandbox]
    position = (
        sa.func.row_number(type_=sa.Integer)
        .over(
            partition_by=col(CustomerEvent.customer_id),
            order_by=(col(CustomerEvent.purchased_at).desc(), col(CustomerEvent.id).desc()),
        )
        .label("position")
    )
    scope = [col(CustomerEvent.project_id) == PROJECT_ID, col(CustomerEvent.customer_id).in_(_keys(kind))]
    if not sandbox:
        scope.append(col(CustomerEvent.environment) == Environment.PRODUCTION.value)
    return sa.select(*TIMELINE_COLUMNS, position).where(*scope).subquery()


def _product_entitlements() -> Any:
    """The entitlements each product of the customer's purchases gives."""
    return (
        sa.select(
            col(Purchase.customer_id),
            col(Product.store).label("product_store"),
            col(Product.identifier).label("product_identifier"),
            *Entitlement.__table__.c,  # type: ignore[attr-defined]
        )
        .distinct()
        .join(
            Product,
            sa.and_(
                col(Product.project_id) == col(Purchase.project_id),
                col(Product.store) == col(Purchase.store),
                col(Product.identifier) == col(Purchase.product_id),
            ),
        )
        .join(ProductEntitlement, col(ProductEntitlement.product_id) == col(Product.id))
        .join(Entitlement, col(Entitlement.id) == col(ProductEntitlement.entitlement_id))
        .where(
            col(Purchase.project_id) == PROJECT_ID,
            col(Purchase.customer_id).in_(_keys("product_entitlements")),
            sa.not_(col(Purchase.is_granted)),
        )
        .subquery()
    )


def _granted_entitlements() -> Any:
    """The entitlements granted to the customer by support (DESIGN: granted purchases)."""
    return (
        sa.select(col(Purchase.customer_id), *Entitlement.__table__.c)  # type: ignore[attr-defined]
        .distinct()
        .join(
            Entitlement,
            sa.and_(
                col(Entitlement.project_id) == col(Purchase.project_id),
                col(Entitlement.identifier) == col(Purchase.granted_entitlement),
            ),
        )
        .where(
            col(Purchase.project_id) == PROJECT_ID,
            col(Purchase.customer_id).in_(_keys("granted_entitlements")),
            col(Purchase.is_granted),
        )
        .subquery()
    )


def _of_customer(table: Any, kind: str) -> Any:
    return sa.and_(table.c.project_id == PROJECT_ID, table.c.customer_id.in_(_keys(kind)))


@functools.cache
def _layout(dialect: str) -> tuple[FoldedRead, dict[str, Any]]:
    """The union's layout and each kind's condition outside its subquery, per dialect
    (totalSpent sums differently on SQLite)."""
    tables: dict[str, Any] = {
        "app_user_ids": AppUserId.__table__,  # type: ignore[attr-defined]
        "notes": Note.__table__,  # type: ignore[attr-defined]
        "attributes": Attribute.__table__,  # type: ignore[attr-defined]
        "purchases": _purchases(dialect),
        "history": _history(False),
        "history_sandbox": _history(True),
        "product_entitlements": _product_entitlements(),
        "granted_entitlements": _granted_entitlements(),
    }
    where = {kind: _of_customer(tables[kind], kind) for kind in ("app_user_ids", "notes", "attributes")}
    for kind in HISTORY_KINDS.values():
        where[kind] = tables[kind].c.position <= sa.bindparam(f"limit_{kind}")
    return FoldedRead(tables), where


# Each kind's order, applied in Python: a union has one order, and these differ.
_NEWEST_FIRST: Callable[[Any], Any] = lambda row: (row.purchased_at, row.id)  # noqa: E731
_ORDER: dict[str, tuple[Callable[[Any], Any], bool]] = {
    "app_user_ids": (lambda row: (row.created_at, row.id), False),
    "notes": (lambda row: (row.created_at, row.id), False),
    "attributes": (lambda row: row.key, False),
    "purchases": (_NEWEST_FIRST, True),
    "history": (_NEWEST_FIRST, True),
    "history_sandbox": (_NEWEST_FIRST, True),
    "product_entitlements": (lambda row: row.identifier, False),
    "granted_entitlements": (lambda row: row.identifier, False),
}


@prepared
def _statement(dialect: str, kinds: tuple[str, ...]) -> Any:
    folded, where = _layout(dialect)
    statement = folded.statement(kinds, {kind: where[kind] for kind in kinds if kind in where})
    return built_once(statement, shape=folded.shape)


class CustomerPartsLoader(ProjectLoader[PartKey, list[Any]]):
    """(kind, customer id, history size or None) -> the customer's rows of that kind,
    in the kind's order. The per-kind loaders are its faces, so whatever a request's
    resolvers ask of its customers in one turn is one statement."""

    async def batch_load_fn(self, keys: Sequence[PartKey]) -> list[list[Any]]:
        wanted: dict[str, set[int]] = defaultdict(set)
        limits: dict[str, int] = {}
        for kind, customer_id, limit in keys:
            wanted[kind].add(customer_id)
            if limit is not None:
                # Pages of several sizes: the largest in SQL, each trimmed below.
                limits[kind] = max(limit, limits.get(kind, 0))
        kinds = tuple(sorted(wanted))
        folded, _ = _layout(self.db.dialect)
        rows = await self.fetch(
            _statement(self.db.dialect, kinds),
            project_id=self.project_id,
            **{f"keys_{kind}": sorted(ids) for kind, ids in wanted.items()},
            **{f"limit_{kind}": limit for kind, limit in limits.items()},
        )
        found: dict[tuple[str, int], list[Any]] = defaultdict(list)
        for kind, items in folded.rows(rows).items():
            order, newest_first = _ORDER[kind]
            for row in sorted(items, key=order, reverse=newest_first):
                found[(kind, row.customer_id)].append(row)
        return [found.get((kind, customer_id), [])[:limit] for kind, customer_id, limit in keys]


async def parts_of(
    loader: ProjectLoader[Any, Any], kind: str, customer_ids: Sequence[int]
) -> list[list[Any]]:
    """The rows of `kind` for each customer, through the request's one parts batch."""
    parts = CustomerPartsLoader(loader.context)
    return await parts.load_many([(kind, customer_id, None) for customer_id in customer_ids])  # type: ignore[no-any-return]
