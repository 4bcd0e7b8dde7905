"""The project's store apps: configured by ADMIN keys, their secrets sealed at rest."""

from __future__ import annotations

import base64
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database
from app.db.models import StoreApp, StoreNotification
from app.domain.enums import Store
from app.domain.errors import DomainError, DomainErrors, ErrorCode
from app.security.secret_box import SecretBox, SecretKeyMissing, SecretUnreadable
from app.services.unit_of_work import in_transaction
from app.settings import Settings
from app.stores.app_store.config import (
    AppStoreApp,
    app_from_config,
    decode_root_certificates,
    load_root_certificates,
)
from app.stores.app_store.verification import ConfigurationMissing

# The URL path segment of each store's notifications (StoreApp.notificationPath).
NOTIFICATION_SEGMENTS = {
    Store.APP_STORE: "app-store",
    Store.PLAY_STORE: "play-store",
    Store.RC_BILLING: "web-billing",
}
BUNDLE_ID = re.compile(r"^[A-Za-z0-9.\-]{1,155}$")
MAX_ROOT_CERTIFICATES = 10
MAX_SECRET_CHARS = 10_000


def notification_path(app: StoreApp) -> str:
    return f"/stores/{NOTIFICATION_SEGMENTS[app.store]}/{app.path_token}"


@lru_cache(maxsize=4)
def secret_box(secret_key: str | None) -> SecretBox:
    return SecretBox(secret_key)


@lru_cache(maxsize=4)
def default_apple_roots(paths: str | None) -> tuple[bytes, ...]:
    return load_root_certificates(paths)


@dataclass(frozen=True, slots=True)
class AppStoreAppRequest:
    bundle_id: str
    app_apple_id: str | None = None
    root_certificates: list[str] | None = None
    online_checks: bool = True
    issuer_id: str | None = None
    key_id: str | None = None
    private_key: str | None = None


def _app_store_problems(
    request: AppStoreAppRequest,
) -> tuple[dict[str, Any], dict[str, Any], list[DomainError]]:
    """The config and secrets to store, or what is wrong with the request."""
    problems: list[DomainError] = []

    def refuse(field: str, message: str) -> None:
        problems.append(DomainError(ErrorCode.INVALID_INPUT, message, ("input", field)))

    if not BUNDLE_ID.match(request.bundle_id):
        refuse("bundleId", "A bundle id is letters, digits, dots and hyphens (at most 155).")
    if request.app_apple_id is not None and not re.fullmatch(r"[0-9]{1,19}", request.app_apple_id):
        refuse("appAppleId", "The app's Apple ID is decimal digits.")
    roots: list[str] = []
    if request.root_certificates is not None:
        if len(request.root_certificates) > MAX_ROOT_CERTIFICATES:
            refuse("rootCertificates", f"At most {MAX_ROOT_CERTIFICATES} root certificates.")
        else:
            try:
                roots = [
                    base64.b64encode(der).decode()
                    for der in decode_root_certificates(request.root_certificates)
                ]
            except ValueError:
                refuse("rootCertificates", "Each root certificate must be a base64 DER X.509 certificate.")
    credentials = (request.issuer_id, request.key_id, request.private_key)
    if any(credentials) and not all(credentials):
        refuse("privateKey", "The App Store Server API key needs issuerId, keyId and privateKey together.")
    elif request.private_key and (
        len(request.private_key) > MAX_SECRET_CHARS or not _is_ec_private_key(request.private_key)
    ):
        refuse("privateKey", "The private key must be the .p8 file's PEM text (an EC P-256 key).")
    for name, value in (("issuerId", request.issuer_id), ("keyId", request.key_id)):
        if value is not None and not re.fullmatch(r"[A-Za-z0-9\-]{1,64}", value):
            refuse(name, f"{name} is letters, digits and hyphens.")
    config = {
        "app_apple_id": request.app_apple_id,
        "root_certificates": roots,
        "online_checks": request.online_checks,
        "issuer_id": request.issuer_id,
        "key_id": request.key_id,
    }
    return config, ({"private_key": request.private_key} if request.private_key else {}), problems


