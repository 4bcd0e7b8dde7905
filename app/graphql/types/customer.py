"""The customer read model: details, App User IDs, notes, attributes, attribution."""

from datetime import datetime

import strawberry

from app.db import models
from app.domain.attributes import ATTRIBUTION_KEYS, is_reserved
from app.domain.identity import choose_app_user_id
from app.domain.notes import render_note_html
from app.graphql.context import Info
from app.graphql.ids import encode_id
from app.graphql.types.common import Node, PageInfo
from app.graphql.types.project import OfferingType, offering_or_none


@strawberry.type
class Alias:
    row: strawberry.Private[models.AppUserId]

    @strawberry.field
    def app_user_id(self) -> str:
        return self.row.app_user_id

    @strawberry.field
    def is_anonymous(self) -> bool:
        return self.row.is_anonymous

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    def last_seen_at(self) -> datetime | None:
        return self.row.last_seen_at


@strawberry.type(name="Note")
class NoteType(Node):
    row: strawberry.Private[models.Note]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Note", self.row.id or 0))

    @strawberry.field(description="Markdown, at most 255 characters.")
    def body(self) -> str:
        return self.row.body

    @strawberry.field(description="body rendered to sanitized HTML.")
    def body_html(self) -> str:
        return render_note_html(self.row.body)

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
    row: strawberry.Private[models.Attribute]

    @strawberry.field
    def key(self) -> str:
        return self.row.key

    @strawberry.field
    def value(self) -> str:
        return self.row.value

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.row.updated_at

    @strawberry.field(description="Keys starting with $ are reserved.")
    def is_reserved(self) -> bool:
        return is_reserved(self.row.key)


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
    row: strawberry.Private[models.Customer]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Customer", self.row.id or 0))

    async def _app_user_ids(self, info: Info) -> list[models.AppUserId]:
        return await info.context.loaders.app_user_ids_by_customer_id.load(self.row.id)

    @strawberry.field(
        description="The App User ID that events carry: last seen identified alias, else last seen alias, else any."
    )
    async def app_user_id(self, info: Info) -> str:
        return choose_app_user_id(await self._app_user_ids(info))

    @strawberry.field
    async def original_app_user_id(self, info: Info) -> str:
        ids = await self._app_user_ids(info)
        return next((row.app_user_id for row in ids if row.is_original), ids[0].app_user_id)

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

    @strawberry.field(description="When the customer was first seen (User Since).")
    def first_seen_at(self) -> datetime:
        return self.row.first_seen_at

    @strawberry.field
    async def notes(self, info: Info) -> list[NoteType]:
        rows = await info.context.loaders.notes_by_customer_id.load(self.row.id)
        return [NoteType(row=row) for row in rows]

    @strawberry.field
    async def attributes(self, info: Info) -> list[Attribute]:
        rows = await info.context.loaders.attributes_by_customer_id.load(self.row.id)
        return [Attribute(row=row) for row in rows]

    @strawberry.field
    async def attribution(self, info: Info) -> Attribution:
        return attribution_from(await info.context.loaders.attributes_by_customer_id.load(self.row.id))

    @strawberry.field(description="The override if one is set, else the project's current offering.")
    async def current_offering(self, info: Info) -> OfferingType | None:
        override = await self.offering_override(info)
        if override is not None:
            return override
        return offering_or_none(
            await info.context.loaders.current_offering_by_project_id.load(self.row.project_id)
        )

    @strawberry.field
    async def offering_override(self, info: Info) -> OfferingType | None:
        if self.row.offering_override_id is None:
            return None
        return offering_or_none(
            await info.context.loaders.offering_by_id.load(self.row.offering_override_id)
        )


@strawberry.type
class CustomerEdge:
    cursor: str
    node: CustomerType


@strawberry.type
class CustomerConnection:
    edges: list[CustomerEdge]
    page_info: PageInfo
    total_count: int
