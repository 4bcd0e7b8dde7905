"""The project's apps at the stores and the inbox of their server notifications."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from app.db.models.base import Base, _fk, _ts
from app.db.types import EnumText, UTCDateTime, utcnow
from app.domain.enums import Environment, NotificationStatus, Store


class StoreApp(Base, table=True):
    """One app at one store: what its signed data must carry, and its credentials.

    `config` holds what is not secret (bundle id, app Apple ID, root certificates,
    whether to check revocation online); `secrets` holds the credentials, encrypted
    with a key derived from SECRET_KEY (app/security/secret_box.py), never returned.
    """

    __tablename__ = "store_app"
    __table_args__ = (sa.UniqueConstraint("project_id", "store", "app_identifier"),)
    project_id: int = _fk("project.id")
    store: Store = Field(sa_type=EnumText(Store))
    app_identifier: str = Field(sa_type=sa.String(255))
    # The last part of the notification URL: random, so one app's URL cannot be guessed
    # from another's (the signature still authenticates every notification).
    path_token: str = Field(sa_type=sa.String(64), unique=True)
    config: str = Field(default="{}", sa_type=sa.Text)
    secrets: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_notification_at: datetime | None = _ts()


class StoreNotification(Base, table=True):
    """A verified store notification, kept until the worker has applied it.

    Unique per store app and store notification id, so a store's retry is a no-op.
    `payload` is the verified, decoded content (JSON); `purchase_key` the purchase it
    is about (an original transaction id), so rows of one purchase apply in order.
    """

    __tablename__ = "store_notification"
    __table_args__ = (
        sa.UniqueConstraint("store_app_id", "external_id"),
        sa.Index("ix_store_notification_due", "status", "next_attempt_at"),
        sa.Index("ix_store_notification_purchase", "store_app_id", "purchase_key"),
    )
    project_id: int = _fk("project.id", index=False)
    store_app_id: int = _fk("store_app.id", index=False)
    store: Store = Field(sa_type=EnumText(Store))
    external_id: str = Field(sa_type=sa.String(255))
    notification_type: str = Field(sa_type=sa.String(64))
    subtype: str | None = Field(default=None, sa_type=sa.String(64))
    environment: Environment = Field(sa_type=EnumText(Environment))
    purchase_key: str | None = Field(default=None, sa_type=sa.String(255))
    app_account_token: str | None = Field(default=None, sa_type=sa.String(64))
    signed_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    payload: str = Field(sa_type=sa.Text)
    status: NotificationStatus = Field(
        default=NotificationStatus.PENDING, sa_type=EnumText(NotificationStatus)
    )
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # A worker holds a row until then; one that died mid-apply lets it go.
    leased_until: datetime | None = _ts()
    last_error: str | None = Field(default=None, sa_type=sa.String(500))
    applied_at: datetime | None = _ts()
