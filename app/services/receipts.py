"""recordReceipt: the posted state of a store receipt becomes purchases and events.

One unit of work: validate, find or create the customer, settle who owns each
purchase (restore behaviour), diff each purchase against its stored state, store the
merged state and write one event per change, oldest first.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database, on_postgres
from app.db.models import (
    AppUserId,
    Customer,
    CustomerEvent,
    Entitlement,
    Product,
    ProductEntitlement,
    Project,
    Purchase,
    StoreTransaction,
)
from app.domain.enums import (
    CancelReason,
    CustomerEventType,
    Environment,
    PeriodType,
    ProductType,
    RestoreBehavior,
    Store,
    WebhookEventType,
)
from app.domain.errors import DomainError, DomainErrors, ErrorCode
from app.domain.identity import validate_app_user_id
from app.domain.prices import RateTable, resolve_price
from app.domain.purchase_status import is_active
from app.domain.receipts import (
    EventDraft,
    TransactionState,
    diff_purchase,
    effective_expiry,
    group_transactions,
    validate_transactions,
)
from app.services.customers import get_or_create_customer, lock_customers, merge_customers
from app.services.timeline import Timeline
from app.services.transfers import move_purchases
from app.services.unit_of_work import in_transaction
from app.webhooks.payloads import PayloadFields

MAX_TRANSACTIONS_PER_RECEIPT = 1000
REVENUE_EVENTS = {
    CustomerEventType.MADE_PURCHASE,
    CustomerEventType.STARTED_SUBSCRIPTION,
    CustomerEventType.STARTED_TRIAL,
    CustomerEventType.CONVERTED_FROM_TRIAL,
    CustomerEventType.RENEWED,
    CustomerEventType.REFUNDED,
}


@dataclass(frozen=True, slots=True)
class StoreRefs:
    """The store's own ids of a transaction, needed to refund or cancel it there."""

    package_name: str | None = None  # Google Play
    purchase_token: str | None = None  # Google Play
    subscription_id: str | None = None  # Web Billing (Stripe)
    payment_id: str | None = None  # Web Billing (Stripe payment intent)


@dataclass(frozen=True, slots=True)
class PostedReceipt:
    app_user_id: str
    store: Store
    environment: Environment
    transactions: list[TransactionState]
    store_refs: dict[str, StoreRefs] = field(default_factory=dict)  # by transaction id


@dataclass(frozen=True, slots=True)
class ReceiptResult:
    customer: Customer
    events: list[CustomerEvent]


def stored_state(row: StoreTransaction, original_transaction_id: str) -> TransactionState:
    return TransactionState(
        transaction_id=row.transaction_id,
        original_transaction_id=original_transaction_id,
        product_id=row.product_id,
        purchased_at=row.purchased_at,
        expires_at=row.expires_at,
        period_type=PeriodType(row.period_type),
        price=row.store_price,
        currency=row.store_currency,
        will_renew=row.will_renew,
        cancel_reason=CancelReason(row.cancel_reason) if row.cancel_reason else None,
        renewal_product_id=row.renewal_product_id,
        billing_issue_detected_at=row.billing_issue_detected_at,
        grace_period_expires_at=row.grace_period_expires_at,
        refunded_at=row.refunded_at,
        country_code=row.country_code,
    )


def validate_receipt(receipt: PostedReceipt, now: datetime) -> None:
    validate_app_user_id(receipt.app_user_id)
    if receipt.store is Store.PROMOTIONAL:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "PROMOTIONAL purchases are made by grantEntitlement, not posted.",
            ("input", "store"),
        )
    if len(receipt.transactions) > MAX_TRANSACTIONS_PER_RECEIPT:
        raise DomainError(
            ErrorCode.TOO_LARGE,
            f"A receipt holds at most {MAX_TRANSACTIONS_PER_RECEIPT} transactions.",
            ("input", "transactions"),
        )
    problems = validate_transactions(receipt.transactions, now)
    problems += _text_problems(receipt)
    if problems:
        raise DomainErrors(
            [
                DomainError(ErrorCode.INVALID_INPUT, message, ("input", "transactions", str(index), field))
                for index, field, message in problems
            ]
        )


def _text_problems(receipt: PostedReceipt) -> list[tuple[int, str, str]]:
    """Ids longer than the columns keep, and malformed country codes. (NUL and other
    unstorable strings are refused for every request by app/graphql/input_guard.py.)"""
    problems = []
    for index, txn in enumerate(receipt.transactions):
        refs = receipt.store_refs.get(txn.transaction_id) or StoreRefs()
        limits = {
            "originalTransactionId": (txn.original_transaction_id, 255),
            "renewalProductId": (txn.renewal_product_id, 255),
            "packageName": (refs.package_name, 255),
            "purchaseToken": (refs.purchase_token, 1000),
            "stripeSubscriptionId": (refs.subscription_id, 255),
            "stripePaymentId": (refs.payment_id, 255),
        }
        problems += [
            (index, name, f"At most {limit} characters.")
            for name, (value, limit) in limits.items()
            if value is not None and len(value) > limit
        ]
        if txn.country_code is not None and len(txn.country_code) != 2:
            problems.append((index, "countryCode", "An ISO 3166-1 alpha-2 code, e.g. DE."))
    return problems


