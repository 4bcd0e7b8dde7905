"""Loaders of a customer and what hangs off it: App User IDs, notes, attributes, balances.

App User IDs, notes and attributes come through the customer's one parts statement
(customer_parts.py)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select as core_select
from sqlmodel import col, select

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
from app.graphql.dataloaders.customer_parts import parts_of


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


class AppUserIdsByCustomerIdLoader(ProjectLoader[int, list[AppUserId]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[AppUserId]]:
        return await parts_of(self, "app_user_ids", keys)


class NotesByCustomerIdLoader(ProjectLoader[int, list[Note]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Note]]:
        return await parts_of(self, "notes", keys)


class NoteByIdLoader(ByIdLoader[Note]):
    model = Note


class AttributesByCustomerIdLoader(ProjectLoader[int, list[Attribute]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Attribute]]:
        return await parts_of(self, "attributes", keys)


class BalancesByCustomerIdLoader(ProjectLoader[int, list[VirtualCurrencyBalance]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[VirtualCurrencyBalance]]:
        rows = await self.fetch_prepared(_of_customers(VirtualCurrencyBalance, "code"), keys)
        return many_per_key(keys, rows, lambda r: r.customer_id)
