"""Which endpoints an event goes to, and the delivery schedule."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from app.db.models import WebhookEndpoint
from app.domain.enums import DeliveryStatus


def endpoint_matches(endpoint: WebhookEndpoint, webhook_type: str, environment: str) -> bool:
    """An endpoint takes an event when its environment and type filters allow it
    (no environment: both; no types: every type)."""
    if endpoint.environment is not None and endpoint.environment != environment:
        return False
    return not endpoint.event_types or webhook_type in endpoint.event_types


def matching_endpoints(
    endpoints: Sequence[WebhookEndpoint], webhook_type: str, environment: str
) -> list[WebhookEndpoint]:
    return [e for e in endpoints if endpoint_matches(e, webhook_type, environment)]


def after_failure(
    attempts: int, retry_delays: Sequence[float], now: datetime
) -> tuple[DeliveryStatus, datetime]:
    """The status and next attempt time after the `attempts`-th attempt failed.

    The first attempt is followed by one retry per configured delay (5, 10, 20, 40,
    80 minutes by default); when they are used up the delivery is FAILED.
    """
    if attempts > len(retry_delays):
        return DeliveryStatus.FAILED, now
    return DeliveryStatus.RETRYING, now + timedelta(seconds=retry_delays[attempts - 1])
