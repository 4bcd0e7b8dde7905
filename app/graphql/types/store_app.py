"""The project's apps at the stores, and what arrived from them."""

from datetime import datetime

import strawberry

from app.db import models
from app.graphql.context import Info
from app.graphql.dataloaders.store import NotificationsByStoreAppIdLoader
from app.graphql.types.common import Environment, Node, NotificationStatus, Store
from app.services.store_apps import has_api_credentials, notification_path

MAX_NOTIFICATIONS = 100


@strawberry.type(
    name="StoreNotification",
    description="A verified store notification in the inbox: what it said and whether it was applied.",
)
class StoreNotificationType(Node):
    NODE_TYPE = "StoreNotification"
    row: strawberry.Private[models.StoreNotification]

    @strawberry.field(description="The store's own type, e.g. DID_RENEW.")
    def notification_type(self) -> str:
        return self.row.notification_type

    @strawberry.field
    def subtype(self) -> str | None:
        return self.row.subtype

    @strawberry.field
    def environment(self) -> Environment:
        return self.row.environment

    @strawberry.field
    def status(self) -> NotificationStatus:
        return self.row.status

    @strawberry.field
    def attempts(self) -> int:
        return self.row.attempts

    @strawberry.field(description="Why the last attempt to apply it failed.")
    def last_error(self) -> str | None:
        return self.row.last_error

    @strawberry.field(description="When the store signed it.")
    def signed_at(self) -> datetime:
        return self.row.signed_at

    @strawberry.field
    def received_at(self) -> datetime:
        return self.row.received_at

    @strawberry.field
    def applied_at(self) -> datetime | None:
        return self.row.applied_at


@strawberry.type(
    name="StoreApp",
    description="One app at one store: the identity that signed store data must carry, and the URL path "
    "the store posts its server notifications to.",
)
class StoreAppType(Node):
    NODE_TYPE = "StoreApp"
    row: strawberry.Private[models.StoreApp]

    @strawberry.field
    def store(self) -> Store:
        return self.row.store

    @strawberry.field(
        description="App Store: the bundle id; Play Store: the package name; Web Billing: the Stripe account's label."
    )
    def app_identifier(self) -> str:
        return self.row.app_identifier

    @strawberry.field(
        description="Path on this service, e.g. /stores/app-store/<id>, to give the store as its notification URL "
        "(App Store Server Notifications V2, Google Play real-time developer notifications through a Pub/Sub "
        "push subscription, Stripe webhooks). The store's own signature authenticates a notification; no API "
        "key is sent."
    )
    def notification_path(self) -> str:
        return notification_path(self.row)

    @strawberry.field(
        description="Whether the service can ask the store's server API for the truth (App Store Server API key, "
        "Play service account, Stripe key)."
    )
    def has_api_credentials(self, info: Info) -> bool:
        return has_api_credentials(self.row, info.context.settings)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field(description="When the last notification that verified arrived.")
    def last_notification_at(self) -> datetime | None:
        return self.row.last_notification_at

    @strawberry.field(description="The newest notifications in the inbox (at most 100), newest first.")
    async def notifications(self, info: Info, first: int = 20) -> list[StoreNotificationType]:
        count = max(0, min(first, MAX_NOTIFICATIONS))
        if count == 0:
            return []
        rows = await NotificationsByStoreAppIdLoader(info.context).load((self.row.id, count))
        return [StoreNotificationType(row=row) for row in rows]
