"""How a statement built once is rendered for asyncpg (app/db/prepared_reads.py): each
IN list as that many placeholders, every value in the compiled order, through the bind
processors SQLAlchemy would use; what it cannot render the same way, it declines."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

from app.db.prepared_reads import CompiledRead, Declined, row_class
from app.db.types import EnumText, UTCDateTime
from app.domain.enums import Store

TABLE = sa.Table(
    "thing",
    sa.MetaData(),
    sa.Column("id", sa.Integer),
    sa.Column("project_id", sa.Integer),
    sa.Column("store", EnumText(Store)),
    sa.Column("seen_at", UTCDateTime()),
)
KEYS = sa.bindparam("keys", expanding=True)
PROJECT = sa.bindparam("project_id")


def compiled(statement: sa.Select) -> CompiledRead:  # type: ignore[type-arg]
    return CompiledRead(statement, asyncpg_dialect())


def test_each_in_list_is_as_many_placeholders_and_a_repeated_name_is_one_value() -> None:
    both = sa.union_all(
        sa.select(TABLE.c.id).where(TABLE.c.project_id == PROJECT, TABLE.c.id.in_(KEYS)),
        sa.select(TABLE.c.id).where(TABLE.c.project_id == PROJECT, TABLE.c.id.in_(KEYS)),
    )
    read = compiled(both)  # type: ignore[arg-type]

    text, arguments = read.bound({"project_id": 7, "keys": [3, 4, 5]})
    assert text.count("IN ($2, $3, $4)") == 2
    assert text.count("= $1") == 2
    assert "POSTCOMPILE" not in text
    assert arguments == [7, 3, 4, 5]

    text, arguments = read.bound({"project_id": 7, "keys": [9]})
    assert text.count("IN ($2)") == 2
    assert arguments == [7, 9]


def test_values_go_through_the_bind_processors_sqlalchemy_uses() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    read = compiled(
        sa.select(TABLE.c.id).where(
            TABLE.c.store.in_(sa.bindparam("stores", expanding=True)),
            TABLE.c.seen_at < sa.bindparam("before", type_=UTCDateTime()),
        )
    )
    _, arguments = read.bound({"stores": [Store.APP_STORE, Store.PLAY_STORE], "before": moment})
    assert arguments == [Store.APP_STORE.value, Store.PLAY_STORE.value, moment]
    assert [type(value) for value in arguments[:2]] == [str, str]


def test_a_value_without_a_default_must_be_given() -> None:
    read = compiled(sa.select(TABLE.c.id).where(TABLE.c.project_id == PROJECT))
    with pytest.raises(Declined):
        read.bound({})


def test_an_empty_in_list_is_left_to_sqlalchemy() -> None:
    read = compiled(sa.select(TABLE.c.id).where(TABLE.c.id.in_(KEYS)))
    with pytest.raises(Declined):
        read.bound({"keys": []})


def test_a_value_rendered_into_the_text_is_declined() -> None:
    literal = sa.select(TABLE.c.id).where(TABLE.c.id == sa.bindparam("one", 1, literal_execute=True))
    with pytest.raises(Declined):
        compiled(literal)


def test_rows_answer_by_position_and_by_name_as_sqlalchemys_do() -> None:
    made = row_class(["id", "_key"])
    row = made._make([1, "ana"])
    assert row == (1, "ana")
    assert (row.id, row._key, row[1]) == (1, "ana", "ana")
    assert row._fields == ("id", "_key")
    with pytest.raises(Declined):
        row_class(["id", "id"])
    with pytest.raises(Declined):
        row_class(["count"])  # a tuple's own method: SQLAlchemy's Row keeps it too


def test_an_in_list_of_tuples_is_declined() -> None:
    pairs = sa.tuple_(TABLE.c.id, TABLE.c.project_id).in_(sa.bindparam("pairs", expanding=True))
    with pytest.raises(Declined, match="tuples"):
        compiled(sa.select(TABLE.c.id).where(pairs))
