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
    """Plain fields filled from the row once, in the constructor: Strawberry resolves a
    plain field with its fast path (an attribute read: no resolver call, no Info, no
    argument parsing), which a method per scalar does not get. Only what loads more
    data (deliveries, the payload) stays a resolver, and stays last, so the schema's
    field order is unchanged."""

    NODE_TYPE = "CustomerEvent"
    row: strawberry.Private[models.CustomerEvent]
    type: CustomerEventType
    description: str = strawberry.field(
        description='The human-readable line shown in the timeline, e.g. "Started a trial".'
    )
    webhook_event_type: WebhookEventType
    purchased_at: datetime = strawberry.field(
        description="When the transaction was purchased; the timeline is ordered by it."
    )
    event_timestamp: datetime = strawberry.field(description="When the event was generated.")
    environment: Environment
    store: Store | None
    product_id: str | None
    new_product_id: str | None
    entitlement_ids: list[str]
    period_type: PeriodType | None
    transaction_id: str | None
    cancel_reason: CancelReason | None
    price: Money | None
    price_usd: Money | None
    price_is_estimated: bool
    usd_rate_missing: bool = strawberry.field(
        description="The price is known but no exchange rate for its currency and day: priceUsd is null, not 0."
    )
    transferred_from: list[str] | None
    transferred_to: list[str] | None
    virtual_currency: VirtualCurrencyAmount | None = strawberry.field(
        description="Virtual currency granted (positive) or spent (negative)."
    )
    actor: str | None = strawberry.field(
        description="Name of the API key whose action caused the event; null for store-driven events."
    )
    reason: str | None = strawberry.field(description="The reason given with a support action.")

    def __init__(self, row: models.CustomerEvent) -> None:
        self.row = row
        self.type = row.type
        self.description = row.description
        self.webhook_event_type = row.webhook_type
        self.purchased_at = row.purchased_at
        self.event_timestamp = row.event_timestamp
        self.environment = row.environment
        self.store = row.store
        self.product_id = row.product_id
        self.new_product_id = row.new_product_id
        self.entitlement_ids = list(row.entitlement_ids or [])
        self.period_type = row.period_type
        self.transaction_id = row.transaction_id
        self.cancel_reason = row.cancel_reason
        self.price = money(row.price, row.currency)
        self.price_usd = money(row.price_usd, "USD")
        self.price_is_estimated = row.price_is_estimated
        self.usd_rate_missing = bool((row.facts or {}).get("usd_rate_missing"))
        self.transferred_from = row.transferred_from
        self.transferred_to = row.transferred_to
        code, amount = row.virtual_currency_code, row.virtual_currency_amount
        self.virtual_currency = (
            None if code is None or amount is None else VirtualCurrencyAmount(code=code, amount=amount)
        )
        self.actor = row.actor
        self.reason = row.reason

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