@dataclass(frozen=True, slots=True)
class WebBillingAppRequest:
    label: str
    webhook_secret: str
    stripe_api_key: str | None = None


@dataclass(frozen=True, slots=True)
class WebBillingApp:
    """What reading Stripe and verifying its webhooks needs, secrets opened."""

    store_app_id: int
    project_id: int
    api_key: str | None
    # The newest first; the one before stays valid until the next change (rotation).
    webhook_secrets: tuple[str, ...]


def _web_billing_problems(request: WebBillingAppRequest) -> list[DomainError]:
    problems = []
    if not 1 <= len(request.label.strip()) <= 200:
        problems.append(
            DomainError(ErrorCode.INVALID_INPUT, "The label is 1 to 200 characters.", ("input", "label"))
        )
    if not re.fullmatch(r"whsec_[A-Za-z0-9+/=_\-]{8,200}", request.webhook_secret):
        problems.append(
            DomainError(
                ErrorCode.INVALID_INPUT,
                "A Stripe webhook secret starts with whsec_.",
                ("input", "webhookSecret"),
            )
        )
    if request.stripe_api_key is not None and not re.fullmatch(
        r"(sk|rk)_[A-Za-z0-9_]{8,200}", request.stripe_api_key
    ):
        problems.append(
            DomainError(
                ErrorCode.INVALID_INPUT,
                "Use a Stripe secret (sk_) or restricted (rk_) key.",
                ("input", "stripeApiKey"),
            )
        )
    return problems


async def configure_web_billing_app(
    db: Database, settings: Settings, project_id: int, request: WebBillingAppRequest, now: datetime
) -> StoreApp:
    """Creates or replaces the project's Web Billing app of this label. A new webhook
    secret keeps the previous one valid too, so Stripe's rotation loses no event."""
    problems = _web_billing_problems(request)
    if problems:
        raise DomainErrors(problems)
    box = secret_box(settings.secret_key)
    if not box.available:
        raise DomainError(
            ErrorCode.STORE_NOT_CONFIGURED,
            "The server has no SECRET_KEY, so it cannot keep the webhook secret: set SECRET_KEY first.",
            ("input", "webhookSecret"),
        )
    label = request.label.strip()
    async with db.read() as session:
        existing = (
            await session.exec(
                select(StoreApp).where(
                    StoreApp.project_id == project_id,
                    StoreApp.store == Store.RC_BILLING,
                    StoreApp.app_identifier == label,
                )
            )
        ).first()
    previous = box.open(existing.secrets).get("webhook_secrets", []) if existing and existing.secrets else []
    secrets_ = [request.webhook_secret, *[s for s in previous[:1] if s != request.webhook_secret]]
    sealed = box.seal({"stripe_api_key": request.stripe_api_key, "webhook_secrets": secrets_})
    return await _upsert(db, project_id, Store.RC_BILLING, label, {}, sealed, now)


def web_billing_config(app: StoreApp, settings: Settings) -> WebBillingApp:
    assert app.id is not None
    opened = secret_box(settings.secret_key).open(app.secrets)
    return WebBillingApp(
        store_app_id=app.id,
        project_id=app.project_id,
        api_key=opened.get("stripe_api_key") or settings.stripe_api_key,
        webhook_secrets=tuple(opened.get("webhook_secrets") or ()),
    )


PACKAGE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")


@dataclass(frozen=True, slots=True)
class PlayStoreAppRequest:
    package_name: str
    push_service_account_email: str
    service_account_json: str | None = None
    push_audience: str | None = None


