"""The database unreachable: 503 with a JSON GraphQL error and Retry-After (DESIGN 4.11).

Connection failures are recognised wherever they surface (authentication, a resolver, a
loader) and answered the same way; the outage is logged once when it starts and once
when the database answers again, instead of a traceback per request.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.logging import log

CODE = "UNAVAILABLE"
MESSAGE = "Service unavailable"
RETRY_AFTER_SECONDS = 5
# asyncpg's errors for a server that is gone, starting or shutting down.
_UNAVAILABLE_DRIVER_ERRORS = {
    "CannotConnectNowError",
    "ConnectionDoesNotExistError",
    "ConnectionFailureError",
    "ConnectionRejectionError",
    "TooManyConnectionsError",
    "AdminShutdownError",
    "CrashShutdownError",
    "InternalClientError",
}
_SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error")


class Unavailable(Exception):
    """Raised to the HTTP layer: answer 503."""


def is_unavailable(error: BaseException | None) -> bool:
    """True when the error, or one it was raised from, means the database is unreachable."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError | PoolTimeout):  # refused, reset, timed out, DNS
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if type(error).__name__ in _UNAVAILABLE_DRIVER_ERRORS:
            return True
        if isinstance(error, sqlite3.OperationalError) and str(error).lower() in _SQLITE_UNAVAILABLE:
            return True
        error = error.__cause__ or error.__context__
    return False


class OutageLog:
    """One log line when an outage starts and one when it ends."""

    def __init__(self) -> None:
        self.down = False

    def failed(self, error: BaseException) -> None:
        if not self.down:
            self.down = True
            log.error("database_unavailable", error=type(error).__name__)

    def answered(self) -> None:
        if self.down:
            self.down = False
            log.info("database_available")


outage = OutageLog()
