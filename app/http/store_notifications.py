"""Store server notifications: POST /stores/<store>/<path token> (StoreApp.notificationPath).

No API key: the store's signature authenticates. A verified notification is written
to the inbox and answered 200 (a repeat too); a bad signature is 401 and nothing is
written; trouble the store should retry for (the database, or OCSP, unreachable) is
503, since Apple retries only 5xx answers reliably (DESIGN 4.10). The work of applying
it is the inbox worker's, so the store gets its answer within milliseconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.db.engine import Database
from app.domain.enums import Store
from app.http.responses import error_response
from app.http.unavailable import RETRY_AFTER_SECONDS, is_unavailable, outage
from app.logging import log
from app.observability import metrics
from app.security.secret_box import SecretKeyMissing, SecretUnreadable
from app.services.store_apps import app_store_config, store_app_by_path
from app.services.store_notifications import receive
from app.settings import Settings
from app.stores.app_store.verification import VerificationFailed, verify_notification

MAX_SIGNED_PAYLOAD_CHARS = 200_000


def _retry_later(reason: str) -> Response:
    return error_response(503, reason, "UNAVAILABLE", {"Retry-After": str(RETRY_AFTER_SECONDS)})


def app_store_notifications(
    db: Database, settings: Settings, clock: Callable[[], datetime]
) -> Callable[[Request], object]:
    async def endpoint(request: Request) -> Response:
        store = Store.APP_STORE
        try:
            async with db.read() as session:
                app = await store_app_by_path(session, store, request.path_params["token"])
        except Exception as error:
            if not is_unavailable(error):
                raise
            outage.failed(error)
            metrics.count_store_notification(store.value, "unavailable")
            return _retry_later("Service unavailable")
        if app is None:
            return error_response(404, "No store app has this notification URL.", "NOT_FOUND")
        try:
            body = json.loads(await request.body())
            signed_payload = body["signedPayload"]
            if not isinstance(signed_payload, str) or len(signed_payload) > MAX_SIGNED_PAYLOAD_CHARS:
                raise ValueError("signedPayload")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return error_response(400, 'The body must be {"signedPayload": "<JWS>"}.', "BAD_REQUEST")
        try:
            config = app_store_config(app, settings)
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
            if not is_unavailable(error):
                raise
            outage.failed(error)
            metrics.count_store_notification(store.value, "unavailable")
            return _retry_later("Service unavailable")
        return JSONResponse({"received": True})

    return endpoint
