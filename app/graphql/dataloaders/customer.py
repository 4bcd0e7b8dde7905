"""Loaders of a customer and what hangs off it: App User IDs, notes, attributes, balances."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import and_, bindparam
from sqlalchemy import select as core_select
from sqlmodel import col, select

from app.db.folded import FoldedRead
from app.db.models import AppUserId, Attribute, Customer, Note, VirtualCurrencyBalance
from app.graphql.dataloaders.base import (
    PROJECT_ID,
    ByIdLoader,
    ProjectLoader,
    keys_in,
    many_per_key,
    one_per_key,
    prepared,
)


class CustomerByIdLoader(ByIdLoader[Customer]):
    model = Customer


@prepared
def _customer_by_app_user_id() -> Any:
    return (
        core_select(*Customer.__table__.c, col(AppUserId.app_user_id).label("_key"))  # type: ignore[attr-defined]
        .join(AppUserId, col(AppUserId.customer_id) == col(Customer.id))
        .where(
            col(AppUserId.project_id) == PROJECT_ID,
            col(Customer.project_id) == PROJECT_ID,
            keys_in(col(AppUserId.app_user_id)),
        )
    )


class CustomerByAppUserIdLoader(ProjectLoader[str, Customer | None]):
    """The customer owning each App User ID (original or alias), in one statement."""

    async def batch_load_fn(self, keys: Sequence[str]) -> list[Customer | None]:
        rows = await self.fetch_prepared(_customer_by_app_user_id(), keys)
        by_id = CustomerByIdLoader(self.context)
        for row in rows:
            by_id.prime(row.id, row)
        return one_per_key(keys, rows, lambda r: r._key)


class CustomerIdByAppUserIdLoader(ProjectLoader[str, int | None]):
    async def batch_load_fn(self, keys: Sequence[str]) -> list[int | None]:
        rows = await self.fetch(
            select(AppUserId.app_user_id, AppUserId.customer_id).where(
                AppUserId.project_id == self.project_id, col(AppUserId.app_user_id).in_(keys)
            )
        )
        by_id = {app_user_id: customer_id for app_user_id, customer_id in rows}
        return [by_id.get(k) for k in keys]


@prepared
def _of_customers(model: Any, *order: str) -> Any:
    """Rows of a per-customer table for the given customers, in `order`."""
    return (
        select(model)
        .where(col(model.project_id) == PROJECT_ID, keys_in(col(model.customer_id)))
        .order_by(*(getattr(model, name) for name in order))
    )


# A customer's App User IDs, notes and attributes: one statement for whichever of them a
# request asks for (app/db/folded.py), each kind in its own order.
_PARTS = FoldedRead(
    {
        "app_user_ids": AppUserId.__table__,  # type: ignore[attr-defined]
        "notes": Note.__table__,  # type: ignore[attr-defined]
        "attributes": Attribute.__table__,  # type: ignore[attr-defined]
    }
)
_PART_ORDER: dict[str, Callable[[Any], Any]] = {
    "app_user_ids": lambda row: (row.created_at, row.id),
    "notes": lambda row: (row.created_at, row.id),
    "attributes": lambda row: row.key,
}


@prepared
def _parts_of_customers(kinds: tuple[str, ...]) -> Any:
    where = {}
    for kind in kinds:
        table = _PARTS.tables[kind].table
        where[kind] = and_(
            table.c.project_id == PROJECT_ID,
            table.c.customer_id.in_(bindparam(f"keys_{kind}", expanding=True)),
        )
    return _PARTS.statement(kinds, where)


class CustomerPartsLoader(ProjectLoader[tuple[str, int], list[Any]]):
    """(kind, customer id) -> the customer's rows of that kind; the loaders below are
    its three faces, so the resolvers of one request share one statement."""

    async def batch_load_fn(self, keys: Sequence[tuple[str, int]]) -> list[list[Any]]:
        wanted: dict[str, set[int]] = defaultdict(set)
        for kind, customer_id in keys:
            wanted[kind].add(customer_id)
        kinds = tuple(sorted(wanted))
        rows = await self.fetch(
            _parts_of_customers(kinds),
            project_id=self.project_id,
            **{f"keys_{kind}": sorted(ids) for kind, ids in wanted.items()},
        )
        found: dict[tuple[str, int], list[Any]] = defaultdict(list)
        for kind, items in _PARTS.rows(rows).items():
            for row in sorted(items, key=_PART_ORDER[kind]):
                found[(kind, row.customer_id)].append(row)
        return [found.get(key, []) for key in keys]


class AppUserIdsByCustomerIdLoader(ProjectLoader[int, list[AppUserId]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[AppUserId]]:
        parts = CustomerPartsLoader(self.context)
        return await parts.load_many([("app_user_ids", key) for key in keys])  # type: ignore[no-any-return]


class NotesByCustomerIdLoader(ProjectLoader[int, list[Note]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Note]]:
        parts = CustomerPartsLoader(self.context)
        return await parts.load_many([("notes", key) for key in keys])  # type: ignore[no-any-return]


class NoteByIdLoader(ByIdLoader[Note]):
    model = Note


class AttributesByCustomerIdLoader(ProjectLoader[int, list[Attribute]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Attribute]]:
        parts = CustomerPartsLoader(self.context)
        return await parts.load_many([("attributes", key) for key in keys])  # type: ignore[no-any-return]


class BalancesByCustomerIdLoader(ProjectLoader[int, list[VirtualCurrencyBalance]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[VirtualCurrencyBalance]]:
        rows = await self.fetch_prepared(_of_customers(VirtualCurrencyBalance, "code"), keys)
        return many_per_key(keys, rows, lambda r: r.customer_id)
