"""Outbox rules: endpoint filters, the retry schedule, URL checks and signatures."""

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.db.models import WebhookEndpoint
from app.domain.enums import DeliveryStatus
from app.domain.errors import DomainError
from app.domain.webhook_endpoints import is_header_value, validate_authorization_header, validate_endpoint_url
from app.webhooks.dispatcher import signing_secrets
from app.webhooks.outbox import after_failure, endpoint_matches
from app.webhooks.signing import (
    delivery_headers,
    new_signing_secret,
    signature,
    signature_header,
    standard_webhooks_key,
    verify,
)

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


@pytest.mark.parametrize(
    ("value", "sendable"),
    [
        ("Bearer abc", True),
        ("Basic\tdXNlcjpwdw==", True),
        ("Bearer a\r\nX-Injected: 1", False),
        ("Bearer a\nX-Injected: 1", False),
        ("Bearer café", False),
        ("Bearer \x00", False),
    ],
)
def test_only_printable_ascii_on_one_line_is_a_header_value(value: str, sendable: bool) -> None:
    # The dispatcher checks stored values with it before sending (older rows predate the rule).
    assert is_header_value(value) is sendable


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


def test_two_secrets_give_two_v1_entries_and_either_verifies() -> None:
    body = b'{"event":{}}'
    header = signature_header(["whsec_new", "whsec_old"], 1700000000, body)
    assert header == (
        f"t=1700000000,v1={signature('whsec_new', 1700000000, body)},v1={signature('whsec_old', 1700000000, body)}"
    )
    assert verify("whsec_new", header, body, now=1700000000)
    assert verify("whsec_old", header, body, now=1700000000)
    assert not verify("whsec_other", header, body, now=1700000000)
    assert not verify("whsec_new", "t=1,t=1700000000," + header.split(",", 1)[1], body, now=1700000000)


def test_new_secrets_are_standard_webhooks_secrets() -> None:
    secret = new_signing_secret()
    assert secret.startswith("whsec_") and len(secret) <= 100  # the column's size
    key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    assert len(key) == 32 and standard_webhooks_key(secret) == key
    assert new_signing_secret() != secret


def test_standard_webhooks_headers_verify_with_the_standardwebhooks_library() -> None:
    """A receiver using the `standardwebhooks` package (PyPI) accepts our headers as they are,
    with the secret as we show it, and refuses them with another secret or another body."""
    body = b'{"api_version":"1.0","event":{"id":"e-1","type":"TEST"}}'
    secret = new_signing_secret()
    headers = delivery_headers([secret], "e-1", int(time.time()), body)
    assert headers["webhook-id"] == "e-1" and headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(body, headers) == json.loads(body)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_signing_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)
    # The signed content is exactly "id.timestamp.body", base64 HMAC-SHA256 (the spec).
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"e-1.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"


def test_rotation_signs_with_both_secrets_for_standard_webhooks_receivers() -> None:
    body = b'{"event":{}}'
    new, old = new_signing_secret(), new_signing_secret()
    headers = delivery_headers([new, old], "e-2", int(time.time()), body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(new).verify(body, headers)
    Webhook(old).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_signing_secret()).verify(body, headers)


def test_secrets_from_before_the_standard_form_use_their_url_safe_decoding() -> None:
    """Secrets created before were `whsec_` + URL-safe base64 without padding; their key is
    that decoding, which a receiver hands to the library as bytes."""
    legacy = "whsec_" + "-_" + "A" * 41  # the URL-safe alphabet, 43 characters as token_urlsafe(32) made
    key = base64.urlsafe_b64decode(legacy.removeprefix("whsec_") + "=")
    assert standard_webhooks_key(legacy) == key and len(key) == 32
    body = b"{}"
    headers = delivery_headers([legacy], "e-3", int(time.time()), body)
    Webhook(key).verify(body, headers)
    # X-Signature is keyed with the secret string, as before: existing receivers keep working.
    assert verify(legacy, headers["X-Signature"], body, int(time.time()))


def test_the_previous_secret_signs_until_it_expires() -> None:
    rotated = WebhookEndpoint(
        project_id=1,
        url="https://x.example",
        signing_secret="whsec_new",
        previous_signing_secret="whsec_old",
        previous_secret_expires_at=NOW + timedelta(hours=24),
    )
    assert signing_secrets(rotated, NOW) == ("whsec_new", "whsec_old")
    assert signing_secrets(rotated, NOW + timedelta(hours=23, minutes=59)) == ("whsec_new", "whsec_old")
    assert signing_secrets(rotated, NOW + timedelta(hours=24)) == ("whsec_new",)
    assert signing_secrets(endpoint(), NOW) == (endpoint().signing_secret,)
