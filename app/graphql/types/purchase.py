"""Purchases and entitlement status."""

from datetime import datetime
from decimal import Decimal

import strawberry

from app.db import models
from app.db.mapping import purchase_state
from app.domain.entitlement_status import EntitlementStatus
from app.domain.purchase_status import purchase_status
from app.domain.store_actions import can_cancel, can_refund
from app.graphql.context import Info
from app.graphql.dataloaders.project import (
    EntitlementByIdentifierLoader,
    EntitlementIdentifiersByProductLoader,
    ProductByStoreIdentifierLoader,
)
from app.graphql.dataloaders.purchase import LatestTransactionByPurchaseIdLoader
from app.graphql.types.common import (
    EntitlementSource,
    Environment,
    Money,
    Node,
    PeriodType,
    ProductType,
    PurchaseStatus,
    Store,
    money,
)
from app.graphql.types.project import EntitlementType, ProductType_


async def entitlement_identifiers(info: Info, row: models.Purchase) -> list[str]:
    if row.is_granted:
        return [row.granted_entitlement] if row.granted_entitlement else []
    return await EntitlementIdentifiersByProductLoader(info.context).load((row.store, row.product_id))


@strawberry.type(name="Purchase", description="A subscription (all its renewals) or a one-time purchase.")
class PurchaseType(Node):
    NODE_TYPE = "Purchase"
    row: strawberry.Private[models.Purchase]

    @strawberry.field
    def store(self) -> Store:
        return self.row.store

    @strawberry.field
    def environment(self) -> Environment:
        return self.row.environment

    @strawberry.field
    def product_id(self) -> str:
        return self.row.product_id

    @strawberry.field
    async def product(self, info: Info) -> ProductType_ | None:
        if self.row.is_granted:
            return None
        product = await ProductByStoreIdentifierLoader(info.context).load(
            (self.row.store, self.row.product_id)
        )
        return ProductType_(row=product) if product else None

    @strawberry.field
    def type(self) -> ProductType:
        return self.row.type

    @strawberry.field
    def original_transaction_id(self) -> str:
        return self.row.original_transaction_id

    @strawberry.field
    def original_purchased_at(self) -> datetime:
        return self.row.original_purchased_at

    @strawberry.field(description="Start of the current or last period.")
    def purchased_at(self) -> datetime:
        return self.row.purchased_at

    @strawberry.field
    def expires_at(self) -> datetime | None:
        return self.row.expires_at

    @strawberry.field
    def period_type(self) -> PeriodType:
        return self.row.period_type

    @strawberry.field
    def will_renew(self) -> bool:
        return self.row.will_renew

    @strawberry.field
    def status(self, info: Info) -> PurchaseStatus:
        return purchase_status(purchase_state(self.row), info.context.now)

    @strawberry.field(
        description="Price of the last period in the purchase currency; estimated when the store sent none."
    )
    async def price(self, info: Info) -> Money | None:
        if self.row.is_granted:
            return money(Decimal(0), "USD")
        latest = await LatestTransactionByPurchaseIdLoader(info.context).load(self.row.id)
        return money(latest.price, latest.currency) if latest else None

    @strawberry.field
    async def price_usd(self, info: Info) -> Money | None:
        if self.row.is_granted:
            return money(Decimal(0), "USD")
        latest = await LatestTransactionByPurchaseIdLoader(info.context).load(self.row.id)
        return money(latest.price_usd, "USD") if latest else None

    @strawberry.field
    def refunded_at(self) -> datetime | None:
        return self.row.refunded_at

    @strawberry.field(description="Whether refundPurchase can act on it (Play Store and Web Billing only).")
    def can_refund(self) -> bool:
        return can_refund(self.row.store, self.row.refunded_at, self.row.is_granted)

    @strawberry.field(
        description="Whether cancelSubscription can act on it (Web Billing, and Play Store in a trial)."
    )
    def can_cancel(self, info: Info) -> bool:
        return can_cancel(
            self.row.store,
            self.row.type,
            self.row.period_type,
            self.row.will_renew,
            self.row.access_expires_at,
            self.row.refunded_at,
            info.context.now,
        )

    @strawberry.field
    async def entitlements(self, info: Info) -> list[EntitlementType]:
        identifiers = await entitlement_identifiers(info, self.row)
        rows = await EntitlementByIdentifierLoader(info.context).load_many(identifiers)
        return [EntitlementType(row=row) for row in rows if row is not None]


@strawberry.type
class CustomerEntitlement:
    status: strawberry.Private[EntitlementStatus]
    purchase_row: strawberry.Private[models.Purchase]

    @strawberry.field
    async def entitlement(self, info: Info) -> EntitlementType:
        row = await EntitlementByIdentifierLoader(info.context).load(self.status.entitlement_identifier)
        assert row is not None  # statuses are only built for entitlements that exist
        return EntitlementType(row=row)

    @strawberry.field
    def is_active(self) -> bool:
        return self.status.is_active

    @strawberry.field
    def source(self) -> EntitlementSource:
        return EntitlementSource.GRANTED if self.purchase_row.is_granted else EntitlementSource.PURCHASE

    @strawberry.field(description="Store product id; granted entitlements use an rc_promo_ prefixed id.")
    def product_id(self) -> str:
        return self.purchase_row.product_id

    @strawberry.field
    def store(self) -> Store:
        return Store(self.purchase_row.store)

    @strawberry.field
    def environment(self) -> Environment:
        return Environment(self.purchase_row.environment)

    @strawberry.field
    def period_type(self) -> PeriodType:
        return PeriodType(self.purchase_row.period_type)

    @strawberry.field
    def purchased_at(self) -> datetime:
        return self.purchase_row.purchased_at

    @strawberry.field(description="Null for lifetime access. Includes any grace period.")
    def expires_at(self) -> datetime | None:
        return self.purchase_row.access_expires_at

    @strawberry.field
    def will_renew(self) -> bool:
        return self.purchase_row.will_renew

    @strawberry.field
    def unsubscribe_detected_at(self) -> datetime | None:
        return self.purchase_row.unsubscribe_detected_at

    @strawberry.field
    def billing_issue_detected_at(self) -> datetime | None:
        return self.purchase_row.billing_issue_detected_at

    @strawberry.field
    def grace_period_expires_at(self) -> datetime | None:
        return self.purchase_row.grace_period_expires_at

    @strawberry.field(description="The purchase behind it; null for a granted entitlement.")
    def purchase(self) -> PurchaseType | None:
        return None if self.purchase_row.is_granted else PurchaseType(row=self.purchase_row)
