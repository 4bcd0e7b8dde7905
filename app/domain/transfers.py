"""Rules of moving purchases between customers (DESIGN 4.6)."""

from collections.abc import Sequence

from app.domain.enums import Environment


def transfer_environment(environments: Sequence[Environment]) -> Environment:
    """One production purchase makes a transfer a production event, so production-only
    webhook endpoints hear of it."""
    return Environment.PRODUCTION if Environment.PRODUCTION in environments else Environment.SANDBOX
