"""Timeline events."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.db import models
from app.graphql.context import Info
from app.graphql.dataloaders.event import EventByIdLoader
from app.graphql.dataloaders.webhooks import DeliveriesByEventIdLoader
from app.graphql.ids import encode_cursor
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
    """Plain fields, each read from the row when first asked: Strawberry resolves a
    plain field with its fast path (an attribute read: no resolver call, no Info, no
    argument parsing), which a method per scalar does not get; and a timeline shows a
    few of the twenty-odd fields, so none is computed unasked (filling all of them, and
    each edge's cursor, was about 3 % of a timeline request's CPU in py-spy). Only what loads more data
    (deliveries, the payload) stays a resolver, and stays last, so the schema's field
    order is unchanged."""

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

    def __getattr__(self, name: str) -> Any:
        # A plain field not read yet: from the row, once (called only for attributes the
        # instance does not have, so `row` itself never comes here once set).
        from_row = _FROM_ROW.get(name)
        if from_row is None:
            raise AttributeError(name)
        value = from_row(self.__dict__["row"])
        setattr(self, name, value)
        return value

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

    def __init__(self, node: CustomerEventNode) -> None:
        self.node = node

    def __getattr__(self, name: str) -> Any:
        # The cursor when asked (a timeline rarely shows its edges' cursors; the page's
        # first and last are asked for its pageInfo).
        if name != "cursor":
            raise AttributeError(name)
        row = self.__dict__["node"].row
        self.cursor = encode_cursor(row.purchased_at.isoformat(), row.id)
        return self.cursor


@strawberry.type
class CustomerEventConnection:
    edges: list[CustomerEventEdge]
    page_info: PageInfo


def _virtual_currency(row: models.CustomerEvent) -> VirtualCurrencyAmount | None:
    code, amount = row.virtual_currency_code, row.virtual_currency_amount
    return None if code is None or amount is None else VirtualCurrencyAmount(code=code, amount=amount)


# Each plain field of CustomerEventNode from its row.
_FROM_ROW: dict[str, Callable[[models.CustomerEvent], Any]] = {
    "type": lambda row: row.type,
    "description": lambda row: row.description,
    "webhook_event_type": lambda row: row.webhook_type,
    "purchased_at": lambda row: row.purchased_at,
    "event_timestamp": lambda row: row.event_timestamp,
    "environment": lambda row: row.environment,
    "store": lambda row: row.store,
    "product_id": lambda row: row.product_id,
    "new_product_id": lambda row: row.new_product_id,
    "entitlement_ids": lambda row: list(row.entitlement_ids or []),
    "period_type": lambda row: row.period_type,
    "transaction_id": lambda row: row.transaction_id,
    "cancel_reason": lambda row: row.cancel_reason,
    "price": lambda row: money(row.price, row.currency),
    "price_usd": lambda row: money(row.price_usd, "USD"),
    "price_is_estimated": lambda row: row.price_is_estimated,
    "usd_rate_missing": lambda row: bool((row.facts or {}).get("usd_rate_missing")),
    "transferred_from": lambda row: row.transferred_from,
    "transferred_to": lambda row: row.transferred_to,
    "virtual_currency": _virtual_currency,
    "actor": lambda row: row.actor,
    "reason": lambda row: row.reason,
}
