"""Statements built once, compiled once, and sent to asyncpg directly (PostgreSQL).

SQLAlchemy caches a statement's compilation, but each execution of it still builds an
execution context, renders its IN lists, adapts the cursor and builds Row objects: about
0.75 ms of CPU for a profile's parts statement whose rows asyncpg fetches in 0.2 ms
(issue 14, measured in one process against the seeded data set), and a profile runs
three statements. A statement built once per process (`built_once`, used by the
loaders' `prepared`) is compiled here once, for the engine's own dialect, and each
execution only:

- puts the values in the compiled order, through the bind processors SQLAlchemy would
  use (enums as their text, UTC datetimes);
- renders each IN list as that many placeholders, one text per list length, as
  SQLAlchemy does, so PostgreSQL's generic plan knows how many keys it has (an
  `= ANY($1)` array instead got a generic plan four times slower);
- runs through asyncpg's own prepared-statement cache;
- applies the result processors SQLAlchemy would apply, chosen from the column types
  asyncpg reports, into tuples with the same names and positions as SQLAlchemy's rows
  (or into the rows the statement's owner shapes, `built_once(..., shape=...)`).

The engine's `before_cursor_execute` and `after_cursor_execute` listeners still hear
every statement (the tests' statement counts, the tracing spans). What this cannot
render the same way (an empty IN list, an IN list of tuples, values rendered into the
text, names a row cannot have) it declines, and the caller runs the statement through
SQLAlchemy.
"""

from __future__ import annotations

import keyword
import operator
import re
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy.engine import Connection, Dialect

# The placeholders of a compiled asyncpg statement: `$N` for a plain value (numbered in
# order of the plain values' first use), `(__[POSTCOMPILE_name])` for an IN list.
_PLACEHOLDER = re.compile(r"\(__\[POSTCOMPILE_(\w+)\]\)|__\[POSTCOMPILE_(\w+)\]|\$(\d+)")

# Texts kept per statement, one per combination of IN list lengths; past this many a
# text is rendered for the execution and not kept (asyncpg still caches its plan).
_TEXTS_KEPT = 256

Processors = Sequence[Callable[[Any], Any] | None]
"""Each result column's processor (None: the value as asyncpg gives it)."""

Shape = Callable[[Processors], Callable[[Any], Any]]
"""Given the processors, the function making one row from one asyncpg record."""

_BUILT: dict[int, tuple[Any, Shape | None]] = {}


def built_once(statement: Any, shape: Shape | None = None) -> Any:
    """Mark a statement as built once per process (kept for the process's life), so
    its compilation can be kept too. `shape`: how its rows are made, when not as
    SQLAlchemy's rows (a union's rows straight into each kind's row, app/db/folded.py);
    a statement marked again keeps the shape it was given."""
    known = _BUILT.get(id(statement))
    if known is None or known[0] is not statement or shape is not None:
        _BUILT[id(statement)] = (statement, shape)
    return statement


def built_shape(statement: Any) -> tuple[bool, Shape | None]:
    """Whether the statement was built once, and how its rows are made."""
    known = _BUILT.get(id(statement))
    if known is None or known[0] is not statement:
        return False, None
    return True, known[1]


def record_maker(made: Any, positions: Sequence[int], processors: Processors) -> Callable[[Any], Any]:
    """A function from an asyncpg record to a `made` row of the record's columns at
    `positions`: one tuple built in one expression, each processed column as
    `p(v) if v is not None else None` (a NULL stays None: every processor of ours maps
    None to None, and a union's rows are mostly NULLs in the other kinds' columns).
    Generated once per statement: a loop over the columns of every row cost a
    profile about 5 % of its CPU."""
    values = []
    namespace: dict[str, Any] = {"new": tuple.__new__, "Row": made}
    for position in positions:
        process = processors[position]
        if process is None:
            values.append(f"r[{position}]")
        else:
            namespace[f"p{position}"] = process
            values.append(f"(p{position}(v) if (v := r[{position}]) is not None else None)")
    # The text is ours: column positions and processor names, nothing read or sent.
    exec(f"def make(r):\n    return new(Row, ({', '.join(values)},))", namespace)
    return namespace["make"]  # type: ignore[no-any-return]


class Declined(Exception):
    """This statement or these values are SQLAlchemy's to run."""


def row_class(names: list[str]) -> Any:
    """A tuple whose values are also attributes by column name, as SQLAlchemy's Row
    (`_key`, a label of ours, included: a namedtuple refuses a leading underscore)."""
    if len(set(names)) != len(names):
        raise Declined("a repeated column name")
    namespace: dict[str, Any] = {"__slots__": (), "_fields": tuple(names)}
    for index, name in enumerate(names):
        if not name.isidentifier() or keyword.iskeyword(name) or hasattr(tuple, name):
            raise Declined(f"a column name a row cannot have: {name!r}")
        namespace[name] = property(operator.itemgetter(index))
    made = type("Row", (tuple,), namespace)
    made._make = classmethod(tuple.__new__)  # type: ignore[attr-defined]
    return made


