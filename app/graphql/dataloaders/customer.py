"""Loaders of a customer and what hangs off it: App User IDs, notes, attributes, balances."""

from collections.abc import Sequence

from sqlalchemy import select as core_select
from sqlmodel import col, select

from app.db.models import AppUserId, Attribute, Customer, Note, VirtualCurrencyBalance
from app.graphql.dataloaders.base import ByIdLoader, ProjectLoader, many_per_key, one_per_key


class CustomerByIdLoader(ByIdLoader[Customer]):
    model = Customer


class CustomerByAppUserIdLoader(ProjectLoader[str, Customer | None]):
    """The customer owning each App User ID (original or alias), in one statement."""

    async def batch_load_fn(self, keys: Sequence[str]) -> list[Customer | None]:
        rows = await self.fetch(
            core_select(*Customer.__table__.c, col(AppUserId.app_user_id).label("_key"))  # type: ignore[attr-defined]
            .join(AppUserId, col(AppUserId.customer_id) == col(Customer.id))
            .where(
                col(AppUserId.project_id) == self.project_id,
                col(Customer.project_id) == self.project_id,
                col(AppUserId.app_user_id).in_(keys),
            )
        )
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


class AppUserIdsByCustomerIdLoader(ProjectLoader[int, list[AppUserId]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[AppUserId]]:
        rows = await self.fetch(
            select(AppUserId)
            .where(AppUserId.project_id == self.project_id, col(AppUserId.customer_id).in_(keys))
            .order_by(col(AppUserId.created_at), col(AppUserId.id))
        )
        return many_per_key(keys, rows, lambda r: r.customer_id)


class NotesByCustomerIdLoader(ProjectLoader[int, list[Note]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Note]]:
        rows = await self.fetch(
            select(Note)
            .where(Note.project_id == self.project_id, col(Note.customer_id).in_(keys))
            .order_by(col(Note.created_at), col(Note.id))
        )
        return many_per_key(keys, rows, lambda r: r.customer_id)


class NoteByIdLoader(ByIdLoader[Note]):
    model = Note


class AttributesByCustomerIdLoader(ProjectLoader[int, list[Attribute]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Attribute]]:
        rows = await self.fetch(
            select(Attribute)
            .where(Attribute.project_id == self.project_id, col(Attribute.customer_id).in_(keys))
            .order_by(col(Attribute.key))
        )
        return many_per_key(keys, rows, lambda r: r.customer_id)


class BalancesByCustomerIdLoader(ProjectLoader[int, list[VirtualCurrencyBalance]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[VirtualCurrencyBalance]]:
        rows = await self.fetch(
            select(VirtualCurrencyBalance)
            .where(
                VirtualCurrencyBalance.project_id == self.project_id,
                col(VirtualCurrencyBalance.customer_id).in_(keys),
            )
            .order_by(col(VirtualCurrencyBalance.code))
        )
        return many_per_key(keys, rows, lambda r: r.customer_id)
