"""Loaders of webhook endpoints and deliveries."""

from collections.abc import Sequence

from sqlmodel import col, select

from app.db.models import WebhookDelivery, WebhookEndpoint
from app.graphql.dataloaders.base import ByIdLoader, ProjectLoader, many_per_key


class EndpointByIdLoader(ByIdLoader[WebhookEndpoint]):
    model = WebhookEndpoint


class EndpointsByProjectIdLoader(ProjectLoader[int, list[WebhookEndpoint]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[WebhookEndpoint]]:
        rows = await self.fetch(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.project_id == self.project_id)
            .order_by(col(WebhookEndpoint.id))
        )
        return many_per_key(keys, rows, lambda r: r.project_id)


class DeliveriesByEventIdLoader(ProjectLoader[int, list[WebhookDelivery]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[WebhookDelivery]]:
        rows = await self.fetch(
            select(WebhookDelivery)
            .where(WebhookDelivery.project_id == self.project_id, col(WebhookDelivery.event_id).in_(keys))
            .order_by(col(WebhookDelivery.id))
        )
        return many_per_key(keys, rows, lambda r: r.event_id)