class CompiledRead:
    """One statement, compiled for one dialect, ready for asyncpg."""

    def __init__(self, statement: Any, dialect: Dialect, shape: Shape | None = None) -> None:
        compiled = statement.compile(dialect=dialect)
        self.shape = shape
        self.dialect = dialect
        binds = compiled.binds
        expanding = {name for name, bind in binds.items() if bind.expanding}
        if any(getattr(binds[name].type, "_is_tuple_type", False) for name in expanding):
            raise Declined("an IN list of tuples")  # each value would be several placeholders
        plain = list(dict.fromkeys(name for name in compiled.positiontup if name not in expanding))
        # The text between placeholders, and each placeholder's value: a plain value's
        # name (str) or an IN list's name (tuple).
        self.pieces: list[str] = []
        self.slots: list[str | tuple[str]] = []
        last = 0
        for match in _PLACEHOLDER.finditer(compiled.string):
            listed, literal, number = match.groups()
            if literal is not None:
                raise Declined("a value rendered into the text")
            self.pieces.append(compiled.string[last : match.start()])
            if listed is not None:
                if listed not in expanding:
                    raise Declined("an IN list SQLAlchemy does not expand")
                self.slots.append((listed,))
            else:
                index = int(number) - 1
                if index >= len(plain):
                    raise Declined("placeholders numbered otherwise")
                self.slots.append(plain[index])
            last = match.end()
        self.pieces.append(compiled.string[last:])
        processors = compiled._bind_processors
        self.bind_processors: dict[str, Callable[[Any], Any]] = {
            name: processors[name] for name in binds if name in processors
        }
        self.defaults = {name: bind.effective_value for name, bind in binds.items() if not bind.required}
        self.required = {name for name, bind in binds.items() if bind.required}
        columns = compiled._result_columns
        self.types = [column.type for column in columns]
        self.row_class = row_class([column.keyname for column in columns])
        self.make_row: Callable[[Any], Any] | None = None
        self.texts: dict[tuple[int, ...], tuple[str, list[str | tuple[str, int]]]] = {}

    def bound(self, parameters: dict[str, Any] | None) -> tuple[str, list[Any]]:
        """The text for these values (their IN lists' lengths) and the values, in order."""
        given = parameters or {}
        missing = self.required - given.keys()
        if missing:
            raise Declined(f"no value for {sorted(missing)}")
        values = {**self.defaults, **given}
        lengths = []
        for slot in self.slots:
            if isinstance(slot, tuple):
                items = values[slot[0]]
                if not items:
                    raise Declined("an empty IN list")  # SQLAlchemy's own wording of it
                lengths.append(len(items))
        key = tuple(lengths)
        found = self.texts.get(key)
        if found is None:
            found = self._render(lengths)
            if len(self.texts) < _TEXTS_KEPT:
                self.texts[key] = found
        text, order = found
        arguments = []
        processors = self.bind_processors
        for name in order:
            if isinstance(name, tuple):
                list_name, position = name
                value = values[list_name][position]
                process = processors.get(list_name)
            else:
                value = values[name]
                process = processors.get(name)
            arguments.append(value if process is None or value is None else process(value))
        return text, arguments

    def _render(self, lengths: list[int]) -> tuple[str, list[str | tuple[str, int]]]:
        numbers: dict[str, int] = {}
        lists: dict[str, list[int]] = {}
        order: list[str | tuple[str, int]] = []
        parts = [self.pieces[0]]
        remaining = iter(lengths)
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            if isinstance(slot, tuple):
                name = slot[0]
                length = next(remaining)
                if name not in lists:
                    lists[name] = []
                    for position in range(length):
                        order.append((name, position))
                        lists[name].append(len(order))
                parts.append("(" + ", ".join(f"${n}" for n in lists[name]) + ")")
            else:
                if slot not in numbers:
                    order.append(slot)
                    numbers[slot] = len(order)
                parts.append(f"${numbers[slot]}")
            parts.append(piece)
        return "".join(parts), order

    def rows(self, records: Sequence[Any]) -> list[Any]:
        assert self.make_row is not None
        make = self.make_row
        return [make(record) for record in records]

    def learn_result_types(self, oids: Sequence[int]) -> None:
        """The row maker, with the result processors SQLAlchemy would choose for these
        column types (a NUMERIC column's depends on the type the server reports)."""
        processors = [
            type_._cached_result_processor(self.dialect, oid)
            for type_, oid in zip(self.types, oids, strict=True)
        ]
        if self.shape is not None:
            self.make_row = self.shape(processors)
        else:
            self.make_row = record_maker(self.row_class, range(len(processors)), processors)


class PreparedReads:
    """The compiled reads of one engine (kept for the process's life)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._compiled: dict[int, CompiledRead | None] = {}

    def compiled(self, statement: Any) -> CompiledRead | None:
        once, shape = built_shape(statement)
        if not once:
            return None
        key = id(statement)
        if key not in self._compiled:
            try:
                self._compiled[key] = CompiledRead(statement, self.dialect, shape)
            except Declined:
                self._compiled[key] = None
        return self._compiled[key]

    async def fetch(
        self, connection: Connection, driver: Any, read: CompiledRead, parameters: dict[str, Any] | None
    ) -> list[Any]:
        """`connection`: SQLAlchemy's (for its listeners); `driver`: its asyncpg connection."""
        text, arguments = read.bound(parameters)
        dispatch = connection.engine.dispatch
        context = SimpleNamespace()  # what a listener may note on (a span)
        for listener in dispatch.before_cursor_execute:
            listener(connection, None, text, arguments, context, False)
        if read.make_row is None:  # the first execution: learn the result's types
            statement = await driver.prepare(text)
            read.learn_result_types([attribute.type.oid for attribute in statement.get_attributes()])
            records = await statement.fetch(*arguments)
        else:
            records = await driver.fetch(text, *arguments)
        for listener in dispatch.after_cursor_execute:
            listener(connection, None, text, arguments, context, False)
        return read.rows(records)
