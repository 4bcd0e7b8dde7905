"""Pagination arguments: page sizes and keyset cursors, checked the same way everywhere."""

from datetime import datetime
from typing import Any

from graphql import GraphQLError
from strawberry.types.nodes import SelectedField

from app.graphql.ids import decode_cursor, valid_pk

MAX_PAGE_SIZE = 100


class BadArgument(GraphQLError):
    """A query argument out of range: reported as a GraphQL error that says it is the
    client's fault (`BAD_USER_INPUT`, as for the other refused inputs)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT"})


def page_size(first: int | None, default: int) -> int:
    size = default if first is None else first
    if size < 0 or size > MAX_PAGE_SIZE:
        raise BadArgument(f"first must be between 0 and {MAX_PAGE_SIZE}.")
    return size


def keyset_position(after: str) -> tuple[datetime, int]:
    """(timestamp, id) from a cursor this API made, or a clear refusal."""
    parts = decode_cursor(after, 2)
    try:
        if parts is None:
            raise ValueError
        moment, pk = datetime.fromisoformat(parts[0]), int(parts[1])
        if moment.tzinfo is None or not valid_pk(pk):
            raise ValueError
    except ValueError as exc:
        raise BadArgument("after is not a cursor of this list.") from exc
    return moment, pk


def selects(info: Any, name: str) -> bool:
    """Whether the current field's selection asks for `name` (fragments included), so
    a resolver can skip work, such as an exact count, that nobody will see."""

    def found(selections: list[Any]) -> bool:
        for selection in selections:
            if isinstance(selection, SelectedField):
                if selection.name == name:
                    return True
            # Inline fragments and fragment spreads carry their own selections.
            elif found(selection.selections):
                return True
        return False

    return any(found(list(field.selections)) for field in info.selected_fields)
