"""Shared GraphQL types: Node, PageInfo, Money and the contract's enums."""

from decimal import Decimal
from typing import Any, ClassVar

import strawberry

from app.domain import enums
from app.graphql.ids import encode_id

Environment = strawberry.enum(enums.Environment)
Store = strawberry.enum(
    enums.Store, description="Where a purchase was made. Names match the `store` field of webhook events."
)
PeriodType = strawberry.enum(enums.PeriodType)
CancelReason = strawberry.enum(
    enums.CancelReason, description="Why a subscription stopped renewing, or was cancelled."
)
WebhookEventType = strawberry.enum(enums.WebhookEventType)
CustomerEventType = strawberry.enum(enums.CustomerEventType)
GrantDuration = strawberry.enum(enums.GrantDuration)
RestoreBehavior = strawberry.enum(
    enums.RestoreBehavior,
    description="What happens when a receipt already owned by another customer is posted (restore).",
)
ProductType = strawberry.enum(enums.ProductType)
PurchaseStatus = strawberry.enum(enums.PurchaseStatus)
ApiKeyRole = strawberry.enum(
    enums.ApiKeyRole,
    description="What an API key may do. Each role can do all that the roles above it can, except SDK.",
)
EntitlementSource = strawberry.enum(enums.EntitlementSource)
DeliveryStatus = strawberry.enum(enums.DeliveryStatus)


@strawberry.interface(description="An object with a global, opaque id (Relay Node).")
class Node:
    """Every node wraps a row with an integer primary key; NODE_TYPE names it in global ids."""

    NODE_TYPE: ClassVar[str] = ""
    row: strawberry.Private[Any]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id(self.NODE_TYPE, self.row.id))


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Money:
    amount: Decimal
    currency: str = strawberry.field(description="ISO 4217 code, e.g. USD.")


def money(amount: Decimal | None, currency: str | None) -> Money | None:
    if amount is None or currency is None:
        return None
    return Money(amount=amount, currency=currency)


@strawberry.input
class MoneyInput:
    amount: Decimal
    currency: str
