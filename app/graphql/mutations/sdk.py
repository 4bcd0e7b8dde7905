"""What an app (SDK) reports: receipts, logins and app opens."""

from datetime import datetime
from decimal import Decimal

import strawberry

from app.domain.receipts import TransactionState
from app.graphql.context import Info
from app.graphql.errors import UserError
from app.graphql.mutations.shell import mutation
from app.graphql.permissions import APP_REPORTS
from app.graphql.plain_inputs import plain_input
from app.graphql.types.common import CancelReason, Environment, PeriodType, Store
from app.graphql.types.customer import CustomerType
from app.graphql.types.event import CustomerEventNode
from app.services.identity import identify_customer, record_app_open
from app.services.rates import rate_table
from app.services.receipts import (
    PostedReceipt,
    StoreRefs,
    record_receipt,
    require_raw_receipts_allowed,
    trusted_store_refs,
)
from app.services.store_purchases import StorePurchaseRequest, record_store_purchase
from app.services.turns import in_turns


@plain_input
@strawberry.input
class StoreTransactionInput:
    transaction_id: str
    original_transaction_id: str | None = strawberry.field(
        default=None, description="Shared by every renewal of one subscription; defaults to transactionId."
    )
    product_id: str
    purchased_at: datetime
    expires_at: datetime | None = strawberry.field(
        default=None, description="Absent for a one-time purchase."
    )
    period_type: PeriodType | None = PeriodType.NORMAL
    price: Decimal | None = None
    currency: str | None = strawberry.field(default=None, description="ISO 4217; required with price.")
    will_renew: bool | None = True
    cancel_reason: CancelReason | None = strawberry.field(
        default=None, description="Why the subscription will not renew, when willRenew is false."
    )
    renewal_product_id: str | None = strawberry.field(
        default=None,
        description="The product the subscription renews into, when it differs (a product change).",
    )
    billing_issue_detected_at: datetime | None = None
    grace_period_expires_at: datetime | None = None
    refunded_at: datetime | None = None
    country_code: str | None = None
    is_family_share: bool | None = strawberry.field(
        default=False,
        description="Apple Family Sharing: access shared by a family member; counts 0 in totalSpent.",
    )
    offer_code: str | None = strawberry.field(
        default=None, description="The offer code or promotion code redeemed for this period."
    )
    presented_offering_identifier: str | None = strawberry.field(
        default=None, description="The offering the app showed when the purchase was made."
    )
    paused_at: datetime | None = strawberry.field(
        default=None, description="Google Play: the subscription is paused from this time ..."
    )
    auto_resume_at: datetime | None = strawberry.field(
        default=None, description="... and resumes at this time."
    )
    purchase_token: str | None = strawberry.field(
        default=None, description="Google Play: the purchase token (needed to refund or cancel at Google)."
    )
    package_name: str | None = strawberry.field(
        default=None, description="Google Play: the app's package name."
    )
    stripe_subscription_id: str | None = strawberry.field(
        default=None, description="Web Billing: the Stripe subscription id (needed to cancel)."
    )
    stripe_payment_id: str | None = strawberry.field(
        default=None, description="Web Billing: the Stripe payment intent of this period (needed to refund)."
    )

    def store_refs(self) -> StoreRefs | None:
        values = (self.package_name, self.purchase_token, self.stripe_subscription_id, self.stripe_payment_id)
        if not any(values):
            return None
        return StoreRefs(*values)

    def to_state(self) -> TransactionState:
        return TransactionState(
            transaction_id=self.transaction_id,
            original_transaction_id=self.original_transaction_id or self.transaction_id,
            product_id=self.product_id,
            purchased_at=self.purchased_at,
            expires_at=self.expires_at,
            period_type=self.period_type or PeriodType.NORMAL,
            price=self.price,
            currency=self.currency,
            will_renew=True if self.will_renew is None else self.will_renew,
            cancel_reason=self.cancel_reason,
            renewal_product_id=self.renewal_product_id,
            billing_issue_detected_at=self.billing_issue_detected_at,
            grace_period_expires_at=self.grace_period_expires_at,
            refunded_at=self.refunded_at,
            country_code=self.country_code,
            is_family_share=bool(self.is_family_share),
            offer_code=self.offer_code,
            presented_offering_id=self.presented_offering_identifier,
            paused_at=self.paused_at,
            auto_resume_at=self.auto_resume_at,
        )


@strawberry.input
class RecordReceiptInput:
    app_user_id: str
    store: Store
    environment: Environment | None = Environment.PRODUCTION
    transactions: list[StoreTransactionInput]


