"""read indexes: App User ID prefix search on PostgreSQL

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 13:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # text_pattern_ops is PostgreSQL's (ignored on SQLite, where the index repeats the
    # unique one: the models declare one schema for both databases).
    op.create_index(
        "ix_app_user_id_prefix",
        "app_user_id",
        ["project_id", "app_user_id"],
        postgresql_ops={"app_user_id": "text_pattern_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_app_user_id_prefix", table_name="app_user_id")
