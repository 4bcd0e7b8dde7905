"""Web Billing purchases read back from Stripe: what the app calls with a `sub_...` or
`pi_...` id, and what every Stripe webhook triggers. Stripe's answer is the whole state
of the purchase, so it simply replaces what the app or an older event said; the Stripe
ids refunds and cancellations act on come from it (DESIGN 4.10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database, on_postgres
from app.db.models import AppUserId, Purchase, StoreApp
from app.domain.enums import Environment, Store
from app.domain.errors import DomainError, ErrorCode
from app.domain.periods import TransactionState
from app.domain.prices import RateTable
from app.domain.receipt_validation import StoreRefs
from app.domain.web_billing import environment, payment_period, product_identifier, subscription_periods
from app.security.secret_box import SecretKeyMissing, SecretUnreadable
from app.services.parked_notifications import release_parked
from app.services.receipts import ReceiptResult, ingest_store_state
from app.services.store_apps import WebBillingApp, project_store_apps, web_billing_config
from app.services.unit_of_work import in_transaction
from app.settings import Settings
from app.stores.base import StoreError
from app.stores.web_billing_reader import NotAtStripe, WebBillingReader

FIELD = ("input", "stripeId")


@dataclass(frozen=True, slots=True)
class WebBillingState:
    """One purchase as Stripe holds it."""

    purchase_key: str  # the subscription id, or the payment intent id of a one-time purchase
    environment: Environment
    transactions: list[TransactionState]
    store_refs: dict[str, StoreRefs]
    # Who the app said it is for at checkout (`metadata.app_user_id`), if anyone.
    app_user_id: str | None


def reader_for(app: WebBillingApp, settings: Settings) -> WebBillingReader:
    if not app.api_key:
        raise DomainError(
            ErrorCode.STORE_NOT_CONFIGURED,
            "The Web Billing app has no Stripe key and the server has no STRIPE_API_KEY.",
        )
    return WebBillingReader(app.api_key, settings.stripe_api_base, settings.store_timeout_seconds)


async def read_state(reader: WebBillingReader, stripe_id: str) -> WebBillingState:
    """NotAtStripe when Stripe does not know the id; StoreError when it does not answer."""
    if stripe_id.startswith("sub_"):
        truth = await reader.subscription(stripe_id)
        product = product_identifier(truth.subscription)
        if product is None:
            raise NotAtStripe("the subscription has no price")
        periods, refs = subscription_periods(truth.subscription, truth.invoices, truth.charges, product)
        metadata = truth.subscription.get("metadata") or {}
        return WebBillingState(
            stripe_id, environment(truth.subscription), periods, refs, metadata.get("app_user_id")
        )
    if stripe_id.startswith("pi_"):
        payment = await reader.payment(stripe_id)
        metadata = payment.payment_intent.get("metadata") or {}
        product = metadata.get("product_id")
        period = payment_period(payment.payment_intent, product, payment.charges) if product else None
        if period is None:
            raise NotAtStripe("the payment intent is not a succeeded purchase with metadata.product_id")
        refs = {period.transaction_id: StoreRefs(payment_id=stripe_id)}
        return WebBillingState(
            stripe_id, environment(payment.payment_intent), [period], refs, metadata.get("app_user_id")
        )
    raise NotAtStripe("a Web Billing id starts with sub_ or pi_")


async def stored_web_purchase(session: AsyncSession, project_id: int, purchase_key: str) -> Purchase | None:
    statement = select(Purchase).where(
        Purchase.project_id == project_id,
        Purchase.store == Store.RC_BILLING,
        Purchase.original_transaction_id == purchase_key,
    )
    if on_postgres(session):
        statement = statement.with_for_update()
    return (await session.exec(statement)).first()


async def _is_same_customer(session: AsyncSession, project_id: int, first: str, second: str) -> bool:
    rows = (
        await session.exec(
            select(AppUserId.app_user_id, AppUserId.customer_id).where(
                AppUserId.project_id == project_id, col(AppUserId.app_user_id).in_([first, second])
            )
        )
    ).all()
    owners = {customer for _, customer in rows}
    return len(rows) == 2 and len(owners) == 1


async def record_web_billing_purchase(
    db: Database,
    settings: Settings,
    project_id: int,
    app_user_id: str,
    stripe_id: str,
    rates: RateTable,
    now: datetime,
) -> ReceiptResult:
    app_row = await _the_app(db, project_id)
    try:
        app = web_billing_config(app_row, settings)
    except (SecretKeyMissing, SecretUnreadable) as error:
        raise DomainError(
            ErrorCode.STORE_NOT_CONFIGURED,
            "The Web Billing app's secrets cannot be opened with this SECRET_KEY.",
        ) from error
    reader = reader_for(app, settings)
    try:
        state = await read_state(reader, stripe_id)
    except NotAtStripe as error:
        raise DomainError(
            ErrorCode.VERIFICATION_FAILED, f"Stripe does not confirm this purchase: {error}.", FIELD
        ) from error
    except StoreError as error:
        raise DomainError(ErrorCode.STORE_ERROR, error.describe(), FIELD) from error
    if not state.transactions:
        raise DomainError(
            ErrorCode.VERIFICATION_FAILED, "Stripe holds no paid period of this subscription.", FIELD
        )

    async def work(session: AsyncSession) -> ReceiptResult:
        # Checkout named the customer: a different App User ID must be one of theirs.
        named = state.app_user_id
        if (
            named
            and named != app_user_id
            and not await _is_same_customer(session, project_id, named, app_user_id)
        ):
            raise DomainError(
                ErrorCode.VERIFICATION_FAILED,
                "Stripe says this purchase belongs to another App User ID.",
                FIELD,
            )
        result = await ingest_store_state(
            session, project_id, app_user_id, Store.RC_BILLING, state, rates, now
        )
        await release_parked(session, project_id, Store.RC_BILLING, state.purchase_key, now)
        return result

    return await in_transaction(db, work)


async def _the_app(db: Database, project_id: int) -> StoreApp:
    async with db.read() as session:
        apps = await project_store_apps(session, project_id, Store.RC_BILLING)
    if not apps:
        raise DomainError(
            ErrorCode.STORE_NOT_CONFIGURED,
            "This project has no Web Billing app: configureWebBillingApp first.",
            ("input", "store"),
        )
    return apps[0]
