"""Shared GraphQL types: Node, PageInfo, Money, and the contract's enums registered."""

from decimal import Decimal
from typing import Any, ClassVar

import strawberry

from app.domain.enums import (
    ApiKeyRole,
    CancelReason,
    CustomerEventType,
    DeliveryStatus,
    EntitlementSource,
    Environment,
    GrantDuration,
    NotificationStatus,
    PeriodType,
    ProductType,
    PurchaseStatus,
    ReceiptTrust,
    RestoreBehavior,
    Store,
    WebhookEventType,
)
from app.graphql.ids import encode_id

# strawberry.enum registers the domain enum itself and returns the same class, so fields
# are annotated with the domain enums (imported from here or from app.domain.enums) and
# return domain values as they are: one enum serves the domain, the storage and the API.
strawberry.enum(Environment)
strawberry.enum(
    Store, description="Where a purchase was made. Names match the `store` field of webhook events."
)
strawberry.enum(PeriodType)
strawberry.enum(CancelReason, description="Why a subscription stopped renewing, or was cancelled.")
strawberry.enum(WebhookEventType)
strawberry.enum(CustomerEventType)
strawberry.enum(GrantDuration)
strawberry.enum(
    RestoreBehavior,
    description="What happens when a receipt already owned by another customer is posted (restore).",
)
strawberry.enum(ProductType)
strawberry.enum(PurchaseStatus)
strawberry.enum(
    ApiKeyRole,
    description="What an API key may do. Each role can do all that the roles above it can, except SDK.",
)
strawberry.enum(EntitlementSource)
strawberry.enum(DeliveryStatus)
strawberry.enum(ReceiptTrust, description="Who may post raw transactions through recordReceipt.")
strawberry.enum(NotificationStatus, description="Where a store notification in the inbox stands.")


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
