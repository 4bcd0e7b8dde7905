"""Rows of several tables in one statement: a UNION ALL over a common set of columns.

A profile reads a customer's App User IDs, notes and attributes; three statements (and
three round trips, taking turns on the request's one connection) became one (issue 14:
at most 4 statements per profile, 6 per page). Each table's columns are laid into
typed slots (booleans, integers, text, timestamps), a column of its own names the
table, and the columns a table lacks are NULLs cast to the slot's type, so both
databases see one type per position and SQLAlchemy processes results (UTC-aware
datetimes) as it does for the tables themselves.
"""

from __future__ import annotations

import operator
from collections import defaultdict, namedtuple
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa

from app.db.prepared_reads import Processors, record_maker


def _slot_kind(column: sa.ColumnElement[Any]) -> str:
    type_ = column.type
    enum = getattr(type_, "enum", None)
    if enum is not None:  # EnumText: reads back as its own enum, so a slot per enum
        return f"{type(type_).__name__}_{enum.__name__}"
    if isinstance(type_, sa.Boolean):
        return "bool"
    if isinstance(type_, sa.Integer):
        return "int"
    if isinstance(type_, sa.String):  # Text is a String
        return "text"
    return type(type_).__name__  # e.g. UTCDateTime: a slot of its own type


class FoldedTable(NamedTuple):
    kind: str
    table: sa.FromClause  # a table, or a subquery (derived rows: a window, a join)
    row_class: type  # a namedtuple of its column names


class FoldedRead:
    """The layout of a union over `tables` (kind -> SQLAlchemy table or subquery)."""

    def __init__(self, tables: dict[str, sa.FromClause]) -> None:
        self.tables = {
            kind: FoldedTable(kind, table, _row_class(kind, table)) for kind, table in tables.items()
        }
        # slot label (its kind and position) -> its SQL type, from the first table using it
        self.slot_types: dict[str, sa.types.TypeEngine[Any]] = {}
        self.placement: dict[str, dict[str, str]] = {}  # kind -> column name -> slot label
        for kind, folded in self.tables.items():
            used: dict[str, int] = defaultdict(int)
            placement = {}
            for column in folded.table.columns:
                slot = _slot_kind(column)
                label = f"{slot}_{used[slot]}"
                used[slot] += 1
                placement[column.name] = label
                self.slot_types.setdefault(label, column.type)
            self.placement[kind] = placement
        self.labels = sorted(self.slot_types)
        # Where each kind's columns sit in a result row (column 0 names the kind):
        # rows are rebuilt by position, not by name (a page reads thousands).
        position = {label: index + 1 for index, label in enumerate(self.labels)}
        self._positions = {
            kind: [position[self.placement[kind][c.name]] for c in folded.table.columns]
            for kind, folded in self.tables.items()
        }
        self._pick = {kind: operator.itemgetter(*positions) for kind, positions in self._positions.items()}
        self._kind_of_row = {folded.row_class: kind for kind, folded in self.tables.items()}

    def statement(self, kinds: Sequence[str], where: dict[str, Any]) -> Any:
        """One SELECT per kind, `where[kind]` its condition (none for a subquery that
        holds its own), in one UNION ALL."""
        selects = []
        for kind in kinds:
            folded = self.tables[kind]
            by_label = {label: name for name, label in self.placement[kind].items()}
            columns = [sa.literal(kind, sa.String).label("kind")]
            for label in self.labels:
                name = by_label.get(label)
                value = (
                    folded.table.c[name] if name is not None else sa.cast(sa.null(), self.slot_types[label])
                )
                columns.append(value.label(label))
            select = sa.select(*columns).select_from(folded.table)
            selects.append(select.where(where[kind]) if kind in where else select)
        return selects[0] if len(selects) == 1 else sa.union_all(*selects)

    def rows(self, result: Sequence[Any]) -> dict[str, list[Any]]:
        """The fetched rows, by kind, as each table's own row class (rows `shape` made
        are that already)."""
        grouped: dict[str, list[Any]] = defaultdict(list)
        makers = {kind: folded.row_class._make for kind, folded in self.tables.items()}  # type: ignore[attr-defined]
        kind_of_row = self._kind_of_row
        for row in result:
            kind = kind_of_row.get(type(row))
            if kind is not None:
                grouped[kind].append(row)
                continue
            kind = row[0]
            grouped[kind].append(makers[kind](self._pick[kind](row)))
        return grouped

    def shape(self, processors: Processors) -> Callable[[Any], Any]:
        """Each record of the union straight into its kind's row, through the result
        processors of that kind's columns only (app/db/prepared_reads.py): a union row
        holds every kind's columns, mostly NULL, and building it first cost a page of
        100 customers a tenth of its CPU."""
        makers = {
            kind: record_maker(folded.row_class, self._positions[kind], processors)
            for kind, folded in self.tables.items()
        }

        def make(record: Any) -> Any:
            return makers[record[0]](record)

        return make


def _row_class(kind: str, table: sa.FromClause) -> type:
    return namedtuple(f"{kind.title().replace('_', '')}Row", [c.name for c in table.columns])  # type: ignore[misc]
