"""refundPurchase and cancelSubscription: actions that reach the store."""

import strawberry

from app.graphql.context import Info
from app.graphql.errors import UserError, run_mutation
from app.graphql.ids import decode_id_of
from app.graphql.types.customer import CustomerType
from app.graphql.types.purchase import PurchaseType
from app.services import store_actions

REASON = "Why; kept on the event and in the audit trail."


@strawberry.input
class RefundPurchaseInput:
    purchase_id: strawberry.ID
    reason: str | None = strawberry.field(default=None, description=REASON)


@strawberry.type
class RefundPurchasePayload:
    purchase: PurchaseType | None = None
    customer: CustomerType | None = strawberry.field(
        default=None, description="The customer after the refund: its entitlements are already updated."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CancelSubscriptionInput:
    purchase_id: strawberry.ID
    reason: str | None = strawberry.field(default=None, description=REASON)


@strawberry.type
class CancelSubscriptionPayload:
    purchase: PurchaseType | None = None
    customer: CustomerType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StoreActionMutations:
    @strawberry.mutation
    async def refund_purchase(self, info: Info, input: RefundPurchaseInput) -> RefundPurchasePayload:
        ctx = info.context

        async def act() -> RefundPurchasePayload:
            purchase = await store_actions.refund_purchase(
                ctx.db,
                ctx.stores,
                ctx.project_id,
                decode_id_of(input.purchase_id, "Purchase"),
                ctx.principal.key_name,
                input.reason,
                ctx.now,
            )
            customer = await info.context.loaders.customer_by_id.load(purchase.customer_id)
            return RefundPurchasePayload(
                purchase=PurchaseType(row=purchase), customer=CustomerType(row=customer)
            )

        return await run_mutation(info, act, lambda errors: RefundPurchasePayload(user_errors=errors))

    @strawberry.mutation
    async def cancel_subscription(
        self, info: Info, input: CancelSubscriptionInput
    ) -> CancelSubscriptionPayload:
        ctx = info.context

        async def act() -> CancelSubscriptionPayload:
            purchase = await store_actions.cancel_subscription(
                ctx.db,
                ctx.stores,
                ctx.project_id,
                decode_id_of(input.purchase_id, "Purchase"),
                ctx.principal.key_name,
                input.reason,
                ctx.now,
            )
            customer = await info.context.loaders.customer_by_id.load(purchase.customer_id)
            return CancelSubscriptionPayload(
                purchase=PurchaseType(row=purchase), customer=CustomerType(row=customer)
            )

        return await run_mutation(info, act, lambda errors: CancelSubscriptionPayload(user_errors=errors))
