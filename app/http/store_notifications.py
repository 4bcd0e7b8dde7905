"""Store server notifications: POST /stores/<store>/<path token> (StoreApp.notificationPath).

No API key: the store's signature authenticates. A verified notification is written
to the inbox and answered 200 (a repeat too); a bad signature is 401 and nothing is
written; trouble the store should retry for (the database, or OCSP, unreachable) is
503, since Apple retries only 5xx answers reliably (DESIGN 4.10). The work of applying
it is the inbox worker's, so the store gets its answer within milliseconds.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import anyio.to_thread
import stripe
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.db.engine import Database
from app.db.models import StoreApp
from app.domain.enums import Store
from app.http.responses import error_response
from app.http.unavailable import RETRY_AFTER_SECONDS, is_unavailable, outage
from app.logging import log
from app.observability import metrics
from app.security.secret_box import SecretKeyMissing, SecretUnreadable
from app.services.store_apps import app_store_config, play_store_config, store_app_by_path, web_billing_config
from app.services.store_notifications import play_inbox_row, receive, receive_row, web_billing_inbox_row
from app.settings import Settings
from app.stores.app_store.verification import VerificationFailed, verify_notification
from app.stores.google_push import CertificatesUnavailable, GoogleCertificates, PushRefused, verify_push_token

MAX_SIGNED_PAYLOAD_CHARS = 200_000
STRIPE_TOLERANCE_SECONDS = 300


def _retry_later(reason: str) -> Response:
    return error_response(503, reason, "UNAVAILABLE", {"Retry-After": str(RETRY_AFTER_SECONDS)})


def _unavailable(store: Store, error: Exception) -> Response:
    """The database is down: the store retries (anything else is a bug, raised)."""
    if not is_unavailable(error):
        raise error
    outage.failed(error)
    metrics.count_store_notification(store.value, "unavailable")
    return _retry_later("Service unavailable")


async def _store_app(db: Database, store: Store, request: Request) -> StoreApp | Response:
    """The store app the URL's last segment names, or the answer to give instead."""
    try:
        async with db.read() as session:
            app = await store_app_by_path(session, store, request.path_params["token"])
    except Exception as error:
        return _unavailable(store, error)
    if app is None:
        return error_response(404, "No store app has this notification URL.", "NOT_FOUND")
    return app


def app_store_notifications(
    db: Database, settings: Settings, clock: Callable[[], datetime]
) -> Callable[[Request], object]:
    async def endpoint(request: Request) -> Response:
        store = Store.APP_STORE
        app = await _store_app(db, store, request)
        if isinstance(app, Response):
            return app
        try:
            body = json.loads(await request.body())
            signed_payload = body["signedPayload"]
            if not isinstance(signed_payload, str) or len(signed_payload) > MAX_SIGNED_PAYLOAD_CHARS:
                raise ValueError("signedPayload")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
            return error_response(400, 'The body must be {"signedPayload": "<JWS>"}.', "BAD_REQUEST")
        try:
            config = app_store_config(app, settings, with_secrets=False)
            verified = await anyio.to_thread.run_sync(verify_notification, config, signed_payload)
        except VerificationFailed as error:
            metrics.count_store_notification(store.value, "unavailable" if error.retryable else "refused")
            log.warning(
                "store_notification_refused",
                store=store.value,
                reason=error.reason,
                retryable=error.retryable,
            )
            if error.retryable:
                return _retry_later("The signature could not be checked now; try again.")
            return error_response(401, "The notification's signature does not verify.", "UNAUTHENTICATED")
        except (SecretKeyMissing, SecretUnreadable):
            log.error("store_app_secrets_unreadable", store_app_id=app.id)
            return _retry_later("The store app's configuration cannot be read now.")
        try:
            await receive(db, app, verified, clock())
        except VerificationFailed:
            return error_response(401, "The notification carries no notificationUUID.", "UNAUTHENTICATED")
        except Exception as error:
            return _unavailable(store, error)
        return JSONResponse({"received": True})

    return endpoint


