"""The configured store adapters of a process."""

from __future__ import annotations

from app.domain.enums import Store
from app.settings import Settings
from app.stores.app_store.api_client import AppStoreServerApi
from app.stores.base import StoreAdapter
from app.stores.google_play import GooglePlayAdapter, load_service_account
from app.stores.web_billing import WebBillingAdapter


class StoreAdapters:
    """Refund and cancel adapters per store, and the clients that read the stores' truth."""

    def __init__(
        self,
        adapters: dict[Store, StoreAdapter] | None = None,
        app_store_api: AppStoreServerApi | None = None,
    ) -> None:
        self.adapters = adapters or {}
        self.app_store_api = app_store_api or AppStoreServerApi(
            "https://api.storekit.apple.com", "https://api.storekit-sandbox.itunes.apple.com", 20.0
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> StoreAdapters:
        adapters: dict[Store, StoreAdapter] = {}
        if settings.google_play_service_account:
            adapters[Store.PLAY_STORE] = GooglePlayAdapter(
                load_service_account(settings.google_play_service_account),
                settings.google_play_api_base,
                settings.store_timeout_seconds,
            )
        if settings.stripe_api_key:
            adapters[Store.RC_BILLING] = WebBillingAdapter(
                settings.stripe_api_key, settings.stripe_api_base, settings.store_timeout_seconds
            )
        app_store_api = AppStoreServerApi(
            settings.apple_api_base, settings.apple_sandbox_api_base, settings.store_timeout_seconds
        )
        return cls(adapters, app_store_api)

    def get(self, store: Store) -> StoreAdapter | None:
        return self.adapters.get(store)

    async def close(self) -> None:
        for adapter in self.adapters.values():
            await adapter.close()
        await self.app_store_api.close()
