"""Query entry points: node, customer, customers, project."""

import strawberry

from app.domain.errors import DomainError
from app.graphql.context import Info
from app.graphql.ids import decode_id, encode_cursor
from app.graphql.pagination import BadArgument, keyset_position, page_size
from app.graphql.types.common import Node, PageInfo, Store
from app.graphql.types.customer import CustomerConnection, CustomerEdge, CustomerType, NoteType
from app.graphql.types.event import CustomerEventNode
from app.graphql.types.project import EntitlementType, OfferingType, ProductType_, ProjectType
from app.graphql.types.purchase import PurchaseType
from app.graphql.types.webhooks import WebhookEndpointType
from app.services.customer_search import (
    CustomerFilterSpec,
    CustomerQuery,
    Position,
    find_customers,
)
from app.services.projects import get_project


@strawberry.input
class AttributeInput:
    key: str
    value: str | None = None


@strawberry.input(description="All given conditions must hold.")
class CustomerFilter:
    active_entitlement: str | None = strawberry.field(
        default=None, description="Has this entitlement active now."
    )
    transaction_id: str | None = strawberry.field(
        default=None, description="Owns a purchase with this store transaction id (original or any renewal)."
    )
    attribute: AttributeInput | None = strawberry.field(
        default=None, description="Has this attribute with exactly this value."
    )
    store: Store | None = None  # type: ignore[valid-type]
    country: str | None = None


async def resolve_node(info: Info, global_id: str) -> Node | None:
    decoded = decode_id(global_id)
    if decoded is None:
        return None
    type_name, pk = decoded
    loaders = info.context.loaders
    if type_name == "Customer":
        customer = await loaders.customer_by_id.load(pk)
        return CustomerType(row=customer) if customer else None
    if type_name == "Note":
        note = await loaders.note_by_id.load(pk)
        return NoteType(row=note) if note else None
    if type_name == "Project":
        project = await loaders.project_by_id.load(pk)
        return ProjectType(row=project) if project else None
    if type_name == "Offering":
        offering = await loaders.offering_by_id.load(pk)
        return OfferingType(row=offering) if offering else None
    if type_name == "Product":
        product = await loaders.product_by_id.load(pk)
        return ProductType_(row=product) if product else None
    if type_name == "Purchase":
        purchase = await loaders.purchase_by_id.load(pk)
        return PurchaseType(row=purchase) if purchase else None
    if type_name == "CustomerEvent":
        event = await loaders.event_by_id.load(pk)
        return CustomerEventNode(row=event) if event else None
    if type_name == "WebhookEndpoint":
        endpoint = await loaders.endpoint_by_id.load(pk)
        return WebhookEndpointType(row=endpoint) if endpoint else None
    if type_name == "Entitlement":
        entitlement = await loaders.entitlement_by_id.load(pk)
        return EntitlementType(row=entitlement) if entitlement else None
    return None


async def load_customer(info: Info, app_user_id: str) -> CustomerType | None:
    customer_id = await info.context.loaders.customer_id_by_app_user_id.load(app_user_id)
    if customer_id is None:
        return None
    row = await info.context.loaders.customer_by_id.load(customer_id)
    return CustomerType(row=row) if row else None


def _position(after: str | None) -> Position | None:
    return None if after is None else Position(*keyset_position(after))


@strawberry.type
class Query:
    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(description="A customer by any of its App User IDs: the original one or an alias.")
    async def customer(self, info: Info, app_user_id: str) -> CustomerType | None:
        return await load_customer(info, app_user_id)

    @strawberry.field(
        description="Customers of the project, most recently seen first. search matches App User IDs "
        "and aliases by prefix, and $email exactly."
    )
    async def customers(
        self,
        info: Info,
        search: str | None = None,
        filter: CustomerFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> CustomerConnection:
        size = page_size(first, 20)
        spec = None
        if filter is not None:
            attribute = filter.attribute
            spec = CustomerFilterSpec(
                active_entitlement=filter.active_entitlement,
                transaction_id=filter.transaction_id,
                attribute=(attribute.key, attribute.value) if attribute else None,
                store=filter.store.value if filter.store else None,
                country=filter.country,
            )
        query = CustomerQuery(info.context.project_id, info.context.db.dialect, info.context.now)
        page = await find_customers(info.context.db, query, search, spec, size, _position(after))
        edges = [
            CustomerEdge(
                cursor=encode_cursor(row.last_seen_at.isoformat(), row.id), node=CustomerType(row=row)
            )
            for row in page.rows
        ]
        return CustomerConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total_count,
        )

    @strawberry.field(description="The project that the API key belongs to, with its configuration.")
    async def project(self, info: Info) -> ProjectType:
        return ProjectType(row=await get_project(info.context.db, info.context.project_id))


__all__ = ["BadArgument", "DomainError", "Query"]
