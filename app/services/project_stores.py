"""The store clients one project's refunds, cancellations and deletions go through: the
credentials of its own store apps where it has them (DESIGN 4.10, issue 12 item 5), the
server-wide GOOGLE_PLAY_SERVICE_ACCOUNT and STRIPE_API_KEY otherwise."""

from __future__ import annotations

import hashlib

from app.db.engine import Database
from app.domain.enums import Store
from app.logging import log
from app.security.secret_box import SecretKeyMissing, SecretUnreadable
from app.services.play_purchases import client_for
from app.services.store_apps import play_store_config, project_store_apps, web_billing_config
from app.settings import Settings
from app.stores.base import StoreAdapter
from app.stores.registry import StoreAdapters
from app.stores.web_billing import WebBillingAdapter

_web_billing: dict[tuple[int, str, str], WebBillingAdapter] = {}


async def adapters_for_project(
    db: Database, settings: Settings, stores: StoreAdapters, project_id: int
) -> StoreAdapters:
    """The server's adapters, with the project's store apps' own credentials on top.
    (A project with several Play Store apps uses the first one holding a service account.)"""
    async with db.read() as session:
        apps = await project_store_apps(session, project_id)
    own: dict[Store, StoreAdapter] = {}
    for app in apps:
        if not app.secrets:
            continue
        try:
            if app.store is Store.PLAY_STORE and Store.PLAY_STORE not in own:
                play = play_store_config(app, settings)
                if play.service_account is not None:
                    own[Store.PLAY_STORE] = client_for(play, settings)
            elif app.store is Store.RC_BILLING and Store.RC_BILLING not in own:
                key = web_billing_config(app, settings).api_key
                if key:
                    cache_key = (
                        app.id or 0,
                        settings.stripe_api_base,
                        hashlib.sha256(key.encode()).hexdigest(),
                    )
                    cached = _web_billing.get(cache_key)
                    if cached is None:
                        cached = _web_billing[cache_key] = WebBillingAdapter(
                            key, settings.stripe_api_base, settings.store_timeout_seconds
                        )
                    own[Store.RC_BILLING] = cached
        except (SecretKeyMissing, SecretUnreadable):
            log.error("store_app_secrets_unreadable", store_app_id=app.id)
    if not own:
        return stores
    return StoreAdapters({**stores.adapters, **own}, stores.app_store_api)
