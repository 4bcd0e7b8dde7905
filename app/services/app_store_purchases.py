"""App Store purchases from what Apple signed: the app's StoreKit 2 transaction, a
server notification, or the transaction history the App Store Server API returns.

The store's state becomes `TransactionState`s and runs through the same unit of work as
recordReceipt (app/services/receipts.py). Signed data older than what a purchase
already holds never overwrites it: a late or repeated notification cannot flip a
refund, a renewal or an opt-out back (DESIGN 4.10).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import on_postgres
from app.db.mapping import transaction_state as stored_state
from app.db.models import AppUserId, Purchase, StoreTransaction
from app.domain.app_store import RenewalState, renewal_state, signed_at, transaction_state, with_renewal
from app.domain.enums import Environment, Store
from app.domain.periods import TransactionState, sort_transactions
from app.domain.prices import RateTable
from app.domain.receipt_validation import PostedReceipt
from app.services.receipts import ReceiptIngestion, ReceiptResult

Claims = dict[str, Any]


@dataclass(frozen=True, slots=True)
class AppStoreState:
    """What Apple signed about one purchase: its transactions and, maybe, renewal info."""

    environment: Environment
    transactions: Sequence[Claims]
    renewal: Claims | None = None
    presented_offering_id: str | None = None
    # The transaction the app reported, the one the offering it showed belongs to.
    reported_transaction_id: str | None = None

    @property
    def original_transaction_id(self) -> str:
        first = self.transactions[0]
        return original_id_of(first)


def original_id_of(claims: Claims) -> str:
    return str(claims.get("originalTransactionId") or claims["transactionId"])


async def stored_purchase(
    session: AsyncSession, project_id: int, original_transaction_id: str
) -> Purchase | None:
    statement = select(Purchase).where(
        Purchase.project_id == project_id,
        Purchase.store == Store.APP_STORE,
        Purchase.original_transaction_id == original_transaction_id,
    )
    if on_postgres(session):
        statement = statement.with_for_update()
    return (await session.exec(statement)).first()


async def owner_app_user_id(session: AsyncSession, customer_id: int) -> str:
    """The customer's original App User ID (any of its ids finds it; the original first)."""
    found = (
        await session.exec(
            select(AppUserId.app_user_id)
            .where(AppUserId.customer_id == customer_id)
            .order_by(col(AppUserId.is_original).desc(), col(AppUserId.id))
            .limit(1)
        )
    ).first()
    assert found is not None  # every customer has its original App User ID
    return found


def _newer_or_same(claims: Claims, stored: datetime | None) -> bool:
    return stored is None or signed_at(claims) >= stored


def _held_since(row: StoreTransaction) -> datetime | None:
    """How new the stored period is: the signedDate it came from, or, for a period no
    signed data wrote (an import), its refund: data signed before a refund cannot
    undo it."""
    return row.store_signed_at or row.refunded_at


async def ingest_app_store_state(
    session: AsyncSession,
    project_id: int,
    app_user_id: str,
    state: AppStoreState,
    rates: RateTable,
    now: datetime,
) -> ReceiptResult:
    """One purchase's signed state, merged into what is stored, in the caller's unit of work."""
    purchase = await stored_purchase(session, project_id, state.original_transaction_id)
    rows: dict[str, StoreTransaction] = {}
    if purchase is not None:
        rows = {
            row.transaction_id: row
            for row in (
                await session.exec(
                    select(StoreTransaction).where(StoreTransaction.purchase_id == purchase.id)
                )
            ).all()
        }
    posted: list[TransactionState] = []
    signed: dict[str, datetime] = {}
    for claims in state.transactions:
        if original_id_of(claims) != state.original_transaction_id:
            continue  # another purchase of the same Apple account
        txn = transaction_state(claims)
        row = rows.get(txn.transaction_id)
        if row is not None and not _newer_or_same(claims, _held_since(row)):
            txn = stored_state(row, txn.original_transaction_id)  # older than what we hold
        else:
            signed[txn.transaction_id] = signed_at(claims)
            if row is not None and row.presented_offering_id and not txn.presented_offering_id:
                txn = replace(txn, presented_offering_id=row.presented_offering_id)
        posted.append(txn)
    if state.presented_offering_id:
        posted = [
            replace(t, presented_offering_id=t.presented_offering_id or state.presented_offering_id)
            if t.transaction_id == state.reported_transaction_id
            else t
            for t in posted
        ]
    held = [stored_state(r, state.original_transaction_id) for r in rows.values()]
    latest = sort_transactions([*posted, *held])[-1]
    if latest.transaction_id not in {t.transaction_id for t in posted}:
        posted.append(latest)  # renewal state lives on the latest period: give it one
    renewal = _renewal(state, purchase, latest)
    receipt = PostedReceipt(
        app_user_id=app_user_id,
        store=Store.APP_STORE,
        environment=state.environment,
        transactions=with_renewal(posted, renewal),
    )
    result = await ReceiptIngestion(session, project_id, receipt, rates, now).run()
    await _remember_signed_dates(session, project_id, state, signed)
    return result


def _renewal(state: AppStoreState, purchase: Purchase | None, latest: TransactionState) -> RenewalState:
    """Fresh renewal info, unless it is older than the one applied; else what is held."""
    if state.renewal is not None and _newer_or_same(
        state.renewal, purchase.store_state_signed_at if purchase else None
    ):
        return renewal_state(state.renewal, latest)
    return RenewalState.of(latest) if purchase is not None else RenewalState()


async def _remember_signed_dates(
    session: AsyncSession, project_id: int, state: AppStoreState, signed: dict[str, datetime]
) -> None:
    purchase = await stored_purchase(session, project_id, state.original_transaction_id)
    assert purchase is not None
    if state.renewal is not None:
        renewal_signed = signed_at(state.renewal)
        if purchase.store_state_signed_at is None or renewal_signed > purchase.store_state_signed_at:
            purchase.store_state_signed_at = renewal_signed
            session.add(purchase)
    for row in (
        await session.exec(
            select(StoreTransaction).where(
                StoreTransaction.purchase_id == purchase.id,
                col(StoreTransaction.transaction_id).in_(list(signed)),
            )
        )
    ).all():
        row.store_signed_at = signed[row.transaction_id]
        session.add(row)
    await session.flush()
