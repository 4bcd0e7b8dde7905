"""A project and its configuration: keys, entitlements, products, offerings."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db.models.base import Base, _fk, _ts
from app.db.types import DecimalText, EnumText, UTCDateTime, utcnow
from app.domain.enums import ApiKeyRole, ProductType, ReceiptTrust, RestoreBehavior, Store


class Project(Base, table=True):
    __tablename__ = "project"
    name: str = Field(sa_type=sa.String(200))
    restore_behavior: RestoreBehavior = Field(
        default=RestoreBehavior.TRANSFER, sa_type=EnumText(RestoreBehavior)
    )
    # Whether SDK keys may post raw, unverified transactions (DESIGN 4.10).
    receipt_trust: ReceiptTrust = Field(
        default=ReceiptTrust.STORE_VERIFIED_ONLY,
        sa_type=EnumText(ReceiptTrust),
        sa_column_kwargs={"server_default": ReceiptTrust.STORE_VERIFIED_ONLY.value},
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiKey(Base, table=True):
    __tablename__ = "api_key"
    project_id: int = _fk("project.id")
    name: str = Field(sa_type=sa.String(200))
    role: ApiKeyRole = Field(sa_type=EnumText(ApiKeyRole))
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
    store: Store = Field(sa_type=EnumText(Store))
    type: ProductType = Field(sa_type=EnumText(ProductType))
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
