"""period facts: family sharing, offers, pauses, renewal numbers, refunds made here

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 06:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("store_transaction", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_family_share", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("offer_code", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("presented_offering_id", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("paused_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("auto_resume_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("renewal_number", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("refund_made_here", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("purchase", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("auto_resume_at", UTCDateTime(), nullable=True))
    # Refunds this service made before this revision are the ones its store actions recorded.
    op.execute(
        "UPDATE store_transaction SET refund_made_here = true WHERE refunded_at IS NOT NULL AND purchase_id IN "
        "(SELECT purchase_id FROM store_action WHERE kind = 'REFUND' AND status = 'RECORDED')"
    )


def downgrade() -> None:
    with op.batch_alter_table("purchase", schema=None) as batch_op:
        batch_op.drop_column("auto_resume_at")
        batch_op.drop_column("paused_at")
    with op.batch_alter_table("store_transaction", schema=None) as batch_op:
        for column in (
            "refund_made_here", "renewal_number", "auto_resume_at", "paused_at",
            "presented_offering_id", "offer_code", "is_family_share",
        ):  # fmt: skip
            batch_op.drop_column(column)
