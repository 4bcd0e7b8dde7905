"""Which errors mean "the database is unreachable" (DESIGN 4.11)."""

import sqlite3

from sqlalchemy.exc import IntegrityError, OperationalError

from app.http.unavailable import is_unavailable


def test_connection_failures_are_unavailable() -> None:
    assert is_unavailable(ConnectionRefusedError(111, "Connect call failed"))
    assert is_unavailable(TimeoutError())
    wrapped = OperationalError("SELECT 1", {}, sqlite3.OperationalError("unable to open database file"))
    wrapped.__cause__ = wrapped.orig
    assert is_unavailable(wrapped)


def test_other_database_errors_are_not() -> None:
    assert not is_unavailable(
        IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))
    )
    assert not is_unavailable(ValueError("bad"))
    assert not is_unavailable(None)
