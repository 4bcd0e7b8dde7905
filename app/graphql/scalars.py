"""DateTime as the contract shows it: ISO 8601 in UTC with a Z (2026-11-30T09:00:00Z)."""

from datetime import UTC, datetime

import strawberry
from graphql import GraphQLError


def serialize_datetime(value: datetime) -> str:
    if value.tzinfo is not UTC:  # the database's values are UTC already: no conversion
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat().replace("+00:00", "Z")


def parse_datetime(value: object) -> datetime:
    """An ISO 8601 string; a time without a zone is read as UTC (the API speaks UTC).

    Raises GraphQLError, so a bad value written inline in the query is reported to the
    client like a bad variable, never as an internal error.
    """
    if not isinstance(value, str):
        raise GraphQLError("DateTime must be an ISO 8601 string, e.g. 2026-11-30T09:00:00Z.")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise GraphQLError(
            f"{value!r} is not a DateTime in range (ISO 8601, e.g. 2026-11-30T09:00:00Z)."
        ) from exc


DateTimeScalar = strawberry.scalar(
    name="DateTime",
    description="An ISO 8601 date-time in UTC, e.g. 2026-11-30T09:00:00Z.",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)
