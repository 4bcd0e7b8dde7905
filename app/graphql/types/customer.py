"""The customer read model: details, App User IDs, notes, attributes, attribution."""

import asyncio
from datetime import datetime

import strawberry

from app.db import models
from app.domain.attributes import ATTRIBUTION_KEYS, is_reserved
from app.domain.entitlement_status import EntitlementGrantSource, entitlement_statuses
from app.domain.identity import choose_app_user_id
from app.domain.spending import is_visible
from app.graphql.context import Info
from app.graphql.dataloaders.customer import (
    AppUserIdsByCustomerIdLoader,
    AttributesByCustomerIdLoader,
    BalancesByCustomerIdLoader,
    NotesByCustomerIdLoader,
)
from app.graphql.dataloaders.event import HistoryByCustomerIdLoader
from app.graphql.dataloaders.project import (
    CurrentOfferingByProjectIdLoader,
    EntitlementByIdentifierLoader,
    OfferingByIdLoader,
)
from app.graphql.dataloaders.purchase import PurchasesByCustomerIdLoader
from app.graphql.pagination import keyset_position, page_size
from app.graphql.types.common import Money, Node, PageInfo
from app.graphql.types.event import CustomerEventConnection, CustomerEventEdge, CustomerEventNode
from app.graphql.types.project import OfferingType, offering_or_none
from app.graphql.types.purchase import CustomerEntitlement, PurchaseType, entitlement_identifiers


@strawberry.type
class Alias:
    # Plain fields filled once from the row: Strawberry's fast path (see CustomerEventNode).
    row: strawberry.Private[models.AppUserId]
    app_user_id: str
    is_anonymous: bool
    created_at: datetime
    last_seen_at: datetime | None

    def __init__(self, row: models.AppUserId) -> None:
        self.row = row
        self.app_user_id = row.app_user_id
        self.is_anonymous = row.is_anonymous
        self.created_at = row.created_at
        self.last_seen_at = row.last_seen_at


@strawberry.type(name="Note")
class NoteType(Node):
    NODE_TYPE = "Note"
    row: strawberry.Private[models.Note]

    @strawberry.field(description="Markdown, at most 255 characters.")
    def body(self) -> str:
        return self.row.body

    @strawberry.field(description="body rendered to sanitized HTML.")
    def body_html(self) -> str:
        return self.row.body_html  # rendered when the note was written

    @strawberry.field(description="Name of the API key that wrote it.")
    def author(self) -> str:
        return self.row.author

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.row.updated_at


@strawberry.type
class Attribute:
    # Plain fields filled once from the row: Strawberry's fast path (see CustomerEventNode).
    row: strawberry.Private[models.Attribute]
    key: str
    value: str
    updated_at: datetime
    is_reserved: bool = strawberry.field(description="Keys starting with $ are reserved.")

    def __init__(self, row: models.Attribute) -> None:
        self.row = row
        self.key = row.key
        self.value = row.value
        self.updated_at = row.updated_at
        self.is_reserved = is_reserved(row.key)


@strawberry.type
class VirtualCurrencyBalance:
    code: str
    balance: int


@strawberry.type
class Attribution:
    network: str | None
    campaign: str | None
    ad_group: str | None
    keywords: str | None
    creative: str | None


def attribution_from(attributes: list[models.Attribute]) -> Attribution:
    values = {row.key: row.value for row in attributes}
    return Attribution(**{name: values.get(key) for name, key in ATTRIBUTION_KEYS.items()})