@dataclass(frozen=True, slots=True)
class PlayStoreApp:
    """What reading the Play Developer API and verifying Pub/Sub pushes needs."""

    store_app_id: int
    project_id: int
    package_name: str
    service_account: dict[str, Any] | None = field(repr=False)
    push_audience: str | None
    push_service_account_email: str


def _play_problems(request: PlayStoreAppRequest) -> tuple[dict[str, Any] | None, list[DomainError]]:
    problems: list[DomainError] = []
    if len(request.package_name) > 255 or not PACKAGE_NAME.match(request.package_name):
        problems.append(
            DomainError(ErrorCode.INVALID_INPUT, "Not an Android package name.", ("input", "packageName"))
        )
    if not EMAIL.match(request.push_service_account_email):
        problems.append(
            DomainError(
                ErrorCode.INVALID_INPUT, "Not an email address.", ("input", "pushServiceAccountEmail")
            )
        )
    if request.push_audience is not None and not 1 <= len(request.push_audience) <= 500:
        problems.append(
            DomainError(
                ErrorCode.INVALID_INPUT, "The audience is 1 to 500 characters.", ("input", "pushAudience")
            )
        )
    account = None
    if request.service_account_json is not None:
        try:
            account = (
                json.loads(request.service_account_json)
                if len(request.service_account_json) <= MAX_SECRET_CHARS
                else None
            )
        except ValueError:
            account = None
        if not isinstance(account, dict) or not {"client_email", "private_key", "token_uri"} <= set(account):
            problems.append(
                DomainError(
                    ErrorCode.INVALID_INPUT,
                    "A service account JSON key has client_email, private_key and token_uri.",
                    ("input", "serviceAccountJson"),
                )
            )
            account = None
    return account, problems


async def configure_play_store_app(
    db: Database, settings: Settings, project_id: int, request: PlayStoreAppRequest, now: datetime
) -> StoreApp:
    """Creates or replaces the project's Play Store app of this package name."""
    account, problems = _play_problems(request)
    if problems:
        raise DomainErrors(problems)
    sealed = None
    if account is not None:
        try:
            sealed = secret_box(settings.secret_key).seal({"service_account": account})
        except SecretKeyMissing as error:
            raise DomainError(
                ErrorCode.STORE_NOT_CONFIGURED,
                "The server has no SECRET_KEY, so it cannot keep a service account key: set SECRET_KEY first.",
                ("input", "serviceAccountJson"),
            ) from error
    config = {
        "push_audience": request.push_audience,
        "push_service_account_email": request.push_service_account_email,
    }
    return await _upsert(db, project_id, Store.PLAY_STORE, request.package_name, config, sealed, now)


def play_store_config(app: StoreApp, settings: Settings, with_secrets: bool = True) -> PlayStoreApp:
    assert app.id is not None
    from app.stores.google_play import load_service_account

    config = json.loads(app.config)
    account = (
        secret_box(settings.secret_key).open(app.secrets).get("service_account")
        if app.secrets and with_secrets
        else None
    )
    if account is None and with_secrets and settings.google_play_service_account:
        account = load_service_account(settings.google_play_service_account)
    return PlayStoreApp(
        store_app_id=app.id,
        project_id=app.project_id,
        package_name=app.app_identifier,
        service_account=account,
        push_audience=config.get("push_audience"),
        push_service_account_email=str(config.get("push_service_account_email") or ""),
    )


def _is_ec_private_key(pem: str) -> bool:
    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        return False
    return isinstance(key, ec.EllipticCurvePrivateKey)


async def configure_app_store_app(
    db: Database, settings: Settings, project_id: int, request: AppStoreAppRequest, now: datetime
) -> StoreApp:
    """Creates or replaces the project's App Store app of this bundle id."""
    config, sealed_values, problems = _app_store_problems(request)
    if problems:
        raise DomainErrors(problems)
    sealed = None
    if sealed_values:
        try:
            sealed = secret_box(settings.secret_key).seal(sealed_values)
        except SecretKeyMissing as error:
            raise DomainError(
                ErrorCode.STORE_NOT_CONFIGURED,
                "The server has no SECRET_KEY, so it cannot keep an API key: set SECRET_KEY first.",
                ("input", "privateKey"),
            ) from error
    return await _upsert(db, project_id, Store.APP_STORE, request.bundle_id, config, sealed, now)


