"""Verifying a Pub/Sub push's OIDC token, as Google documents it for authenticated push
subscriptions: an RS256 JWT signed by Google (certificates at GOOGLE_OIDC_CERTS_URL,
cached), issued by accounts.google.com, for the configured audience, naming the push
subscription's service account with a verified email. google-auth checks signature,
expiry and audience; the issuer and the email are ours to check."""

from __future__ import annotations

import time
from typing import Any

import anyio.to_thread
import httpx
from google.auth import exceptions as google_exceptions
from google.auth import jwt as google_jwt

from app.http.outbound import outbound_client

ISSUERS = frozenset({"accounts.google.com", "https://accounts.google.com"})
# Google's and this server's clocks differ a little ("Token used too early").
CLOCK_SKEW_SECONDS = 60
CERTS_TTL_SECONDS = 3600


class PushRefused(Exception):
    """Not a push this app's subscription signed."""


class CertificatesUnavailable(Exception):
    """Google's certificates could not be fetched: the push should be retried."""


class GoogleCertificates:
    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self._certs: dict[str, str] = {}
        self._fetched_at = 0.0

    async def get(self, refresh: bool = False) -> dict[str, str]:
        if refresh or not self._certs or time.monotonic() - self._fetched_at > CERTS_TTL_SECONDS:
            try:
                async with outbound_client(timeout=self.timeout) as client:
                    response = await client.get(self.url)
                response.raise_for_status()
                certs = response.json()
            except (httpx.HTTPError, ValueError) as error:
                raise CertificatesUnavailable(type(error).__name__) from error
            if not isinstance(certs, dict):
                raise CertificatesUnavailable("not a certificate map")
            self._certs = {str(k): str(v) for k, v in certs.items()}
            self._fetched_at = time.monotonic()
        return self._certs


async def verify_push_token(
    authorization: str | None, certificates: GoogleCertificates, audience: str, service_account_email: str
) -> dict[str, Any]:
    """The token's claims, or PushRefused."""
    if not authorization or not authorization.startswith("Bearer "):
        raise PushRefused("no bearer token")
    token = authorization.removeprefix("Bearer ").strip()
    try:
        kid = google_jwt.decode_header(token).get("kid")  # type: ignore[attr-defined]
    except (ValueError, google_exceptions.GoogleAuthError) as error:
        raise PushRefused("not a JWT") from error
    certs = await certificates.get()
    if kid not in certs:
        certs = await certificates.get(refresh=True)  # Google rotates its keys

    def decode() -> dict[str, Any]:
        claims: dict[str, Any] = google_jwt.decode(
            token, certs=certs, audience=audience, clock_skew_in_seconds=CLOCK_SKEW_SECONDS
        )
        return claims

    try:
        claims = await anyio.to_thread.run_sync(decode)
    except (ValueError, google_exceptions.GoogleAuthError) as error:
        raise PushRefused("the token does not verify") from error
    if claims.get("iss") not in ISSUERS:
        raise PushRefused("not issued by Google")
    if claims.get("email") != service_account_email or claims.get("email_verified") is not True:
        raise PushRefused("not the push subscription's service account")
    return claims