@strawberry.type(name="Customer")
class CustomerType(Node):
    NODE_TYPE = "Customer"
    row: strawberry.Private[models.Customer]

    async def _app_user_ids(self, info: Info) -> list[models.AppUserId]:
        return await AppUserIdsByCustomerIdLoader(info.context).load(self.row.id)

    @strawberry.field(
        description="The App User ID that events carry: last seen identified alias, else last seen alias, else any."
    )
    async def app_user_id(self, info: Info) -> str:
        return choose_app_user_id(await self._app_user_ids(info))  # type: ignore[arg-type]

    @strawberry.field
    async def original_app_user_id(self, info: Info) -> str:
        ids = await self._app_user_ids(info)
        return next((row.app_user_id for row in ids if row.is_original), ids[0].app_user_id)

    @strawberry.field(
        description="The UUID to set as StoreKit's appAccountToken when this customer buys: App Store "
        "notifications of a purchase the app has not reported yet then reach this customer."
    )
    async def app_account_token(self, info: Info) -> str:
        ids = await self._app_user_ids(info)
        return next((row.app_account_token for row in ids if row.is_original), ids[0].app_account_token)

    @strawberry.field(description="Every App User ID of the customer except the original one.")
    async def aliases(self, info: Info) -> list[Alias]:
        return [Alias(row=row) for row in await self._app_user_ids(info) if not row.is_original]

    @strawberry.field(
        description="ISO 3166-1 alpha-2 country of the last seen IP address; the address itself is never stored."
    )
    def country(self) -> str | None:
        return self.row.country

    @strawberry.field(description="Last time this customer or any alias connected.")
    def last_opened_at(self) -> datetime | None:
        return self.row.last_opened_at

    @strawberry.field(
        description="USD equivalent of all production purchases of this customer and its aliases, less refunds."
    )
    async def total_spent(self, info: Info) -> Money:
        assert self.row.id is not None
        return Money(
            amount=await PurchasesByCustomerIdLoader(info.context).total_spent(self.row.id), currency="USD"
        )

    @strawberry.field(description="When the customer was first seen (User Since).")
    def first_seen_at(self) -> datetime:
        return self.row.first_seen_at

    @strawberry.field
    async def notes(self, info: Info) -> list[NoteType]:
        rows = await NotesByCustomerIdLoader(info.context).load(self.row.id)
        return [NoteType(row=row) for row in rows]

    @strawberry.field
    async def attributes(self, info: Info) -> list[Attribute]:
        rows = await AttributesByCustomerIdLoader(info.context).load(self.row.id)
        return [Attribute(row=row) for row in rows]

    @strawberry.field
    async def attribution(self, info: Info) -> Attribution:
        return attribution_from(await AttributesByCustomerIdLoader(info.context).load(self.row.id))

    @strawberry.field(
        description="Timeline ordered by purchasedAt, newest first. sandbox: include sandbox data too."
    )
    async def history(
        self, info: Info, first: int | None = 50, after: str | None = None, sandbox: bool | None = False
    ) -> CustomerEventConnection:
        size = page_size(first, 50)
        position = keyset_position(after) if after is not None else None
        rows = await HistoryByCustomerIdLoader(info.context).load(
            (self.row.id, size + 1, position, bool(sandbox))
        )
        page = rows[:size]
        edges = [CustomerEventEdge(node=CustomerEventNode(row=r)) for r in page]
        return CustomerEventConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > size,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    async def _purchases(self, info: Info, sandbox: bool | None) -> list[models.Purchase]:
        rows = await PurchasesByCustomerIdLoader(info.context).load(self.row.id)
        return [row for row in rows if is_visible(row.environment, bool(sandbox))]

    @strawberry.field(description="Entitlement status, active ones first. sandbox: include sandbox data too.")
    async def entitlements(self, info: Info, sandbox: bool | None = False) -> list[CustomerEntitlement]:
        purchases = await self._purchases(info, sandbox)
        # All at once, so the loader batches them into one statement.
        identifiers = await asyncio.gather(*(entitlement_identifiers(info, row) for row in purchases))
        sources = [
            EntitlementGrantSource(
                purchase_key=row,
                entitlement_identifiers=tuple(granted),
                product_id=row.product_id,
                store=row.store,
                environment=row.environment,
                period_type=row.period_type,
                purchased_at=row.purchased_at,
                expires_at=row.access_expires_at,
                refunded=row.refunded_at is not None,
                will_renew=row.will_renew,
                is_granted=row.is_granted,
                unsubscribe_detected_at=row.unsubscribe_detected_at,
                billing_issue_detected_at=row.billing_issue_detected_at,
                grace_period_expires_at=row.grace_period_expires_at,
            )
            for row, granted in zip(purchases, identifiers, strict=True)
        ]
        known = await EntitlementByIdentifierLoader(info.context).load_many(
            sorted({i for source in sources for i in source.entitlement_identifiers})
        )
        existing = {row.identifier for row in known if row is not None}
        return [
            CustomerEntitlement(status=status, purchase_row=status.source.purchase_key)  # type: ignore[arg-type]
            for status in entitlement_statuses(sources, info.context.now, include_sandbox=True)
            if status.entitlement_identifier in existing
        ]

    @strawberry.field(description="Subscriptions and one-time purchases. sandbox: include sandbox data too.")
    async def purchases(self, info: Info, sandbox: bool | None = False) -> list[PurchaseType]:
        return [PurchaseType(row=row) for row in await self._purchases(info, sandbox)]

    @strawberry.field
    async def virtual_currency_balances(self, info: Info) -> list["VirtualCurrencyBalance"]:
        rows = await BalancesByCustomerIdLoader(info.context).load(self.row.id)
        return [VirtualCurrencyBalance(code=row.code, balance=row.balance) for row in rows]

    async def _override(self, info: Info) -> OfferingType | None:
        if self.row.offering_override_id is None:
            return None
        return offering_or_none(await OfferingByIdLoader(info.context).load(self.row.offering_override_id))

    @strawberry.field(description="The override if one is set, else the project's current offering.")
    async def current_offering(self, info: Info) -> OfferingType | None:
        override = await self._override(info)
        if override is not None:
            return override
        return offering_or_none(
            await CurrentOfferingByProjectIdLoader(info.context).load(self.row.project_id)
        )

    @strawberry.field
    async def offering_override(self, info: Info) -> OfferingType | None:
        return await self._override(info)


@strawberry.type
class CustomerEdge:
    cursor: str
    node: CustomerType


@strawberry.type
class CustomerConnection:
    edges: list[CustomerEdge]
    page_info: PageInfo
    total_count: int
