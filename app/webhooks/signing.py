"""The signature headers of a delivery.

Two schemes, both on every delivery, each signed with every secret that is valid at the
time (the endpoint's current one and, for 24 h after a rotation, the one before it):

- `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (one `v1=` per
  secret), keyed with the secret string itself (its UTF-8 bytes, `whsec_` included).
- Standard Webhooks (https://www.standardwebhooks.com): `webhook-id` (the event id),
  `webhook-timestamp` (unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
  "<id>.<timestamp>.<body>">` (space-separated, one per secret). As that spec says, the
  key is the base64 decoding of what follows `whsec_`: new secrets are `whsec_` and 32
  random bytes in standard base64, so `standardwebhooks.Webhook(secret)` verifies as is.
  Secrets made before this scheme used the URL-safe base64 alphabet; their key is their
  URL-safe decoding (a receiver passes those bytes: `Webhook(urlsafe_b64decode(...))`),
  and rotating the secret gives one in the standard form.

Timestamps are signed with the body so a receiver can refuse replays of old deliveries
(compare them with its clock) as well as forged ones.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_signing_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def standard_webhooks_key(secret: str) -> bytes:
    """The Standard Webhooks HMAC key of a secret: the base64 decoding after `whsec_`
    (the URL-safe alphabet for secrets made before the standard form)."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    padded = encoded + "=" * (-len(encoded) % 4)
    if "-" in encoded or "_" in encoded:
        return base64.urlsafe_b64decode(padded)
    try:
        return base64.b64decode(padded, validate=True)
    except binascii.Error:
        return base64.urlsafe_b64decode(padded)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def signature_header(secrets_: str | Sequence[str], timestamp: int, body: bytes) -> str:
    keys = [secrets_] if isinstance(secrets_, str) else list(secrets_)
    return ",".join([f"t={timestamp}", *(f"v1={signature(s, timestamp, body)}" for s in keys)])


def standard_signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    mac = hmac.new(standard_webhooks_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def delivery_headers(secrets_: Sequence[str], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The signature headers of one delivery attempt, signed with each secret in turn."""
    return {
        "X-Signature": signature_header(secrets_, timestamp, body),
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(standard_signature(s, message_id, timestamp, body) for s in secrets_),
    }


def verify(secret: str, header: str, body: bytes, now: int, tolerance_seconds: int = 300) -> bool:
    """What a receiver does with X-Signature (also used by the tests' receiver): any one
    `v1=` entry made with its secret is enough."""
    try:
        parts = [part.split("=", 1) for part in header.split(",")]
        timestamps = [int(value) for name, value in parts if name == "t"]
        candidates = [value for name, value in parts if name == "v1"]
    except ValueError:
        return False
    if len(timestamps) != 1 or abs(now - timestamps[0]) > tolerance_seconds:
        return False
    expected = signature(secret, timestamps[0], body)
    return any(hmac.compare_digest(candidate, expected) for candidate in candidates)
