"""store truth: receipt trust, store apps, the store-notification inbox, account tokens per App User ID

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 12:40:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.types import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "receipt_trust", sa.String(length=40), nullable=False, server_default="STORE_VERIFIED_ONLY"
            )
        )
    with op.batch_alter_table("purchase", schema=None) as batch_op:
        batch_op.add_column(sa.Column("store_state_signed_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("store_transaction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("store_signed_at", UTCDateTime(), nullable=True))

    # Every existing App User ID gets its own token before the column becomes required
    # (random UUIDs: made here, one statement per batch of ids).
    with op.batch_alter_table("app_user_id", schema=None) as batch_op:
        batch_op.add_column(sa.Column("app_account_token", sa.String(length=36), nullable=True))
    connection = op.get_bind()
    ids = sa.table("app_user_id", sa.column("id", ID), sa.column("app_account_token", sa.String))
    rows = [row_id for (row_id,) in connection.execute(sa.select(ids.c.id)).all()]
    if rows:
        connection.execute(
            ids.update()
            .where(ids.c.id == sa.bindparam("row_id"))
            .values(app_account_token=sa.bindparam("token")),
            [{"row_id": row_id, "token": str(uuid.uuid4())} for row_id in rows],
        )
    with op.batch_alter_table("app_user_id", schema=None) as batch_op:
        batch_op.alter_column("app_account_token", existing_type=sa.String(length=36), nullable=False)
        batch_op.create_index(
            "uq_app_user_id_account_token", ["project_id", "app_account_token"], unique=True
        )

    op.create_table(
        "store_app",
        sa.Column("id", ID, primary_key=True),
        sa.Column("project_id", ID, sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
        sa.Column("store", sa.String(length=40), nullable=False),
        sa.Column("app_identifier", sa.String(length=255), nullable=False),
        sa.Column("path_token", sa.String(length=64), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("secrets", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("last_notification_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("project_id", "store", "app_identifier"),
        sa.UniqueConstraint("path_token"),
    )
    op.create_index("ix_store_app_project_id", "store_app", ["project_id"])
    op.create_table(
        "store_notification",
        sa.Column("id", ID, primary_key=True),
        sa.Column("project_id", ID, sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
        sa.Column("store_app_id", ID, sa.ForeignKey("store_app.id", ondelete="CASCADE"), nullable=False),
        sa.Column("store", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("notification_type", sa.String(length=64), nullable=False),
        sa.Column("subtype", sa.String(length=64), nullable=True),
        sa.Column("environment", sa.String(length=40), nullable=False),
        sa.Column("purchase_key", sa.String(length=255), nullable=True),
        sa.Column("app_account_token", sa.String(length=64), nullable=True),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("leased_until", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("applied_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("store_app_id", "external_id"),
    )
    op.create_index("ix_store_notification_due", "store_notification", ["status", "next_attempt_at"])
    op.create_index("ix_store_notification_purchase", "store_notification", ["store_app_id", "purchase_key"])


def downgrade() -> None:
    op.drop_index("ix_store_notification_purchase", table_name="store_notification")
    op.drop_index("ix_store_notification_due", table_name="store_notification")
    op.drop_table("store_notification")
    op.drop_index("ix_store_app_project_id", table_name="store_app")
    op.drop_table("store_app")
    with op.batch_alter_table("app_user_id", schema=None) as batch_op:
        batch_op.drop_index("uq_app_user_id_account_token")
        batch_op.drop_column("app_account_token")
    with op.batch_alter_table("store_transaction", schema=None) as batch_op:
        batch_op.drop_column("store_signed_at")
    with op.batch_alter_table("purchase", schema=None) as batch_op:
        batch_op.drop_column("store_state_signed_at")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("receipt_trust")
