"""What every table shares: the id, foreign keys scoped by project, UTC timestamps."""

from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db.types import UTCDateTime

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
