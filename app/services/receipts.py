"""recordReceipt: the posted state of a store receipt becomes purchases and events.

One unit of work: validate, find or create the customer, settle who owns each
purchase (restore behaviour), diff each purchase against its stored state, store the
merged state and write one event per change, oldest first.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database, on_postgres
from app.db.mapping import period_money, transaction_state, write_purchase_state, write_transaction_state
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
from app.domain.enums import ApiKeyRole, Environment, ProductType, ReceiptTrust, Store
from app.domain.errors import DomainError, DomainErrors, ErrorCode
from app.domain.events import APP, AliasCreated, Period, PurchaseEvent, event_money
from app.domain.prices import RateTable, resolve_price, usd_price
from app.domain.purchase_status import is_active
from app.domain.receipt_validation import PostedReceipt as PostedReceipt
from app.domain.receipt_validation import StoreRefs as StoreRefs
from app.domain.receipt_validation import validate_receipt
from app.domain.receipts import (
    EventDraft,
    TransactionState,
    diff_purchase,
    effective_expiry,
    group_transactions,
    renewal_numbers,
)
from app.domain.restore import RestoreOutcome, restore_outcome
from app.domain.spending import price_paid
from app.services.customers import get_or_create_customer, lock_customers, merge_customers
from app.services.parked_notifications import release_parked
from app.services.timeline import Timeline
from app.services.transfers import move_purchases
from app.services.turns import in_turns
from app.services.unit_of_work import in_transaction


@dataclass(frozen=True, slots=True)
class ReceiptResult:
    customer: Customer
    events: list[CustomerEvent]


async def require_raw_receipts_allowed(db: Database, project_id: int, role: ApiKeyRole) -> None:
    """Raw transactions are the caller's word: ADMIN keys (imports) may always post them,
    the public SDK key only where the project trusts it (DESIGN 4.10)."""
    if role is ApiKeyRole.ADMIN:
        return
    async with db.read() as session:
        project = await session.get(Project, project_id)
    if project is None or project.receipt_trust is not ReceiptTrust.TRUST_SDK:
        raise DomainError(
            ErrorCode.VERIFICATION_REQUIRED,
            "This key may not post unverified transactions: use recordStorePurchase "
            "(the project's receiptTrust is STORE_VERIFIED_ONLY).",
            ("input", "transactions"),
        )


class StoreState(Protocol):
    """A purchase as the store holds it (read back from Google Play or Stripe)."""

    @property
    def environment(self) -> Environment: ...
    @property
    def transactions(self) -> list[TransactionState]: ...
    @property
    def store_refs(self) -> dict[str, StoreRefs]: ...


async def ingest_store_state(
    session: AsyncSession, project_id: int, app_user_id: str, store: Store, state: StoreState,
    rates: RateTable, now: datetime,
) -> ReceiptResult:  # fmt: skip
    """The store's whole state of one purchase, in the caller's unit of work: the same
    diff, events and webhooks as a posted receipt, with the store's own ids."""
    receipt = PostedReceipt(
        app_user_id=app_user_id,
        store=store,
        environment=state.environment,
        transactions=state.transactions,
        store_refs=state.store_refs,
    )
    return await ReceiptIngestion(session, project_id, receipt, rates, now).run()


def trusted_store_refs(role: ApiKeyRole, refs: dict[str, StoreRefs]) -> dict[str, StoreRefs]:
    """The store ids a raw receipt may set: an ADMIN's (imports) only. Refunds, cancels
    and deletions act on these ids at the store, so an id the public SDK key posted (a
    stranger's Stripe subscription, say) must never reach them (DESIGN 4.10)."""
    return refs if role is ApiKeyRole.ADMIN else {}


