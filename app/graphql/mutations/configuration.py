"""Project configuration mutations (admin keys): entitlements, products, offerings,
the current offering, the restore behaviour and API keys."""

import strawberry

from app.graphql.context import Info
from app.graphql.errors import UserError
from app.graphql.ids import API_KEY, encode_id, require_pk
from app.graphql.mutations.shell import mutation
from app.graphql.permissions import CONFIGURATION
from app.graphql.types.common import (
    ApiKeyRole,
    MoneyInput,
    ProductType,
    RestoreBehavior,
    Store,
)
from app.graphql.types.project import (
    ApiKeyType,
    EntitlementType,
    OfferingType,
    ProductType_,
    ProjectType,
)
from app.services import projects


@strawberry.input
class CreateEntitlementInput:
    identifier: str
    display_name: str | None = None


@strawberry.type
class CreateEntitlementPayload:
    entitlement: EntitlementType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateProductInput:
    identifier: str
    store: Store
    type: ProductType
    price: MoneyInput | None = None
    entitlement_identifiers: list[str] = strawberry.field(default_factory=list)


@strawberry.type
class CreateProductPayload:
    product: ProductType_ | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class PackageInput:
    identifier: str
    product_identifier: str


@strawberry.input
class CreateOfferingInput:
    identifier: str
    description: str | None = None
    packages: list[PackageInput] = strawberry.field(default_factory=list)
    is_current: bool | None = False


@strawberry.type
class CreateOfferingPayload:
    offering: OfferingType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SetCurrentOfferingInput:
    offering_identifier: str


@strawberry.type
class SetCurrentOfferingPayload:
    project: ProjectType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SetRestoreBehaviorInput:
    restore_behavior: RestoreBehavior


@strawberry.type
class SetRestoreBehaviorPayload:
    project: ProjectType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateApiKeyInput:
    name: str
    role: ApiKeyRole


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKeyType | None = None
    secret: str | None = strawberry.field(
        default=None, description="The key itself; shown only here, once. Only a hash of it is stored."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RevokeApiKeyInput:
    api_key_id: strawberry.ID


@strawberry.type
class RevokeApiKeyPayload:
    revoked_api_key_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ConfigurationMutations:
    @mutation(roles=CONFIGURATION)
    async def create_entitlement(self, info: Info, input: CreateEntitlementInput) -> CreateEntitlementPayload:
        ctx = info.context
        row = await projects.create_entitlement(ctx.db, ctx.project_id, input.identifier, input.display_name)
        return CreateEntitlementPayload(entitlement=EntitlementType(row=row))

    @mutation(roles=CONFIGURATION)
    async def create_product(self, info: Info, input: CreateProductInput) -> CreateProductPayload:
        ctx = info.context
        price = (input.price.amount, input.price.currency) if input.price else None
        row = await projects.create_product(
            ctx.db,
            ctx.project_id,
            input.identifier,
            input.store,
            input.type,
            price,
            input.entitlement_identifiers,
        )
        return CreateProductPayload(product=ProductType_(row=row))

    @mutation(roles=CONFIGURATION)
    async def create_offering(self, info: Info, input: CreateOfferingInput) -> CreateOfferingPayload:
        ctx = info.context
        packages = [(p.identifier, p.product_identifier) for p in input.packages]
        row = await projects.create_offering(
            ctx.db, ctx.project_id, input.identifier, input.description, packages, bool(input.is_current)
        )
        return CreateOfferingPayload(offering=OfferingType(row=row))

    @mutation(roles=CONFIGURATION)
    async def set_current_offering(
        self, info: Info, input: SetCurrentOfferingInput
    ) -> SetCurrentOfferingPayload:
        ctx = info.context
        row = await projects.set_current_offering(ctx.db, ctx.project_id, input.offering_identifier)
        return SetCurrentOfferingPayload(project=ProjectType(row=row))

    @mutation(roles=CONFIGURATION)
    async def set_restore_behavior(
        self, info: Info, input: SetRestoreBehaviorInput
    ) -> SetRestoreBehaviorPayload:
        ctx = info.context
        row = await projects.set_restore_behavior(ctx.db, ctx.project_id, input.restore_behavior)
        return SetRestoreBehaviorPayload(project=ProjectType(row=row))

    @mutation(roles=CONFIGURATION)
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
        ctx = info.context
        created = await projects.create_api_key(ctx.db, ctx.project_id, input.name, input.role)
        return CreateApiKeyPayload(api_key=ApiKeyType(row=created.row), secret=created.secret)

    @mutation(roles=CONFIGURATION)
    async def revoke_api_key(self, info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
        ctx = info.context
        pk = require_pk(input.api_key_id, API_KEY, ("input", "apiKeyId"))
        revoked = await projects.revoke_api_key(ctx.db, ctx.project_id, pk)
        return RevokeApiKeyPayload(revoked_api_key_id=strawberry.ID(encode_id(API_KEY.type_name, revoked)))
