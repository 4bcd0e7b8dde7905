"""SQLModel tables. Every row carries its project so every lookup is scoped by project
(and the data can later be sharded by project)."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from asgi_correlation_id import correlation_id
from sqlmodel import Field, SQLModel

from app.db.types import DecimalText, UTCDateTime, utcnow

# Enum values are stored as plain strings: no native PostgreSQL enum to migrate when a
# store or event type is added.
ENUM = sa.String(40)


def _ts(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _fk(target: str, ondelete: str = "CASCADE", nullable: bool = False, index: bool = True) -> Any:
    return Field(
        default=None,
        sa_column_args=[sa.ForeignKey(target, ondelete=ondelete)],
        sa_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        nullable=nullable,
        index=index,
    )


class Base(SQLModel):
    id: int | None = Field(
        default=None,
        primary_key=True,
        sa_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
    )


class Project(Base, table=True):
    __tablename__ = "project"
    name: str = Field(sa_type=sa.String(200))
    restore_behavior: str = Field(default="TRANSFER", sa_type=ENUM)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiKey(Base, table=True):
    __tablename__ = "api_key"
    project_id: int = _fk("project.id")
    name: str = Field(sa_type=sa.String(200))
    role: str = Field(sa_type=ENUM)
    prefix: str = Field(sa_type=sa.String(16))
    # SHA-256 of the key: keys are long random strings, so a fast hash is enough.
    key_hash: str = Field(sa_type=sa.String(64), unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = _ts()
    revoked_at: datetime | None = _ts()


class Entitlement(Base, table=True):
    __tablename__ = "entitlement"
    __table_args__ = (sa.UniqueConstraint("project_id", "identifier"),)
    project_id: int = _fk("project.id", index=False)
    identifier: str = Field(sa_type=sa.String(200))
    display_name: str = Field(sa_type=sa.String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Product(Base, table=True):
    __tablename__ = "product"
    __table_args__ = (sa.UniqueConstraint("project_id", "store", "identifier"),)
    project_id: int = _fk("project.id", index=False)
    identifier: str = Field(sa_type=sa.String(200))
    store: str = Field(sa_type=ENUM)
    type: str = Field(sa_type=ENUM)
    price_amount: Decimal | None = Field(default=None, sa_type=DecimalText)
    price_currency: str | None = Field(default=None, sa_type=sa.String(3))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProductEntitlement(SQLModel, table=True):
    __tablename__ = "product_entitlement"
    product_id: int = Field(
        sa_column_args=[sa.ForeignKey("product.id", ondelete="CASCADE")],
        primary_key=True,
        sa_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
    )
    entitlement_id: int = Field(
        sa_column_args=[sa.ForeignKey("entitlement.id", ondelete="CASCADE")],
        primary_key=True,
        sa_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        index=True,
    )


class Offering(Base, table=True):
    __tablename__ = "offering"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "identifier"),
        # At most one current offering per project.
        sa.Index(
            "uq_offering_current",
            "project_id",
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        ),
    )
    project_id: int = _fk("project.id", index=False)
    identifier: str = Field(sa_type=sa.String(200))
    description: str = Field(default="", sa_type=sa.String(1000))
    is_current: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Package(Base, table=True):
    __tablename__ = "package"
    __table_args__ = (sa.UniqueConstraint("offering_id", "identifier"),)
    offering_id: int = _fk("offering.id", index=False)
    product_id: int = _fk("product.id")
    identifier: str = Field(sa_type=sa.String(200))
    position: int = Field(default=0)


class Customer(Base, table=True):
    __tablename__ = "customer"
    __table_args__ = (
        # The customer list: most recently seen first, keyset on (last_seen_at, id).
        sa.Index("ix_customer_project_last_seen", "project_id", "last_seen_at", "id"),
        sa.Index("ix_customer_project_country", "project_id", "country"),
    )
    project_id: int = _fk("project.id", index=False)
    first_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_opened_at: datetime | None = _ts()
    # last_opened_at, else first_seen_at: a non-null sort key for the list.
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    country: str | None = Field(default=None, sa_type=sa.String(2))
    offering_override_id: int | None = _fk("offering.id", ondelete="SET NULL", nullable=True)


class AppUserId(Base, table=True):
    """One App User ID of a customer: the original one or an alias."""

    __tablename__ = "app_user_id"
    __table_args__ = (sa.UniqueConstraint("project_id", "app_user_id"),)
    project_id: int = _fk("project.id", index=False)
    customer_id: int = _fk("customer.id")
    app_user_id: str = Field(sa_type=sa.String(100))
    is_anonymous: bool = Field(default=False)
    is_original: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime | None = _ts()


class Note(Base, table=True):
    __tablename__ = "note"
    project_id: int = _fk("project.id", index=False)
    customer_id: int = _fk("customer.id")
    body: str = Field(sa_type=sa.Text)
    author: str = Field(sa_type=sa.String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Attribute(Base, table=True):
    __tablename__ = "attribute"
    __table_args__ = (
        sa.UniqueConstraint("customer_id", "key"),
        # Search by `$email` (exact) and filter by any attribute value.
        sa.Index("ix_attribute_project_key_value", "project_id", "key", "value"),
    )
    project_id: int = _fk("project.id", index=False)
    customer_id: int = _fk("customer.id", index=False)
    key: str = Field(sa_type=sa.String(64))
    value: str = Field(sa_type=sa.String(500))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


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
    store: str = Field(sa_type=ENUM)
    environment: str = Field(sa_type=ENUM)
    product_id: str = Field(sa_type=sa.String(255))
    original_transaction_id: str = Field(sa_type=sa.String(255))
    type: str = Field(sa_type=ENUM)
    is_granted: bool = Field(default=False)
    # For grants: the entitlement granted (grants map to no product).
    granted_entitlement: str | None = Field(default=None, sa_type=sa.String(200))
    original_purchased_at: datetime = Field(sa_type=UTCDateTime)
    purchased_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = _ts()
    # expires_at, or the grace period end when later: when access really ends.
    access_expires_at: datetime | None = _ts()
    period_type: str = Field(default="NORMAL", sa_type=ENUM)
    will_renew: bool = Field(default=True)
    cancel_reason: str | None = Field(default=None, sa_type=ENUM)
    unsubscribe_detected_at: datetime | None = _ts()
    billing_issue_detected_at: datetime | None = _ts()
    grace_period_expires_at: datetime | None = _ts()
    refunded_at: datetime | None = _ts()
    renewal_product_id: str | None = Field(default=None, sa_type=sa.String(255))
    # Set once the scheduler has written EXPIRED for the current expiry.
    expired_event_at: datetime | None = _ts()
    # What the store needs to refund or cancel it (posted with the receipt).
    store_package_name: str | None = Field(default=None, sa_type=sa.String(255))
    store_purchase_token: str | None = Field(default=None, sa_type=sa.String(1000))
    store_subscription_id: str | None = Field(default=None, sa_type=sa.String(255))
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
    environment: str = Field(sa_type=ENUM)
    purchased_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = _ts()
    period_type: str = Field(default="NORMAL", sa_type=ENUM)
    price: Decimal | None = Field(default=None, sa_type=DecimalText)
    currency: str | None = Field(default=None, sa_type=sa.String(3))
    price_usd: Decimal | None = Field(default=None, sa_type=DecimalText)
    price_is_estimated: bool = Field(default=False)
    store_price: Decimal | None = Field(default=None, sa_type=DecimalText)
    store_currency: str | None = Field(default=None, sa_type=sa.String(3))
    will_renew: bool = Field(default=True)
    cancel_reason: str | None = Field(default=None, sa_type=ENUM)
    renewal_product_id: str | None = Field(default=None, sa_type=sa.String(255))
    billing_issue_detected_at: datetime | None = _ts()
    grace_period_expires_at: datetime | None = _ts()
    refunded_at: datetime | None = _ts()
    country_code: str | None = Field(default=None, sa_type=sa.String(2))
    # The store's payment id of this period (Web Billing: a Stripe payment intent).
    store_payment_id: str | None = Field(default=None, sa_type=sa.String(255))


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
    type: str = Field(sa_type=ENUM)
    webhook_type: str = Field(sa_type=ENUM)
    description: str = Field(sa_type=sa.String(300))
    purchased_at: datetime = Field(sa_type=UTCDateTime)
    event_timestamp: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    environment: str = Field(default="PRODUCTION", sa_type=ENUM)
    store: str | None = Field(default=None, sa_type=ENUM)
    product_id: str | None = Field(default=None, sa_type=sa.String(255))
    new_product_id: str | None = Field(default=None, sa_type=sa.String(255))
    entitlement_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    period_type: str | None = Field(default=None, sa_type=ENUM)
    transaction_id: str | None = Field(default=None, sa_type=sa.String(255))
    original_transaction_id: str | None = Field(default=None, sa_type=sa.String(255))
    cancel_reason: str | None = Field(default=None, sa_type=ENUM)
    expiration_reason: str | None = Field(default=None, sa_type=ENUM)
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
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class VirtualCurrencyBalance(Base, table=True):
    __tablename__ = "virtual_currency_balance"
    __table_args__ = (sa.UniqueConstraint("customer_id", "code"),)
    project_id: int = _fk("project.id", index=False)
    customer_id: int = _fk("customer.id", index=False)
    code: str = Field(sa_type=sa.String(20))
    balance: int = Field(default=0, sa_type=sa.BigInteger)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditRecord(Base, table=True):
    """Who did what and why. A customer's records go with the customer; the record of a
    deletion keeps only the time, the key's name and how many IDs were removed."""

    __tablename__ = "audit_record"
    __table_args__ = (sa.Index("ix_audit_record_project_at", "project_id", "at"),)
    project_id: int = _fk("project.id", index=False)
    customer_id: int | None = _fk("customer.id", nullable=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(sa_type=sa.String(200))
    action: str = Field(sa_type=sa.String(60))
    reason: str | None = Field(default=None, sa_type=sa.String(1000))
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class WebhookEndpoint(Base, table=True):
    __tablename__ = "webhook_endpoint"
    project_id: int = _fk("project.id")
    url: str = Field(sa_type=sa.String(2000))
    # Sent verbatim as the Authorization header; shown back only as "has one".
    authorization_header: str | None = Field(default=None, sa_type=sa.String(5000))
    # The HMAC key of X-Signature: it must be readable to sign, so it is not hashed.
    signing_secret: str = Field(sa_type=sa.String(100))
    environment: str | None = Field(default=None, sa_type=ENUM)
    event_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(Base, table=True):
    """The outbox: one row per event and matching endpoint, written in the event's
    transaction, so nothing is lost if the process dies before sending."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "endpoint_id"),
        # The dispatcher's scan: due rows, oldest first.
        sa.Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        # In-order delivery: the oldest open delivery per endpoint and customer.
        sa.Index("ix_webhook_delivery_order", "endpoint_id", "customer_id", "status", "id"),
    )
    project_id: int = _fk("project.id", index=False)
    event_id: int = _fk("customer_event.id")
    endpoint_id: int = _fk("webhook_endpoint.id", index=False)
    customer_id: int = _fk("customer.id")
    status: str = Field(default="PENDING", sa_type=ENUM)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = _ts()
    last_response_status: int | None = Field(default=None)
    # A worker's lease on the row while it sends; a worker that dies lets it lapse.
    locked_until: datetime | None = _ts()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The id of the HTTP request whose change queued this delivery (X-Request-ID), so the
    # delivery's log lines can be found with the request's; none for the scheduler's.
    request_id: str | None = Field(default_factory=correlation_id.get, sa_type=sa.String(64))


class StoreAction(Base, table=True):
    """A refund or cancellation asked of a store: the durable record that makes
    "call the store, then record" safe. At most one is in flight per purchase and kind,
    so two simultaneous refunds make one store call; a confirmed action whose recording
    failed is finished later from this row, so a refund the store made is never lost."""

    __tablename__ = "store_action"
    __table_args__ = (
        sa.Index(
            "uq_store_action_in_flight",
            "purchase_id",
            "kind",
            unique=True,
            sqlite_where=sa.text("status IN ('PENDING', 'CONFIRMED')"),
            postgresql_where=sa.text("status IN ('PENDING', 'CONFIRMED')"),
        ),
        sa.Index("ix_store_action_status", "status", "updated_at"),
    )
    project_id: int = _fk("project.id", index=False)
    purchase_id: int = _fk("purchase.id", index=False)
    kind: str = Field(sa_type=sa.String(20))  # REFUND | CANCEL
    status: str = Field(default="PENDING", sa_type=sa.String(20))  # PENDING CONFIRMED RECORDED FAILED
    idempotency_key: str = Field(sa_type=sa.String(64), unique=True)
    actor: str = Field(sa_type=sa.String(200))
    reason: str | None = Field(default=None, sa_type=sa.String(1000))
    store_answer: str | None = Field(default=None, sa_type=sa.String(1000))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
