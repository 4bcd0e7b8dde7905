"""webhook secret rotation and TEST deliveries

The endpoint keeps the secret before the last rotation and when it stops signing; a
delivery may carry its own body and belong to no event or customer (sendTestWebhook).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 12:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_signing_secret", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("previous_secret_expires_at", app.db.types.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch_op.alter_column("event_id", existing_type=ID, nullable=True)
        batch_op.alter_column("customer_id", existing_type=ID, nullable=True)


def downgrade() -> None:
    # TEST deliveries cannot exist without an event: they go first.
    op.execute("DELETE FROM webhook_delivery WHERE event_id IS NULL OR customer_id IS NULL")
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.alter_column("customer_id", existing_type=ID, nullable=False)
        batch_op.alter_column("event_id", existing_type=ID, nullable=False)
        batch_op.drop_column("payload")
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.drop_column("previous_secret_expires_at")
        batch_op.drop_column("previous_signing_secret")
