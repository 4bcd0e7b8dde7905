"""Query entry points: node, customer, customers, project."""

from collections.abc import Callable
from typing import Any

import strawberry

from app.domain.errors import DomainError
from app.graphql.context import Info
from app.graphql.dataloaders.base import ProjectLoader
from app.graphql.dataloaders.customer import CustomerByAppUserIdLoader, CustomerByIdLoader, NoteByIdLoader
from app.graphql.dataloaders.event import EventByIdLoader
from app.graphql.dataloaders.project import (
    EntitlementByIdLoader,
    OfferingByIdLoader,
    ProductByIdLoader,
    ProjectByIdLoader,
)
from app.graphql.dataloaders.purchase import PurchaseByIdLoader
from app.graphql.dataloaders.store import StoreAppByIdLoader
from app.graphql.dataloaders.webhooks import EndpointByIdLoader
from app.graphql.ids import decode_id, encode_cursor
from app.graphql.pagination import BadArgument, keyset_position, page_size, selects
from app.graphql.types.common import Node, PageInfo, Store
from app.graphql.types.customer import CustomerConnection, CustomerEdge, CustomerType, NoteType
from app.graphql.types.event import CustomerEventNode
from app.graphql.types.project import EntitlementType, OfferingType, ProductType_, ProjectType
from app.graphql.types.purchase import PurchaseType
from app.graphql.types.store_app import StoreAppType
from app.graphql.types.webhooks import WebhookEndpointType
from app.services.customer_search import (
    CustomerFilterSpec,
    CustomerQuery,
    Position,
    find_customers,
)


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
    store: Store | None = None
    country: str | None = None


# What node(id:) can return: the type a global id names, its loader and its GraphQL type.
NODE_LOADERS: dict[str, tuple[type[ProjectLoader[int, Any]], Callable[[Any], Node]]] = {
    "Customer": (CustomerByIdLoader, lambda row: CustomerType(row=row)),
    "Note": (NoteByIdLoader, lambda row: NoteType(row=row)),
    "Project": (ProjectByIdLoader, lambda row: ProjectType(row=row)),
    "Offering": (OfferingByIdLoader, lambda row: OfferingType(row=row)),
    "Product": (ProductByIdLoader, lambda row: ProductType_(row=row)),
    "Purchase": (PurchaseByIdLoader, lambda row: PurchaseType(row=row)),
    "CustomerEvent": (EventByIdLoader, lambda row: CustomerEventNode(row=row)),
    "WebhookEndpoint": (EndpointByIdLoader, lambda row: WebhookEndpointType(row=row)),
    "Entitlement": (EntitlementByIdLoader, lambda row: EntitlementType(row=row)),
    "StoreApp": (StoreAppByIdLoader, lambda row: StoreAppType(row=row)),
}


async def resolve_node(info: Info, global_id: str) -> Node | None:
    decoded = decode_id(global_id)
    if decoded is None or decoded[0] not in NODE_LOADERS:
        return None
    loader, node = NODE_LOADERS[decoded[0]]
    row = await loader(info.context).load(decoded[1])
    return node(row) if row else None


async def load_customer(info: Info, app_user_id: str) -> CustomerType | None:
    row = await CustomerByAppUserIdLoader(info.context).load(app_user_id)
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
        page = await find_customers(
            info.context.reads, query, search, spec, size, _position(after), count=selects(info, "totalCount")
        )
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
            # Not selected, not counted: the value is never shown.
            total_count=page.total_count or 0,
        )

    @strawberry.field(description="The project that the API key belongs to, with its configuration.")
    async def project(self, info: Info) -> ProjectType:
        # Through the request's read connection, like every other read of the request.
        row = await ProjectByIdLoader(info.context).load(info.context.project_id)
        assert row is not None  # the acting key belongs to it
        return ProjectType(row=row)


__all__ = ["BadArgument", "DomainError", "Query"]
