"""Outbox rules: endpoint filters, the retry schedule, URL checks and signatures."""

from datetime import UTC, datetime, timedelta

import pytest

from app.db.models import WebhookEndpoint
from app.domain.enums import DeliveryStatus
from app.domain.errors import DomainError
from app.domain.webhook_endpoints import validate_authorization_header, validate_endpoint_url
from app.webhooks.outbox import after_failure, endpoint_matches
from app.webhooks.signing import signature, signature_header, verify

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def endpoint(environment: str | None = None, types: list[str] | None = None) -> WebhookEndpoint:
    return WebhookEndpoint(
        project_id=1,
        url="https://x.example",
        signing_secret="s",
        environment=environment,
        event_types=types or [],
    )


def test_filters() -> None:
    assert endpoint_matches(endpoint(), "RENEWAL", "SANDBOX")
    assert endpoint_matches(endpoint("SANDBOX"), "RENEWAL", "SANDBOX")
    assert not endpoint_matches(endpoint("PRODUCTION"), "RENEWAL", "SANDBOX")
    assert endpoint_matches(endpoint(types=["RENEWAL", "EXPIRATION"]), "EXPIRATION", "PRODUCTION")
    assert not endpoint_matches(endpoint(types=["RENEWAL"]), "CANCELLATION", "PRODUCTION")


def test_retry_schedule_then_failed() -> None:
    delays = [300, 600, 1200, 2400, 4800]
    for attempt, delay in enumerate(delays, start=1):
        assert after_failure(attempt, delays, NOW) == (
            DeliveryStatus.RETRYING,
            NOW + timedelta(seconds=delay),
        )
    assert after_failure(6, delays, NOW) == (DeliveryStatus.FAILED, NOW)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x.example",
        "https://user:pw@x.example/",
        "https:///path",
        "",
        "https://x.example/a b",
        "https://x.example:99999/",
    ],
)
def test_bad_urls(url: str) -> None:
    with pytest.raises(DomainError):
        validate_endpoint_url(url)


def test_good_urls_and_authorization() -> None:
    assert validate_endpoint_url(" https://hooks.example.com/rc?x=1 ") == "https://hooks.example.com/rc?x=1"
    assert validate_endpoint_url("http://127.0.0.1:8080/hook") == "http://127.0.0.1:8080/hook"
    assert validate_authorization_header("Bearer abc") == "Bearer abc"
    assert validate_authorization_header("") is None
    with pytest.raises(DomainError):
        validate_authorization_header("Bearer a\r\nX-Injected: 1")


def test_signature_is_hmac_of_timestamp_dot_body() -> None:
    import hashlib
    import hmac

    body = b'{"event":{}}'
    expected = hmac.new(b"whsec_k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature("whsec_k", 1700000000, body) == expected
    header = signature_header("whsec_k", 1700000000, body)
    assert header == f"t=1700000000,v1={expected}"
    assert verify("whsec_k", header, body, now=1700000100)
    assert not verify("whsec_k", header, body + b" ", now=1700000100)  # tampered
    assert not verify("other", header, body, now=1700000100)  # wrong secret
    assert not verify("whsec_k", header, body, now=1700009999)  # too old: a replay
    assert not verify("whsec_k", "garbage", body, now=1700000100)
