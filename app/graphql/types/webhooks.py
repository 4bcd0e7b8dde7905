"""Webhook endpoints and deliveries."""

from datetime import datetime

import strawberry

from app.db import models
from app.graphql.context import Info
from app.graphql.dataloaders.webhooks import EndpointByIdLoader
from app.graphql.ids import encode_id
from app.graphql.types.common import DeliveryStatus, Environment, Node, WebhookEventType


@strawberry.type(name="WebhookEndpoint")
class WebhookEndpointType(Node):
    NODE_TYPE = "WebhookEndpoint"
    row: strawberry.Private[models.WebhookEndpoint]

    @strawberry.field
    def url(self) -> str:
        return self.row.url

    @strawberry.field(description="Null means both environments.")
    def environment(self) -> Environment | None:
        return self.row.environment

    @strawberry.field(description="Empty means every type.")
    def event_types(self) -> list[WebhookEventType]:
        return [WebhookEventType(t) for t in self.row.event_types or []]

    @strawberry.field
    def has_authorization_header(self) -> bool:
        return bool(self.row.authorization_header)


@strawberry.type
class WebhookDelivery:
    row: strawberry.Private[models.WebhookDelivery]

    @strawberry.field(description="Identifies the delivery for retryWebhookDelivery.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("WebhookDelivery", self.row.id or 0))

    @strawberry.field
    async def endpoint(self, info: Info) -> WebhookEndpointType:
        row = await EndpointByIdLoader(info.context).load(self.row.endpoint_id)
        assert row is not None  # deliveries are deleted with their endpoint
        return WebhookEndpointType(row=row)

    @strawberry.field
    def status(self) -> DeliveryStatus:
        return self.row.status

    @strawberry.field
    def attempts(self) -> int:
        return self.row.attempts

    @strawberry.field
    def last_attempt_at(self) -> datetime | None:
        return self.row.last_attempt_at

    @strawberry.field
    def last_response_status(self) -> int | None:
        return self.row.last_response_status

    @strawberry.field
    def next_attempt_at(self) -> datetime | None:
        open_ = self.row.status in (DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value)
        return self.row.next_attempt_at if open_ else None
