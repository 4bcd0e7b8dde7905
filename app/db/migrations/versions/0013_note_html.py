"""note html: a note's HTML rendered once when it is written, stored beside its body

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.domain.notes import render_note_html

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_html", sa.Text(), nullable=True))
    # Notes written before: rendered here, with the renderer the service uses (at most
    # 10 notes of 255 characters per customer: small even for a large project).
    connection = op.get_bind()
    notes = sa.table("note", sa.column("id", ID), sa.column("body", sa.Text), sa.column("body_html", sa.Text))
    rows = connection.execute(sa.select(notes.c.id, notes.c.body)).all()
    if rows:
        connection.execute(
            notes.update().where(notes.c.id == sa.bindparam("row_id")).values(body_html=sa.bindparam("html")),
            [{"row_id": row_id, "html": render_note_html(body)} for row_id, body in rows],
        )
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.alter_column("body_html", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_column("body_html")
