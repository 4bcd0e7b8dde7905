"""DateTime in the API: written as UTC with a Z, read as ISO 8601 (a time without a
zone is UTC)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from graphql import GraphQLError

from app.graphql.scalars import parse_datetime, serialize_datetime


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "2026-01-02T03:04:05Z"),
        (datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), "2026-01-02T03:04:05.000006Z"),
        (datetime(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05Z"),  # naive: UTC
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))), "2026-01-02T01:04:05Z"),
    ],
)
def test_a_datetime_is_written_in_utc_with_a_z(value: datetime, written: str) -> None:
    assert serialize_datetime(value) == written


def test_what_is_written_reads_back_as_the_same_moment() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=timezone(timedelta(hours=-5)))
    assert parse_datetime(serialize_datetime(moment)) == moment


def test_a_value_that_is_not_a_string_is_a_graphql_error() -> None:
    with pytest.raises(GraphQLError):
        parse_datetime(20260102)
