"""Customers: their App User IDs, notes, attributes, balances, and the audit trail."""

from datetime import datetime
from typing import Any
from uuid import uuid4

import sqlalchemy as sa
from sqlmodel import Field

from app.db.models.base import Base, _fk, _ts
from app.db.types import UTCDateTime, empty_dict, utcnow


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
    __table_args__ = (
        sa.UniqueConstraint("project_id", "app_user_id"),
        sa.Index("uq_app_user_id_account_token", "project_id", "app_account_token", unique=True),
        # Search by prefix on PostgreSQL (services/customer_search.py): a btree in code
        # point order, which a range of the pattern operators uses under any collation
        # (the unique index follows the database's collation, which LIKE cannot use).
        # On SQLite it repeats the unique index (GLOB uses either): one schema for both.
        sa.Index(
            "ix_app_user_id_prefix",
            "project_id",
            "app_user_id",
            postgresql_ops={"app_user_id": "text_pattern_ops"},
        ),
    )
    project_id: int = _fk("project.id", index=False)
    customer_id: int = _fk("customer.id")
    app_user_id: str = Field(sa_type=sa.String(100))
    is_anonymous: bool = Field(default=False)
    is_original: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime | None = _ts()
    # The UUID the app sets as StoreKit's appAccountToken, so a store notification of a
    # purchase the app has not reported yet still finds its customer (DESIGN 4.10). Kept
    # per App User ID, so it survives when two customers merge.
    app_account_token: str = Field(
        default_factory=lambda: str(uuid4()),
        sa_type=sa.String(36),
        # Also for Core inserts (INSERT ... ON CONFLICT), which skip the model's factory.
        sa_column_kwargs={"default": lambda: str(uuid4())},
    )


class Note(Base, table=True):
    __tablename__ = "note"
    project_id: int = _fk("project.id", index=False)
    customer_id: int = _fk("customer.id")
    body: str = Field(sa_type=sa.Text)
    # Rendered once, when the body is written (app/domain/notes.py): a page of
    # customers shows hundreds of notes, and rendering Markdown is the costly part.
    body_html: str = Field(sa_type=sa.Text)
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
    details: dict[str, Any] = Field(default_factory=empty_dict, sa_type=sa.JSON)
