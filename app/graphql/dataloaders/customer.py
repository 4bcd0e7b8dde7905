"""Loaders of a customer and what hangs off it: App User IDs, notes, attributes, balances."""

from collections.abc import Sequence

from sqlmodel import col, select

from app.db.models import AppUserId, Attribute, Customer, Note, VirtualCurrencyBalance
from app.graphql.dataloaders.base import ByIdLoader, ProjectLoader, many_per_key


class CustomerByIdLoader(ByIdLoader[Customer]):
    model = Customer


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
