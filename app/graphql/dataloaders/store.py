"""Loaders of the project's store apps and their inbox rows."""

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select

from app.db.models import StoreApp, StoreNotification
from app.graphql.dataloaders.base import ByIdLoader, ProjectLoader, many_per_key


class StoreAppByIdLoader(ByIdLoader[StoreApp]):
    model = StoreApp


class StoreAppsByProjectIdLoader(ProjectLoader[int, list[StoreApp]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[StoreApp]]:
        rows = await self.fetch(
            select(StoreApp).where(StoreApp.project_id == self.project_id).order_by(col(StoreApp.id))
        )
        return many_per_key(keys, rows, lambda r: r.project_id)


class NotificationsByStoreAppIdLoader(ProjectLoader[tuple[int, int], list[StoreNotification]]):
    """The newest inbox rows of each store app; the key is (store app id, how many).
    One statement: the rows are numbered per app, newest first, and cut at the limit."""

    async def batch_load_fn(self, keys: Sequence[tuple[int, int]]) -> list[list[StoreNotification]]:
        limit = max(n for _, n in keys)
        position = (
            func.row_number()
            .over(
                partition_by=col(StoreNotification.store_app_id),
                order_by=(col(StoreNotification.received_at).desc(), col(StoreNotification.id).desc()),
            )
            .label("position")
        )
        numbered = (
            select(StoreNotification.id, position)
            .where(
                StoreNotification.project_id == self.project_id,
                col(StoreNotification.store_app_id).in_(sorted({app_id for app_id, _ in keys})),
            )
            .subquery()
        )
        rows = await self.fetch(
            select(StoreNotification)
            .join(numbered, numbered.c.id == col(StoreNotification.id))
            .where(numbered.c.position <= limit)
            .order_by(col(StoreNotification.received_at).desc(), col(StoreNotification.id).desc())
        )
        by_app: dict[int, list[StoreNotification]] = {}
        for row in rows:
            by_app.setdefault(row.store_app_id, []).append(row)
        return [by_app.get(app_id, [])[:n] for app_id, n in keys]
