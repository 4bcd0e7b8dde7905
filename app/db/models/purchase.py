"""Purchases, their store transactions (periods), and the timeline events."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from app.db.models.base import Base, _fk, _ts
from app.db.types import DecimalText, EnumText, UTCDateTime, empty_dict, empty_list, utcnow
from app.domain.enums import (
    CancelReason,
    CustomerEventType,
    Environment,
    ExpirationReason,
    PeriodType,
    ProductType,
    Store,
    WebhookEventType,
)


class Purchase(Base, table=True):
    """A subscription (all its periods) or a one-time purchase, or a granted entitlement.

    The columns after `type` are the current state, taken from the latest transaction,
    so lists and filters need not read every transaction.
    """

    __tablename__ = "purchase"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "store", "original_transaction_id"),
        sa.Index("ix_purchase_project_access", "project_id", "access_expires_at"),
    )
    project_id: int = _fk("project.id", index=False)
    customer_id: int = _fk("customer.id")
    store: Store = Field(sa_type=EnumText(Store))
    environment: Environment = Field(sa_type=EnumText(Environment))
    product_id: str = Field(sa_type=sa.String(255))
    original_transaction_id: str = Field(sa_type=sa.String(255))
    type: ProductType = Field(sa_type=EnumText(ProductType))
    is_granted: bool = Field(default=False)
    # For grants: the entitlement granted (grants map to no product).
    granted_entitlement: str | None = Field(default=None, sa_type=sa.String(200))
    original_purchased_at: datetime = Field(sa_type=UTCDateTime)
    purchased_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = _ts()
    # expires_at, or the grace period end when later: when access really ends.
    access_expires_at: datetime | None = _ts()
    period_type: PeriodType = Field(default=PeriodType.NORMAL, sa_type=EnumText(PeriodType))
    will_renew: bool = Field(default=True)
    cancel_reason: CancelReason | None = Field(default=None, sa_type=EnumText(CancelReason))
    unsubscribe_detected_at: datetime | None = _ts()
    billing_issue_detected_at: datetime | None = _ts()
    grace_period_expires_at: datetime | None = _ts()
    refunded_at: datetime | None = _ts()
    renewal_product_id: str | None = Field(default=None, sa_type=sa.String(255))
    paused_at: datetime | None = _ts()
    auto_resume_at: datetime | None = _ts()
    # Set once the scheduler has written EXPIRED for the current expiry.
    expired_event_at: datetime | None = _ts()
    # What the store needs to refund or cancel it (posted with the receipt).
    store_package_name: str | None = Field(default=None, sa_type=sa.String(255))
    store_purchase_token: str | None = Field(default=None, sa_type=sa.String(1000))
    store_subscription_id: str | None = Field(default=None, sa_type=sa.String(255))
    # signedDate of the newest store renewal state applied: older renewal state (a late
    # or repeated notification) must not flip the purchase back (DESIGN 4.10).
    store_state_signed_at: datetime | None = _ts()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StoreTransaction(Base, table=True):
    """One period of a subscription, or a one-time purchase, as the store reported it."""

    __tablename__ = "store_transaction"
    __table_args__ = (
        sa.UniqueConstraint("purchase_id", "transaction_id"),
        sa.Index("ix_store_transaction_project_txn", "project_id", "transaction_id"),
    )
    project_id: int = _fk("project.id", index=False)
    purchase_id: int = _fk("purchase.id", index=False)
    customer_id: int = _fk("customer.id")
    transaction_id: str = Field(sa_type=sa.String(255))
    product_id: str = Field(sa_type=sa.String(255))
    environment: Environment = Field(sa_type=EnumText(Environment))
    purchased_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = _ts()
    period_type: PeriodType = Field(default=PeriodType.NORMAL, sa_type=EnumText(PeriodType))
    price: Decimal | None = Field(default=None, sa_type=DecimalText)
    currency: str | None = Field(default=None, sa_type=sa.String(3))
    price_usd: Decimal | None = Field(default=None, sa_type=DecimalText)
    price_is_estimated: bool = Field(default=False)
    store_price: Decimal | None = Field(default=None, sa_type=DecimalText)
    store_currency: str | None = Field(default=None, sa_type=sa.String(3))
    will_renew: bool = Field(default=True)
    cancel_reason: CancelReason | None = Field(default=None, sa_type=EnumText(CancelReason))
    renewal_product_id: str | None = Field(default=None, sa_type=sa.String(255))
    billing_issue_detected_at: datetime | None = _ts()
    grace_period_expires_at: datetime | None = _ts()
    refunded_at: datetime | None = _ts()
    country_code: str | None = Field(default=None, sa_type=sa.String(2))
    # The store's payment id of this period (Web Billing: a Stripe payment intent).
    store_payment_id: str | None = Field(default=None, sa_type=sa.String(255))
    is_family_share: bool = Field(default=False)
    offer_code: str | None = Field(default=None, sa_type=sa.String(255))
    presented_offering_id: str | None = Field(default=None, sa_type=sa.String(255))
    paused_at: datetime | None = _ts()
    auto_resume_at: datetime | None = _ts()
    renewal_number: int = Field(default=1)
    # Refunded by this service at the store (DESIGN 4.7): a later post never undoes it.
    refund_made_here: bool = Field(default=False)
    # signedDate of the store's data this period was last taken from: older signed data
    # (a late notification) never overwrites it (DESIGN 4.10).
    store_signed_at: datetime | None = _ts()


class CustomerEvent(Base, table=True):
    """One line of the customer's timeline; also the source of its webhook."""

    __tablename__ = "customer_event"
    __table_args__ = (
        # The timeline: newest first, keyset on (purchased_at, id).
        sa.Index("ix_customer_event_timeline", "customer_id", "purchased_at", "id"),
    )
    project_id: int = _fk("project.id", index=False)
    customer_id: int = _fk("customer.id", index=False)
    purchase_id: int | None = _fk("purchase.id", ondelete="SET NULL", nullable=True)
    # The other customer of a transfer: its App User IDs are in this event, so deleting
    # that customer must scrub them from here too.
    related_customer_id: int | None = Field(
        default=None,
        sa_column_args=[
            sa.ForeignKey("customer.id", ondelete="SET NULL", name="fk_customer_event_related_customer_id")
        ],
        sa_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        nullable=True,
        index=True,
    )
    # The webhook event id: the same on every delivery attempt.
    event_uuid: str = Field(sa_type=sa.String(36), unique=True)
    type: CustomerEventType = Field(sa_type=EnumText(CustomerEventType))
    webhook_type: WebhookEventType = Field(sa_type=EnumText(WebhookEventType))
    description: str = Field(sa_type=sa.String(300))
    purchased_at: datetime = Field(sa_type=UTCDateTime)
    event_timestamp: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    environment: Environment = Field(default=Environment.PRODUCTION, sa_type=EnumText(Environment))
    store: Store | None = Field(default=None, sa_type=EnumText(Store))
    product_id: str | None = Field(default=None, sa_type=sa.String(255))
    new_product_id: str | None = Field(default=None, sa_type=sa.String(255))
    entitlement_ids: list[str] = Field(default_factory=empty_list, sa_type=sa.JSON)
    period_type: PeriodType | None = Field(default=None, sa_type=EnumText(PeriodType))
    transaction_id: str | None = Field(default=None, sa_type=sa.String(255))
    original_transaction_id: str | None = Field(default=None, sa_type=sa.String(255))
    cancel_reason: CancelReason | None = Field(default=None, sa_type=EnumText(CancelReason))
    expiration_reason: ExpirationReason | None = Field(default=None, sa_type=EnumText(ExpirationReason))
    price: Decimal | None = Field(default=None, sa_type=DecimalText)
    currency: str | None = Field(default=None, sa_type=sa.String(3))
    price_usd: Decimal | None = Field(default=None, sa_type=DecimalText)
    price_is_estimated: bool = Field(default=False)
    transferred_from: list[str] | None = Field(default=None, sa_type=sa.JSON)
    transferred_to: list[str] | None = Field(default=None, sa_type=sa.JSON)
    virtual_currency_code: str | None = Field(default=None, sa_type=sa.String(20))
    virtual_currency_amount: int | None = Field(default=None)
    actor: str | None = Field(default=None, sa_type=sa.String(200))
    reason: str | None = Field(default=None, sa_type=sa.String(1000))
    # What the webhook body needs beyond the columns above (app/db/mapping.py writes it,
    # app/webhooks/payloads.py reads it): new facts need no migration.
    facts: dict[str, Any] = Field(default_factory=empty_dict, sa_type=sa.JSON)
    payload: dict[str, Any] = Field(default_factory=empty_dict, sa_type=sa.JSON)
