"""Timeline events."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.db import models
from app.graphql.context import Info
from app.graphql.dataloaders.event import EventByIdLoader
from app.graphql.dataloaders.webhooks import DeliveriesByEventIdLoader
from app.graphql.types.common import (
    CancelReason,
    CustomerEventType,
    Environment,
    Money,
    Node,
    PageInfo,
    PeriodType,
    Store,
    WebhookEventType,
    money,
)
from app.graphql.types.webhooks import WebhookDelivery

_NOT_READ = object()


@strawberry.type
class VirtualCurrencyAmount:
    code: str
    amount: int


@strawberry.type(name="CustomerEvent")
class CustomerEventNode(Node):
    NODE_TYPE = "CustomerEvent"
    row: strawberry.Private[models.CustomerEvent]

    @strawberry.field
    def type(self) -> CustomerEventType:
        return self.row.type

    @strawberry.field(description='The human-readable line shown in the timeline, e.g. "Started a trial".')
    def description(self) -> str:
        return self.row.description

    @strawberry.field
    def webhook_event_type(self) -> WebhookEventType:
        return self.row.webhook_type

    @strawberry.field(description="When the transaction was purchased; the timeline is ordered by it.")
    def purchased_at(self) -> datetime:
        return self.row.purchased_at

    @strawberry.field(description="When the event was generated.")
    def event_timestamp(self) -> datetime:
        return self.row.event_timestamp

    @strawberry.field
    def environment(self) -> Environment:
        return self.row.environment

    @strawberry.field
    def store(self) -> Store | None:
        return self.row.store

    @strawberry.field
    def product_id(self) -> str | None:
        return self.row.product_id

    @strawberry.field
    def new_product_id(self) -> str | None:
        return self.row.new_product_id

    @strawberry.field
    def entitlement_ids(self) -> list[str]:
        return list(self.row.entitlement_ids or [])

    @strawberry.field
    def period_type(self) -> PeriodType | None:
        return self.row.period_type

    @strawberry.field
    def transaction_id(self) -> str | None:
        return self.row.transaction_id

    @strawberry.field
    def cancel_reason(self) -> CancelReason | None:
        return self.row.cancel_reason

    @strawberry.field
    def price(self) -> Money | None:
        return money(self.row.price, self.row.currency)

    @strawberry.field
    def price_usd(self) -> Money | None:
        return money(self.row.price_usd, "USD")

    @strawberry.field
    def price_is_estimated(self) -> bool:
        return self.row.price_is_estimated

    @strawberry.field(
        description="The price is known but no exchange rate for its currency and day: priceUsd is null, not 0."
    )
    def usd_rate_missing(self) -> bool:
        return bool(self.row.facts.get("usd_rate_missing"))

    @strawberry.field
    def transferred_from(self) -> list[str] | None:
        return self.row.transferred_from

    @strawberry.field
    def transferred_to(self) -> list[str] | None:
        return self.row.transferred_to

    @strawberry.field(description="Virtual currency granted (positive) or spent (negative).")
    def virtual_currency(self) -> VirtualCurrencyAmount | None:
        if self.row.virtual_currency_code is None or self.row.virtual_currency_amount is None:
            return None
        return VirtualCurrencyAmount(
            code=self.row.virtual_currency_code, amount=self.row.virtual_currency_amount
        )

    @strawberry.field(
        description="Name of the API key whose action caused the event; null for store-driven events."
    )
    def actor(self) -> str | None:
        return self.row.actor

    @strawberry.field(description="The reason given with a support action.")
    def reason(self) -> str | None:
        return self.row.reason

    @strawberry.field(description="Integrations and webhooks this event triggered.")
    async def deliveries(self, info: Info) -> list[WebhookDelivery]:
        rows = await DeliveriesByEventIdLoader(info.context).load(self.row.id)
        return [WebhookDelivery(row=row) for row in rows]

    @strawberry.field(description="The webhook event body as sent to endpoints.")
    async def payload(self, info: Info) -> JSON:
        value: Any = getattr(self.row, "payload", _NOT_READ)
        if value is _NOT_READ:
            # A timeline row leaves the body out (dataloaders/event.py): read it by id.
            row = await EventByIdLoader(info.context).load(self.row.id)
            value = row.payload if row is not None else None
        return value  # type: ignore[no-any-return]


@strawberry.type
class CustomerEventEdge:
    cursor: str
    node: CustomerEventNode


@strawberry.type
class CustomerEventConnection:
    edges: list[CustomerEventEdge]
    page_info: PageInfo
