"""refundPurchase and cancelSubscription: actions that reach the store."""

import strawberry

from app.graphql.context import Info
from app.graphql.dataloaders.customer import CustomerByIdLoader
from app.graphql.errors import UserError
from app.graphql.ids import PURCHASE, require_pk
from app.graphql.mutations.shell import acting, mutation
from app.graphql.permissions import SUPPORT_ACTIONS
from app.graphql.types.customer import CustomerType
from app.graphql.types.purchase import PurchaseType
from app.services import store_actions
from app.services.project_stores import adapters_for_project

REASON = "Why; kept on the event and in the audit trail."


def _purchase_id(value: str) -> int:
    return require_pk(value, PURCHASE, ("input", "purchaseId"))


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
    @mutation(roles=SUPPORT_ACTIONS)
    async def refund_purchase(self, info: Info, input: RefundPurchaseInput) -> RefundPurchasePayload:
        ctx = info.context
        purchase = await store_actions.refund_purchase(
            ctx.db,
            await adapters_for_project(ctx.db, ctx.settings, ctx.stores, ctx.project_id),
            project_id=ctx.project_id,
            purchase_id=_purchase_id(input.purchase_id),
            **acting(info, input.reason),
        )
        customer = await CustomerByIdLoader(ctx).load(purchase.customer_id)
        return RefundPurchasePayload(purchase=PurchaseType(row=purchase), customer=CustomerType(row=customer))

    @mutation(roles=SUPPORT_ACTIONS)
    async def cancel_subscription(
        self, info: Info, input: CancelSubscriptionInput
    ) -> CancelSubscriptionPayload:
        ctx = info.context
        purchase = await store_actions.cancel_subscription(
            ctx.db,
            await adapters_for_project(ctx.db, ctx.settings, ctx.stores, ctx.project_id),
            project_id=ctx.project_id,
            purchase_id=_purchase_id(input.purchase_id),
            **acting(info, input.reason),
        )
        customer = await CustomerByIdLoader(ctx).load(purchase.customer_id)
        return CancelSubscriptionPayload(
            purchase=PurchaseType(row=purchase), customer=CustomerType(row=customer)
        )
