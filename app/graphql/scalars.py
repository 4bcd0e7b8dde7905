"""DateTime as the contract shows it: ISO 8601 in UTC with a Z (2026-11-30T09:00:00Z)."""

from datetime import UTC, datetime

import strawberry


def serialize_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO 8601 string")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    # A time without a zone is read as UTC: the API speaks UTC only.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


DateTimeScalar = strawberry.scalar(
    name="DateTime",
    description="An ISO 8601 date-time in UTC, e.g. 2026-11-30T09:00:00Z.",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)
