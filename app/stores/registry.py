"""The configured store adapters of a process."""

from __future__ import annotations

from app.domain.enums import Store
from app.settings import Settings
from app.stores.base import StoreAdapter
from app.stores.google_play import GooglePlayAdapter, load_service_account
from app.stores.web_billing import WebBillingAdapter


class StoreAdapters:
    def __init__(self, adapters: dict[Store, StoreAdapter] | None = None) -> None:
        self.adapters = adapters or {}

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
        return cls(adapters)

    def get(self, store: Store) -> StoreAdapter | None:
        return self.adapters.get(store)

    async def close(self) -> None:
        for adapter in self.adapters.values():
            await adapter.close()