@strawberry.type
class RecordReceiptPayload:
    customer: CustomerType | None = None
    events: list[CustomerEventNode] = strawberry.field(
        default_factory=list, description="Events this receipt generated, oldest first."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RecordStorePurchaseInput:
    app_user_id: str
    store: Store
    signed_transaction: str | None = strawberry.field(
        default=None,
        description="App Store: a StoreKit 2 signed transaction (JWS), Transaction.jwsRepresentation.",
    )
    purchase_token: str | None = strawberry.field(default=None, description="Play Store: the purchase token.")
    product_id: str | None = strawberry.field(
        default=None, description="Play Store: the product id the token belongs to."
    )
    package_name: str | None = strawberry.field(
        default=None,
        description="Play Store: the app's package name; needed when the project has more than one Play Store app.",
    )
    stripe_id: str | None = strawberry.field(
        default=None,
        description="Web Billing: the Stripe subscription id (sub_...) or one-time payment intent id (pi_...).",
    )
    presented_offering_identifier: str | None = strawberry.field(
        default=None,
        description="The offering the app showed, carried into webhooks as presented_offering_id.",
    )


@strawberry.input
class IdentifyCustomerInput:
    app_user_id: str = strawberry.field(
        description="The App User ID in use now, often anonymous ($RCAnonymousID:...)."
    )
    new_app_user_id: str


@strawberry.type
class IdentifyCustomerPayload:
    customer: CustomerType | None = None
    created: bool = strawberry.field(
        default=False, description="True when the two ids now belong to one customer through a new alias."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RecordAppOpenInput:
    app_user_id: str
    ip_address: str | None = strawberry.field(
        default=None,
        description="Used once to find the country, then dropped. Defaults to the request's client address.",
    )


@strawberry.type
class RecordAppOpenPayload:
    customer: CustomerType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SdkMutations:
    @mutation(
        roles=APP_REPORTS,
        description="Reports a purchase by what the store signed or can confirm (a StoreKit 2 signed transaction, "
        "a Play purchase token, a Web Billing subscription). The service verifies it with the store, reads the "
        "store's whole state of that purchase, and records it like recordReceipt. What an app calls after a "
        "purchase or a restore. Idempotent.",
    )
    async def record_store_purchase(
        self, info: Info, input: RecordStorePurchaseInput
    ) -> RecordReceiptPayload:
        ctx = info.context
        request = StorePurchaseRequest(
            app_user_id=input.app_user_id,
            store=input.store,
            signed_transaction=input.signed_transaction,
            purchase_token=input.purchase_token,
            product_id=input.product_id,
            package_name=input.package_name,
            stripe_id=input.stripe_id,
            presented_offering_id=input.presented_offering_identifier,
        )
        result = await record_store_purchase(
            ctx.db,
            ctx.settings,
            ctx.stores.app_store_api,
            ctx.project_id,
            request,
            rate_table(ctx.settings),
            ctx.now,
        )
        return RecordReceiptPayload(
            customer=CustomerType(row=result.customer),
            events=[CustomerEventNode(row=row) for row in result.events],
        )

    @mutation(
        roles=APP_REPORTS,
        description="Posts the full current state of a store receipt, unverified; the differences from the "
        "stored one become history events. Idempotent. For ADMIN keys (imports), and SDK keys only where "
        "receiptTrust is TRUST_SDK.",
    )
    async def record_receipt(self, info: Info, input: RecordReceiptInput) -> RecordReceiptPayload:
        ctx = info.context
        await require_raw_receipts_allowed(ctx.db, ctx.project_id, ctx.principal.role)
        receipt = PostedReceipt(
            app_user_id=input.app_user_id,
            store=input.store,
            environment=input.environment or Environment.PRODUCTION,
            transactions=[t.to_state() async for t in in_turns(input.transactions)],
            store_refs=trusted_store_refs(
                ctx.principal.role,
                {t.transaction_id: refs for t in input.transactions if (refs := t.store_refs())},
            ),
        )
        result = await record_receipt(ctx.db, ctx.project_id, receipt, rate_table(ctx.settings), ctx.now)
        return RecordReceiptPayload(
            customer=CustomerType(row=result.customer),
            events=[CustomerEventNode(row=row) for row in result.events],
        )

    @mutation(
        roles=APP_REPORTS,
        description="logIn: connects the current App User ID with a new one, aliasing them per the identify rules.",
    )
    async def identify_customer(self, info: Info, input: IdentifyCustomerInput) -> IdentifyCustomerPayload:
        ctx = info.context
        result = await identify_customer(
            ctx.db, ctx.project_id, input.app_user_id, input.new_app_user_id, ctx.now
        )
        return IdentifyCustomerPayload(customer=CustomerType(row=result.customer), created=result.created)

    @mutation(
        roles=APP_REPORTS,
        description="The app was opened: updates last opened and, from the IP address, the country. The address is dropped.",
    )
    async def record_app_open(self, info: Info, input: RecordAppOpenInput) -> RecordAppOpenPayload:
        ctx = info.context
        client = getattr(ctx.request, "client", None)
        address = input.ip_address or (client.host if client else None)
        customer = await record_app_open(ctx.db, ctx.project_id, input.app_user_id, address, ctx.now)
        return RecordAppOpenPayload(customer=CustomerType(row=customer))
