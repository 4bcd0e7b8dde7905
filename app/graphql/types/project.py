"""Project configuration types: the project, its keys, entitlements, products, offerings."""

from datetime import datetime

import strawberry

from app.db import models
from app.graphql.context import Info
from app.graphql.dataloaders.project import (
    CurrentOfferingByProjectIdLoader,
    EntitlementsByProductIdLoader,
    EntitlementsByProjectIdLoader,
    OfferingsByProjectIdLoader,
    PackagesByOfferingIdLoader,
    ProductByIdLoader,
    ProductsByEntitlementIdLoader,
    ProductsByProjectIdLoader,
)
from app.graphql.dataloaders.store import StoreAppsByProjectIdLoader
from app.graphql.dataloaders.webhooks import EndpointsByProjectIdLoader
from app.graphql.types.common import (
    ApiKeyRole,
    Money,
    Node,
    ProductType,
    ReceiptTrust,
    RestoreBehavior,
    Store,
    money,
)
from app.graphql.types.store_app import StoreAppType
from app.graphql.types.webhooks import WebhookEndpointType


@strawberry.type(name="ApiKey")
class ApiKeyType(Node):
    NODE_TYPE = "ApiKey"
    row: strawberry.Private[models.ApiKey]

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field
    def role(self) -> ApiKeyRole:
        return self.row.role

    @strawberry.field(description="The first characters of the key, enough to recognise it.")
    def prefix(self) -> str:
        return self.row.prefix

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    def last_used_at(self) -> datetime | None:
        return self.row.last_used_at


@strawberry.type(name="Entitlement")
class EntitlementType(Node):
    NODE_TYPE = "Entitlement"
    row: strawberry.Private[models.Entitlement]

    @strawberry.field
    def identifier(self) -> str:
        return self.row.identifier

    @strawberry.field
    def display_name(self) -> str:
        return self.row.display_name

    @strawberry.field
    async def products(self, info: Info) -> list["ProductType_"]:
        rows = await ProductsByEntitlementIdLoader(info.context).load(self.row.id)
        return [ProductType_(row=row) for row in rows]


@strawberry.type(name="Product")
class ProductType_(Node):
    NODE_TYPE = "Product"
    row: strawberry.Private[models.Product]

    @strawberry.field(description="The store's product identifier.")
    def identifier(self) -> str:
        return self.row.identifier

    @strawberry.field
    def store(self) -> Store:
        return self.row.store

    @strawberry.field
    def type(self) -> ProductType:
        return self.row.type

    @strawberry.field(
        description="List price used to estimate a transaction's price when the store sends none."
    )
    def price(self) -> Money | None:
        return money(self.row.price_amount, self.row.price_currency)

    @strawberry.field
    async def entitlements(self, info: Info) -> list[EntitlementType]:
        rows = await EntitlementsByProductIdLoader(info.context).load(self.row.id)
        return [EntitlementType(row=row) for row in rows]


@strawberry.type
class Package:
    row: strawberry.Private[models.Package]

    @strawberry.field
    def identifier(self) -> str:
        return self.row.identifier

    @strawberry.field
    async def product(self, info: Info) -> ProductType_:
        row = await ProductByIdLoader(info.context).load(self.row.product_id)
        assert row is not None  # a package's product is deleted with it (foreign key)
        return ProductType_(row=row)


@strawberry.type(name="Offering")
class OfferingType(Node):
    NODE_TYPE = "Offering"
    row: strawberry.Private[models.Offering]

    @strawberry.field
    def identifier(self) -> str:
        return self.row.identifier

    @strawberry.field
    def description(self) -> str:
        return self.row.description

    @strawberry.field
    def is_current(self) -> bool:
        return self.row.is_current

    @strawberry.field
    async def packages(self, info: Info) -> list[Package]:
        rows = await PackagesByOfferingIdLoader(info.context).load(self.row.id)
        return [Package(row=row) for row in rows]


def offering_or_none(row: models.Offering | None) -> OfferingType | None:
    return OfferingType(row=row) if row is not None else None


@strawberry.type(name="Project")
class ProjectType(Node):
    NODE_TYPE = "Project"
    row: strawberry.Private[models.Project]

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field
    def restore_behavior(self) -> RestoreBehavior:
        return self.row.restore_behavior

    @strawberry.field
    async def entitlements(self, info: Info) -> list[EntitlementType]:
        rows = await EntitlementsByProjectIdLoader(info.context).load(self.row.id)
        return [EntitlementType(row=row) for row in rows]

    @strawberry.field
    async def products(self, info: Info) -> list[ProductType_]:
        rows = await ProductsByProjectIdLoader(info.context).load(self.row.id)
        return [ProductType_(row=row) for row in rows]

    @strawberry.field
    async def offerings(self, info: Info) -> list[OfferingType]:
        rows = await OfferingsByProjectIdLoader(info.context).load(self.row.id)
        return [OfferingType(row=row) for row in rows]

    @strawberry.field
    async def current_offering(self, info: Info) -> OfferingType | None:
        return offering_or_none(await CurrentOfferingByProjectIdLoader(info.context).load(self.row.id))

    @strawberry.field
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpointType]:
        rows = await EndpointsByProjectIdLoader(info.context).load(self.row.id)
        return [WebhookEndpointType(row=row) for row in rows]

    @strawberry.field
    async def api_keys(self, info: Info) -> list[ApiKeyType]:
        from app.services.projects import list_api_keys

        rows = await list_api_keys(info.context.db, self.row.id or 0)
        return [ApiKeyType(row=row) for row in rows]

    @strawberry.field
    def receipt_trust(self) -> ReceiptTrust:
        return self.row.receipt_trust

    @strawberry.field(
        description="Where the project's purchases are verified and its store notifications arrive."
    )
    async def store_apps(self, info: Info) -> list[StoreAppType]:
        rows = await StoreAppsByProjectIdLoader(info.context).load(self.row.id)
        return [StoreAppType(row=row) for row in rows]
