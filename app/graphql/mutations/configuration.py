"""Project configuration mutations (admin keys): entitlements, products, offerings,
the current offering, the restore behaviour and API keys."""

import strawberry

from app.domain.errors import DomainError, ErrorCode
from app.graphql.context import Info
from app.graphql.errors import UserError, run_mutation
from app.graphql.ids import decode_id_of, encode_id
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
    store: Store  # type: ignore[valid-type]
    type: ProductType  # type: ignore[valid-type]
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
    restore_behavior: RestoreBehavior  # type: ignore[valid-type]


@strawberry.type
class SetRestoreBehaviorPayload:
    project: ProjectType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateApiKeyInput:
    name: str
    role: ApiKeyRole  # type: ignore[valid-type]


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
    @strawberry.mutation
    async def create_entitlement(self, info: Info, input: CreateEntitlementInput) -> CreateEntitlementPayload:
        async def act() -> CreateEntitlementPayload:
            row = await projects.create_entitlement(
                info.context.db, info.context.project_id, input.identifier, input.display_name
            )
            return CreateEntitlementPayload(entitlement=EntitlementType(row=row))

        return await run_mutation(info, act, lambda errors: CreateEntitlementPayload(user_errors=errors))

    @strawberry.mutation
    async def create_product(self, info: Info, input: CreateProductInput) -> CreateProductPayload:
        async def act() -> CreateProductPayload:
            price = (input.price.amount, input.price.currency) if input.price else None
            row = await projects.create_product(
                info.context.db,
                info.context.project_id,
                input.identifier,
                input.store,
                input.type,
                price,
                input.entitlement_identifiers,
            )
            return CreateProductPayload(product=ProductType_(row=row))

        return await run_mutation(info, act, lambda errors: CreateProductPayload(user_errors=errors))

    @strawberry.mutation
    async def create_offering(self, info: Info, input: CreateOfferingInput) -> CreateOfferingPayload:
        async def act() -> CreateOfferingPayload:
            row = await projects.create_offering(
                info.context.db,
                info.context.project_id,
                input.identifier,
                input.description,
                [(p.identifier, p.product_identifier) for p in input.packages],
                bool(input.is_current),
            )
            return CreateOfferingPayload(offering=OfferingType(row=row))

        return await run_mutation(info, act, lambda errors: CreateOfferingPayload(user_errors=errors))

    @strawberry.mutation
    async def set_current_offering(
        self, info: Info, input: SetCurrentOfferingInput
    ) -> SetCurrentOfferingPayload:
        async def act() -> SetCurrentOfferingPayload:
            row = await projects.set_current_offering(
                info.context.db, info.context.project_id, input.offering_identifier
            )
            return SetCurrentOfferingPayload(project=ProjectType(row=row))

        return await run_mutation(info, act, lambda errors: SetCurrentOfferingPayload(user_errors=errors))

    @strawberry.mutation
    async def set_restore_behavior(
        self, info: Info, input: SetRestoreBehaviorInput
    ) -> SetRestoreBehaviorPayload:
        async def act() -> SetRestoreBehaviorPayload:
            row = await projects.set_restore_behavior(
                info.context.db, info.context.project_id, input.restore_behavior
            )
            return SetRestoreBehaviorPayload(project=ProjectType(row=row))

        return await run_mutation(info, act, lambda errors: SetRestoreBehaviorPayload(user_errors=errors))

    @strawberry.mutation
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
        async def act() -> CreateApiKeyPayload:
            created = await projects.create_api_key(
                info.context.db, info.context.project_id, input.name, input.role
            )
            return CreateApiKeyPayload(api_key=ApiKeyType(row=created.row), secret=created.secret)

        return await run_mutation(info, act, lambda errors: CreateApiKeyPayload(user_errors=errors))

    @strawberry.mutation
    async def revoke_api_key(self, info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
        async def act() -> RevokeApiKeyPayload:
            pk = decode_id_of(input.api_key_id, "ApiKey")
            if pk is None:
                raise DomainError(ErrorCode.INVALID_INPUT, "Not an API key id.", ("input", "apiKeyId"))
            revoked = await projects.revoke_api_key(info.context.db, info.context.project_id, pk)
            return RevokeApiKeyPayload(revoked_api_key_id=strawberry.ID(encode_id("ApiKey", revoked)))

        return await run_mutation(info, act, lambda errors: RevokeApiKeyPayload(user_errors=errors))