async def _upsert(
    db: Database,
    project_id: int,
    store: Store,
    app_identifier: str,
    config: dict[str, Any],
    sealed: str | None,
    now: datetime,
) -> StoreApp:
    async def work(session: AsyncSession) -> StoreApp:
        existing = (
            await session.exec(
                select(StoreApp).where(
                    StoreApp.project_id == project_id,
                    StoreApp.store == store,
                    StoreApp.app_identifier == app_identifier,
                )
            )
        ).first()
        app = existing or StoreApp(
            project_id=project_id,
            store=store,
            app_identifier=app_identifier,
            path_token=secrets.token_urlsafe(24),
            created_at=now,
        )
        app.config = json.dumps(config, sort_keys=True)
        app.secrets = sealed
        app.updated_at = now
        session.add(app)
        await session.flush()
        return app

    return await in_transaction(db, work)


async def delete_store_app(db: Database, project_id: int, store_app_id: int) -> int:
    async def work(session: AsyncSession) -> int:
        app = await session.get(StoreApp, store_app_id)
        if app is None or app.project_id != project_id:
            raise DomainError(
                ErrorCode.INVALID_INPUT, "No such store app in this project.", ("input", "storeAppId")
            )
        await session.delete(app)
        return store_app_id

    return await in_transaction(db, work)


async def project_store_apps(
    session: AsyncSession, project_id: int, store: Store | None = None
) -> list[StoreApp]:
    statement = select(StoreApp).where(StoreApp.project_id == project_id)
    if store is not None:
        statement = statement.where(StoreApp.store == store)
    return list((await session.exec(statement.order_by(col(StoreApp.id)))).all())


async def store_app_by_path(session: AsyncSession, store: Store, path_token: str) -> StoreApp | None:
    return (
        await session.exec(select(StoreApp).where(StoreApp.path_token == path_token, StoreApp.store == store))
    ).first()


def app_store_config(app: StoreApp, settings: Settings, with_secrets: bool = True) -> AppStoreApp:
    """What verifying (and, with its secrets, reading) this App Store app needs.

    Verifying needs no secret: a notification still verifies when SECRET_KEY is lost."""
    assert app.id is not None
    opened = secret_box(settings.secret_key).open(app.secrets) if app.secrets and with_secrets else {}
    try:
        roots = default_apple_roots(settings.apple_root_certificates)
    except (OSError, ValueError) as error:
        raise ConfigurationMissing("APPLE_ROOT_CERTIFICATES cannot be read") from error
    return app_from_config(app.id, app.project_id, app.app_identifier, json.loads(app.config), opened, roots)


def has_api_credentials(app: StoreApp, settings: Settings | None = None) -> bool:
    """App Store: an API key is stored. Web Billing: a Stripe key, the app's own (sealed
    with the webhook secret) or the server's STRIPE_API_KEY."""
    if app.store is Store.PLAY_STORE:
        return bool(app.secrets) or bool(settings and settings.google_play_service_account)
    if app.store is Store.RC_BILLING:
        if settings is None:
            return False
        try:
            return web_billing_config(app, settings).api_key is not None
        except (SecretKeyMissing, SecretUnreadable):
            return False
    return bool(app.secrets)


async def recent_notifications(
    session: AsyncSession, store_app_id: int, limit: int
) -> list[StoreNotification]:
    statement = (
        select(StoreNotification)
        .where(StoreNotification.store_app_id == store_app_id)
        .order_by(col(StoreNotification.received_at).desc(), col(StoreNotification.id).desc())
        .limit(limit)
    )
    return list((await session.exec(statement)).all())