async def record_receipt(
    db: Database, project_id: int, receipt: PostedReceipt, rates: RateTable, now: datetime
) -> ReceiptResult:
    moment = now
    validate_receipt(receipt, moment)

    async def work(session: AsyncSession) -> ReceiptResult:
        return await ReceiptIngestion(session, project_id, receipt, rates, moment).run()

    return await in_transaction(db, work)


class ReceiptIngestion:
    def __init__(
        self, session: AsyncSession, project_id: int, receipt: PostedReceipt, rates: RateTable, now: datetime
    ) -> None:
        self.session = session
        self.project_id = project_id
        self.receipt = receipt
        self.rates = rates
        self.now = now
        self.timeline = Timeline(session, project_id, now)
        self.products: dict[str, Product] = {}
        self.entitlements: dict[str, list[str]] = {}

    async def run(self) -> ReceiptResult:
        await self._load_products()
        customer, _ = await get_or_create_customer(
            self.session, self.project_id, self.receipt.app_user_id, self.now
        )
        groups = group_transactions(self.receipt.transactions)
        purchases = await self._stored_purchases(list(groups))
        customer = await self._settle_ownership(customer, purchases, groups)
        drafts: list[tuple[EventDraft, Purchase, StoreTransaction]] = []
        for original_transaction_id, posted in groups.items():
            drafts += await self._apply(
                customer, purchases.get(original_transaction_id), original_transaction_id, posted
            )
        # Oldest first across all the receipt's purchases (a stable sort keeps each
        # purchase's own order for events of one moment).
        for draft, purchase, txn in sorted(drafts, key=lambda item: item[0].purchased_at):
            await self._record(customer, purchase, draft, txn)
        return ReceiptResult(customer=customer, events=await self.timeline.flush())

    async def _load_products(self) -> None:
        identifiers = sorted({t.product_id for t in self.receipt.transactions})
        rows = (
            await self.session.exec(
                select(Product).where(
                    Product.project_id == self.project_id,
                    Product.store == self.receipt.store.value,
                    col(Product.identifier).in_(identifiers),
                )
            )
        ).all()
        self.products = {row.identifier: row for row in rows}
        missing = [
            DomainError(
                ErrorCode.PRODUCT_NOT_FOUND,
                f"No product {t.product_id!r} on {self.receipt.store.value} in this project.",
                ("input", "transactions", str(index), "productId"),
            )
            for index, t in enumerate(self.receipt.transactions)
            if t.product_id not in self.products
        ]
        if missing:
            raise DomainErrors(missing)
        mapping = (
            await self.session.exec(
                select(ProductEntitlement.product_id, Entitlement.identifier)
                .join(Entitlement, col(Entitlement.id) == col(ProductEntitlement.entitlement_id))
                .where(col(ProductEntitlement.product_id).in_([p.id for p in rows]))
                .order_by(col(Entitlement.identifier))
            )
        ).all()
        by_product_id = {row.id: row.identifier for row in rows}
        self.entitlements = {identifier: [] for identifier in identifiers}
        for product_id, entitlement in mapping:
            self.entitlements[by_product_id[product_id]].append(entitlement)

    async def _stored_purchases(self, original_ids: list[str]) -> dict[str, Purchase]:
        statement = select(Purchase).where(
            Purchase.project_id == self.project_id,
            Purchase.store == self.receipt.store.value,
            col(Purchase.original_transaction_id).in_(original_ids),
        )
        if on_postgres(self.session):
            # Concurrent posts of one receipt queue here, and the second sees the first's rows.
            statement = statement.with_for_update()
        rows = (await self.session.exec(statement)).all()
        return {row.original_transaction_id: row for row in rows}

    async def _settle_ownership(
        self, customer: Customer, purchases: dict[str, Purchase], groups: dict[str, list[TransactionState]]
    ) -> Customer:
        """Apply the project's restore behaviour to purchases owned by someone else (DESIGN 4.6)."""
        owned_elsewhere: dict[int, list[Purchase]] = {}
        for purchase in purchases.values():
            if purchase.customer_id != customer.id:
                owned_elsewhere.setdefault(purchase.customer_id, []).append(purchase)
        if not owned_elsewhere:
            return customer
        project = await self.session.get(Project, self.project_id)
        assert project is not None and customer.id is not None
        behavior = RestoreBehavior(project.restore_behavior)
        await lock_customers(self.session, [customer.id, *owned_elsewhere])
        for owner_id, owned in owned_elsewhere.items():
            owner = await self.session.get(Customer, owner_id)
            assert owner is not None
            if await self._is_anonymous_customer(owner_id):
                await merge_customers(self.session, owner, customer)
                self.timeline.forget(customer.id)
                await self.timeline.record(customer, CustomerEventType.CREATED_ALIAS, purchased_at=self.now)
                continue
            if behavior is RestoreBehavior.KEEP_WITH_ORIGINAL or (
                behavior is RestoreBehavior.TRANSFER_IF_NO_ACTIVE_SUBSCRIPTION
                and self._has_active_subscription(owned, groups)
            ):
                raise DomainError(
                    ErrorCode.RECEIPT_ALREADY_OWNED,
                    "This receipt belongs to another customer and the project's restore behaviour keeps it there.",
                    ("input", "transactions"),
                )
            await move_purchases(self.session, self.timeline, owner, customer, owned, actor=None, reason=None)
        return customer

    async def _is_anonymous_customer(self, customer_id: int) -> bool:
        flags = (
            await self.session.exec(
                select(AppUserId.is_anonymous).where(AppUserId.customer_id == customer_id)
            )
        ).all()
        return bool(flags) and all(flags)

    def _has_active_subscription(
        self, owned: Sequence[Purchase], groups: dict[str, list[TransactionState]]
    ) -> bool:
        for purchase in owned:
            posted = groups[purchase.original_transaction_id]
            latest = max(posted, key=lambda t: (t.purchased_at, t.transaction_id))
            if latest.expires_at is not None and is_active(latest, self.now):
                return True
        return False

    async def _apply(
        self,
        customer: Customer,
        purchase: Purchase | None,
        original_transaction_id: str,
        posted: list[TransactionState],
    ) -> list[tuple[EventDraft, Purchase, StoreTransaction]]:
        """Store one purchase's merged state; return its events to record."""
        stored_rows: list[StoreTransaction] = []
        if purchase is not None:
            stored_rows = list(
                (
                    await self.session.exec(
                        select(StoreTransaction).where(StoreTransaction.purchase_id == purchase.id)
                    )
                ).all()
            )
        stored = [stored_state(row, original_transaction_id) for row in stored_rows]
        diff = diff_purchase(stored, posted, self.now)
        if purchase is None:
            purchase = self._new_purchase(customer, original_transaction_id, diff.transactions)
            self.session.add(purchase)
            await self.session.flush()
        self._update_purchase(purchase, diff.transactions)
        self._update_store_refs(purchase, posted)
        rows_by_id = {row.transaction_id: row for row in stored_rows}
        for txn in diff.transactions:
            self._upsert_transaction(purchase, customer, txn, rows_by_id.get(txn.transaction_id))
        await self.session.flush()
        rows_by_id = {
            row.transaction_id: row
            for row in (
                await self.session.exec(
                    select(StoreTransaction).where(StoreTransaction.purchase_id == purchase.id)
                )
            ).all()
        }
        return [(draft, purchase, rows_by_id[draft.transaction_id]) for draft in diff.events]

    def _new_purchase(
        self, customer: Customer, original_transaction_id: str, txns: list[TransactionState]
    ) -> Purchase:
        first = txns[0]
        product = self.products[first.product_id]
        type_ = ProductType.SUBSCRIPTION if first.expires_at is not None else ProductType(product.type)
        if type_ is ProductType.SUBSCRIPTION and first.expires_at is None:
            type_ = ProductType.NON_RENEWING
        assert customer.id is not None
        return Purchase(
            project_id=self.project_id,
            customer_id=customer.id,
            store=self.receipt.store.value,
            environment=self.receipt.environment.value,
            product_id=first.product_id,
            original_transaction_id=original_transaction_id,
            type=type_.value,
            original_purchased_at=first.purchased_at,
            purchased_at=first.purchased_at,
        )

    def _update_purchase(self, purchase: Purchase, txns: list[TransactionState]) -> None:
        latest = txns[-1]
        previous_access = purchase.access_expires_at
        if purchase.will_renew and not latest.will_renew:
            purchase.unsubscribe_detected_at = self.now
        elif latest.will_renew:
            purchase.unsubscribe_detected_at = None
        purchase.product_id = latest.product_id
        purchase.original_purchased_at = txns[0].purchased_at
        purchase.purchased_at = latest.purchased_at
        purchase.expires_at = latest.expires_at
        purchase.access_expires_at = effective_expiry(latest)
        purchase.period_type = latest.period_type.value
        purchase.will_renew = latest.will_renew if latest.expires_at is not None else False
        purchase.cancel_reason = latest.cancel_reason.value if latest.cancel_reason else None
        purchase.billing_issue_detected_at = latest.billing_issue_detected_at
        purchase.grace_period_expires_at = latest.grace_period_expires_at
        purchase.refunded_at = latest.refunded_at
        purchase.renewal_product_id = latest.renewal_product_id
        purchase.updated_at = self.now
        if previous_access != purchase.access_expires_at:
            purchase.expired_event_at = None  # a new expiry earns its own EXPIRED event
        self.session.add(purchase)

    def _update_store_refs(self, purchase: Purchase, posted: list[TransactionState]) -> None:
        """The newest ids the app sent win (a Play token can change on an upgrade)."""
        for txn in sorted(posted, key=lambda t: (t.purchased_at, t.transaction_id)):
            refs = self.receipt.store_refs.get(txn.transaction_id)
            if refs is None:
                continue
            purchase.store_package_name = refs.package_name or purchase.store_package_name
            purchase.store_purchase_token = refs.purchase_token or purchase.store_purchase_token
            purchase.store_subscription_id = refs.subscription_id or purchase.store_subscription_id

    def _upsert_transaction(
        self, purchase: Purchase, customer: Customer, txn: TransactionState, row: StoreTransaction | None
    ) -> None:
        if row is None:
            product = self.products[txn.product_id]
            price = resolve_price(
                txn.price, txn.currency, product.price_amount, product.price_currency, txn.period_type
            )
            price_usd = (
                self.rates.to_usd(price.amount, price.currency, txn.purchased_at)
                if price.amount is not None and price.currency
                else None
            )
            assert purchase.id is not None and customer.id is not None
            row = StoreTransaction(
                project_id=self.project_id,
                purchase_id=purchase.id,
                customer_id=customer.id,
                transaction_id=txn.transaction_id,
                environment=purchase.environment,
                purchased_at=txn.purchased_at,
                product_id=txn.product_id,
                price=price.amount,
                currency=price.currency,
                price_usd=price_usd,
                price_is_estimated=price.is_estimated,
                store_price=txn.price,
                store_currency=txn.currency,
            )
        row.product_id = txn.product_id
        row.expires_at = txn.expires_at
        row.period_type = txn.period_type.value
        row.will_renew = txn.will_renew
        row.cancel_reason = txn.cancel_reason.value if txn.cancel_reason else None
        row.renewal_product_id = txn.renewal_product_id
        row.billing_issue_detected_at = txn.billing_issue_detected_at
        row.grace_period_expires_at = txn.grace_period_expires_at
        row.refunded_at = txn.refunded_at
        row.country_code = txn.country_code
        refs = self.receipt.store_refs.get(txn.transaction_id)
        if refs is not None and refs.payment_id:
            row.store_payment_id = refs.payment_id
        self.session.add(row)

    async def _record(
        self, customer: Customer, purchase: Purchase, draft: EventDraft, txn: StoreTransaction
    ) -> None:
        revenue = draft.type in REVENUE_EVENTS
        sign = -1 if draft.is_refund else 1
        # Non-revenue events carry price 0 in webhooks, as RevenueCat's do; the timeline
        # shows a price only where money moved.
        price = txn.price * sign if revenue and txn.price is not None else (None if revenue else Decimal(0))
        price_usd = (
            txn.price_usd * sign
            if revenue and txn.price_usd is not None
            else (None if revenue else Decimal(0))
        )
        fields = PayloadFields(
            event_id="",
            type=WebhookEventType.TEST,
            event_timestamp=self.now,
            project_id=self.project_id,
            store=self.receipt.store,
            environment=purchase.environment,
            product_id=draft.product_id,
            entitlement_ids=self.entitlements.get(draft.product_id, []),
            period_type=draft.period_type.value,
            purchased_at=draft.purchased_at,
            expires_at=draft.expires_at,
            transaction_id=draft.transaction_id,
            original_transaction_id=draft.original_transaction_id,
            price=price,
            price_usd=price_usd,
            currency=txn.currency or "USD",
            country_code=txn.country_code,
            is_trial_conversion=draft.is_trial_conversion,
            cancel_reason=draft.cancel_reason.value if draft.cancel_reason else None,
            grace_period_expires_at=draft.grace_period_expires_at,
            new_product_id=draft.new_product_id,
        )
        await self.timeline.record(
            customer,
            draft.type,
            purchased_at=draft.purchased_at,
            fields=fields,
            purchase_id=purchase.id,
            price_is_estimated=revenue and txn.price_is_estimated,
            show_price=revenue,
        )