def web_billing_notifications(
    db: Database, settings: Settings, clock: Callable[[], datetime]
) -> Callable[[Request], object]:
    """Stripe webhooks, verified with Stripe's own library against the app's webhook
    secrets (the newest and, during a rotation, the one before). Stripe's convention for
    a signature that does not verify is 400; nothing is written then."""

    async def endpoint(request: Request) -> Response:
        store = Store.RC_BILLING
        app = await _store_app(db, store, request)
        if isinstance(app, Response):
            return app
        try:
            config = web_billing_config(app, settings)
        except (SecretKeyMissing, SecretUnreadable):
            log.error("store_app_secrets_unreadable", store_app_id=app.id)
            return _retry_later("The store app's configuration cannot be read now.")
        payload = await request.body()
        event = verified_stripe_event(
            payload, request.headers.get("stripe-signature", ""), config.webhook_secrets
        )
        if event is None:
            metrics.count_store_notification(store.value, "refused")
            log.warning("store_notification_refused", store=store.value, reason="stripe signature")
            return error_response(400, "The Stripe-Signature does not verify.", "BAD_SIGNATURE")
        try:
            await receive_row(db, app, web_billing_inbox_row(app, event, clock()), clock())
        except Exception as error:
            return _unavailable(store, error)
        return JSONResponse({"received": True})

    return endpoint


def verified_stripe_event(payload: bytes, signature: str, secrets: tuple[str, ...]) -> dict[str, Any] | None:
    """The event, if one of the secrets signed it within Stripe's 5-minute tolerance."""
    for secret in secrets:
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, secret, tolerance=STRIPE_TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError:
            continue
        except ValueError:  # not JSON, though signed
            return None
        data: dict[str, Any] = event.to_dict()
        return data if data.get("id") else None
    return None


def play_store_notifications(
    db: Database, settings: Settings, clock: Callable[[], datetime]
) -> Callable[[Request], object]:
    """Google Play real-time developer notifications through a Pub/Sub push subscription
    with authentication: the push's OIDC token is verified (Google's signature, the
    audience, the issuer, the configured service account's verified email), the package
    name must be the app's, and the message is kept once per Pub/Sub message id."""
    certificates = GoogleCertificates(settings.google_oidc_certs_url, settings.store_timeout_seconds)

    async def endpoint(request: Request) -> Response:
        store = Store.PLAY_STORE
        app = await _store_app(db, store, request)
        if isinstance(app, Response):
            return app
        config = play_store_config(app, settings, with_secrets=False)
        audience = config.push_audience or str(request.url.replace(query=""))
        try:
            await verify_push_token(
                request.headers.get("authorization"),
                certificates,
                audience,
                config.push_service_account_email,
            )
        except PushRefused as error:
            metrics.count_store_notification(store.value, "refused")
            log.warning("store_notification_refused", store=store.value, reason=str(error))
            return error_response(401, "The push's OIDC token does not verify.", "UNAUTHENTICATED")
        except CertificatesUnavailable:
            metrics.count_store_notification(store.value, "unavailable")
            return _retry_later("Google's certificates could not be fetched; try again.")
        try:
            message = json.loads(await request.body())["message"]
            message_id = str(message["messageId"])
            notification = json.loads(base64.b64decode(message["data"]))
            if not isinstance(notification, dict):
                raise ValueError("notification")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError, binascii.Error):
            return error_response(400, "Not a Pub/Sub push of a developer notification.", "BAD_REQUEST")
        if notification.get("packageName") != config.package_name:
            log.warning("store_notification_refused", store=store.value, reason="another package")
            return error_response(400, "The notification is for another package.", "BAD_REQUEST")
        try:
            await receive_row(db, app, play_inbox_row(app, message_id, notification, clock()), clock())
        except Exception as error:
            return _unavailable(store, error)
        return JSONResponse({"received": True})

    return endpoint