async def record_receipt(
    db: Database, project_id: int, receipt: PostedReceipt, rates: RateTable, now: datetime
) -> ReceiptResult:
    moment = now
    validate_receipt(receipt, moment)

    async def work(session: AsyncSession) -> ReceiptResult:
        result = await ReceiptIngestion(session, project_id, receipt, rates, moment).run()
        for original_transaction_id in {t.original_transaction_id for t in receipt.transactions}:
            await release_parked(session, project_id, receipt.store, original_transaction_id, moment)
        return result

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
        async for draft, purchase, txn in in_turns(sorted(drafts, key=lambda item: item[0].purchased_at)):
            await self._record(customer, purchase, draft, txn)
        return ReceiptResult(customer=customer, events=await self.timeline.flush())

    async def _load_products(self) -> None:
        identifiers = sorted({t.product_id for t in self.receipt.transactions})
        # The products and the entitlements each gives, in one statement.
        found = (
            await self.session.exec(
                select(Product, Entitlement.identifier)
                .outerjoin(ProductEntitlement, col(ProductEntitlement.product_id) == col(Product.id))
                .outerjoin(Entitlement, col(Entitlement.id) == col(ProductEntitlement.entitlement_id))
                .where(
                    Product.project_id == self.project_id,
                    Product.store == self.receipt.store,
                    col(Product.identifier).in_(identifiers),
                )
                .order_by(col(Entitlement.identifier))
            )
        ).all()
        self.products = {product.identifier: product for product, _ in found}
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
        self.entitlements = {identifier: [] for identifier in identifiers}
        for product, entitlement in found:
            if entitlement is not None:
                self.entitlements[product.identifier].append(entitlement)

    async def _stored_purchases(self, original_ids: list[str]) -> dict[str, Purchase]:
        statement = select(Purchase).where(
            Purchase.project_id == self.project_id,
            Purchase.store == self.receipt.store,
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
        behavior = project.restore_behavior
        await lock_customers(self.session, [customer.id, *owned_elsewhere])
        for owner_id, owned in owned_elsewhere.items():
            owner = await self.session.get(Customer, owner_id)
            assert owner is not None
            outcome = restore_outcome(
                behavior,
                owner_is_anonymous=await self._is_anonymous_customer(owner_id),
                owner_has_active_subscription=self._has_active_subscription(owned, groups),
            )
            if outcome is RestoreOutcome.MERGE:
                await merge_customers(self.session, owner, customer)
                self.timeline.forget(customer.id)
                await self.timeline.record(customer, AliasCreated())
                continue
            if outcome is RestoreOutcome.REFUSE:
                raise DomainError(
                    ErrorCode.RECEIPT_ALREADY_OWNED,
                    "This receipt belongs to another customer and the project's restore behaviour keeps it there.",
                    ("input", "transactions"),
                )
            await move_purchases(self.session, self.timeline, owner, customer, owned, APP)
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
        stored = [transaction_state(row, original_transaction_id) for row in stored_rows]
        refunds_made_here = frozenset(row.transaction_id for row in stored_rows if row.refund_made_here)
        diff = diff_purchase(stored, posted, self.now, refunds_made_here)
        if purchase is None:
            purchase = self._new_purchase(customer, original_transaction_id, diff.transactions)
            self.session.add(purchase)
            await self.session.flush()
        self._update_purchase(purchase, diff.transactions)
        self._update_store_refs(purchase, posted)
        rows_by_id = {row.transaction_id: row for row in stored_rows}
        numbers = renewal_numbers(diff.transactions)
        async for txn in in_turns(diff.transactions):
            row = self._upsert_transaction(purchase, customer, txn, rows_by_id.get(txn.transaction_id))
            row.renewal_number = numbers[txn.transaction_id]
            # The rows just written are the ones the events are about: no need to read
            # the purchase's periods back after the flush.
            rows_by_id[txn.transaction_id] = row
        await self.session.flush()
        return [(draft, purchase, rows_by_id[draft.transaction_id]) for draft in diff.events]

    def _new_purchase(
        self, customer: Customer, original_transaction_id: str, txns: list[TransactionState]
    ) -> Purchase:
        first = txns[0]
        product = self.products[first.product_id]
        type_ = ProductType.SUBSCRIPTION if first.expires_at is not None else product.type
        if type_ is ProductType.SUBSCRIPTION and first.expires_at is None:
            type_ = ProductType.NON_RENEWING
        assert customer.id is not None
        return Purchase(
            project_id=self.project_id,
            customer_id=customer.id,
            store=self.receipt.store,
            environment=self.receipt.environment,
            product_id=first.product_id,
            original_transaction_id=original_transaction_id,
            type=type_,
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
        write_purchase_state(purchase, latest)
        purchase.original_purchased_at = txns[0].purchased_at
        purchase.access_expires_at = effective_expiry(latest)
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
    ) -> StoreTransaction:
        if row is None:
            product = self.products[txn.product_id]
            price = price_paid(
                resolve_price(
                    txn.price, txn.currency, product.price_amount, product.price_currency, txn.period_type
                ),
                is_family_share=txn.is_family_share,
            )
            price_usd = usd_price(self.rates, price.amount, price.currency, txn.purchased_at).amount
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
        write_transaction_state(row, txn)
        refs = self.receipt.store_refs.get(txn.transaction_id)
        if refs is not None and refs.payment_id:
            row.store_payment_id = refs.payment_id
        self.session.add(row)
        return row

    async def _record(
        self, customer: Customer, purchase: Purchase, draft: EventDraft, txn: StoreTransaction
    ) -> None:
        period = Period(
            purchase_id=purchase.id,
            store=self.receipt.store,
            environment=purchase.environment,
            product_id=draft.product_id,
            entitlement_ids=tuple(self.entitlements.get(draft.product_id, [])),
            period_type=draft.period_type,
            purchased_at=draft.purchased_at,
            expires_at=draft.expires_at,
            transaction_id=draft.transaction_id,
            original_transaction_id=draft.original_transaction_id,
            country_code=txn.country_code,
            renewal_number=txn.renewal_number,
            is_family_share=txn.is_family_share,
            offer_code=txn.offer_code,
            presented_offering_id=txn.presented_offering_id,
        )
        event = PurchaseEvent(
            type=draft.type,
            period=period,
            money=event_money(draft.type, period_money(txn)),
            cancel_reason=draft.cancel_reason,
            new_product_id=draft.new_product_id,
            is_trial_conversion=draft.is_trial_conversion,
            grace_period_expires_at=draft.grace_period_expires_at,
            auto_resume_at=draft.auto_resume_at,
            sends_webhook=draft.sends_webhook,
        )
        await self.timeline.record(customer, event)
