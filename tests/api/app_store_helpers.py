"""An API client whose project has an App Store app verified against the tests' own
Apple-shaped certificate chain, and helpers to post what the App Store would sign."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from app.db.engine import Database
from app.main import create_app
from app.services.rates import rate_table
from app.services.store_notifications import InboxWorker
from app.settings import Settings
from app.stores.registry import StoreAdapters
from tests.api.helpers import configure_catalog
from tests.conftest import ApiClient, Clock, make_settings, new_api_client
from tests.store_pki import APP_APPLE_ID, BUNDLE_ID, TestPKI, notification_payload

SECRET_KEY = "test-secret-key-for-store-credentials"

RECORD_STORE_PURCHASE = """
mutation($input: RecordStorePurchaseInput!) {
  recordStorePurchase(input: $input) {
    customer { id appUserId }
    events { type webhookEventType productId periodType environment price { amount currency } }
    userErrors { field message code }
  }
}
"""

# What an SDK key may read back: the events' types and when, not their prices or ids.
SDK_RECORD_STORE_PURCHASE = """
mutation($input: RecordStorePurchaseInput!) {
  recordStorePurchase(input: $input) {
    customer { appUserId }
    events { type webhookEventType environment }
    userErrors { field message code }
  }
}
"""

CONFIGURE_APP = """
mutation($input: ConfigureAppStoreAppInput!) {
  configureAppStoreApp(input: $input) {
    storeApp { id store appIdentifier notificationPath hasApiCredentials lastNotificationAt }
    userErrors { field message code }
  }
}
"""

STORE_STATE = """
query($id: String!) {
  customer(appUserId: $id) {
    appUserId
    totalSpent { amount currency }
    entitlements { entitlement { identifier } isActive willRenew billingIssueDetectedAt gracePeriodExpiresAt }
    purchases(sandbox: true) { productId status willRenew expiresAt periodType refundedAt environment
                               originalTransactionId }
    history(first: 100, sandbox: true) { edges { node { type webhookEventType productId transactionId } } }
  }
}
"""


@dataclass
class AppStoreProject:
    api: ApiClient
    pki: TestPKI
    settings: Settings
    stores: StoreAdapters
    clock: Clock
    notification_path: str
    store_app_id: str

    async def purchase(
        self, app_user_id: str, signed: str, key: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        data = await self.api.gql(
            SDK_RECORD_STORE_PURCHASE if key else RECORD_STORE_PURCHASE,
            {"input": {"appUserId": app_user_id, "store": "APP_STORE", "signedTransaction": signed, **extra}},
            key=key,
        )
        return data["recordStorePurchase"]  # type: ignore[no-any-return]

    async def notify(self, notification_type: str, **kwargs: Any) -> httpx.Response:
        claims = notification_payload(self.pki, notification_type, **kwargs)
        return await self.post_notification(self.pki.sign(claims))

    async def post_notification(self, signed_payload: str) -> httpx.Response:
        return await self.api.http.post(self.notification_path, json={"signedPayload": signed_payload})

    def worker(self) -> InboxWorker:
        return InboxWorker(
            self.api.db, self.settings, self.stores.app_store_api, rate_table(self.settings), self.clock
        )

    async def apply_inbox(self) -> int:
        worker = self.worker()
        total = 0
        while applied := await worker.run_once():
            total += applied
        return total

    async def state(self, app_user_id: str) -> dict[str, Any]:
        return (await self.api.gql(STORE_STATE, {"id": app_user_id}))["customer"]  # type: ignore[no-any-return]

    async def history(self, app_user_id: str) -> list[str]:
        state = await self.state(app_user_id)
        return [edge["node"]["type"] for edge in reversed(state["history"]["edges"])]


async def app_store_project(
    db: Database,
    database_url: str,
    clock: Clock,
    pki: TestPKI,
    online_checks: bool = False,
    app_input: dict[str, Any] | None = None,
    **settings_overrides: Any,
) -> tuple[AppStoreProject, StoreAdapters]:
    settings = make_settings(database_url, secret_key=SECRET_KEY, **settings_overrides)
    stores = StoreAdapters.from_settings(settings)
    app = create_app(settings, db, clock, stores)
    api = await new_api_client(db, app)
    await configure_catalog(api)
    data = await api.gql(
        CONFIGURE_APP,
        {
            "input": {
                "bundleId": BUNDLE_ID,
                "appAppleId": str(APP_APPLE_ID),
                "rootCertificates": [pki.root_base64],
                "onlineChecks": online_checks,
                **(app_input or {}),
            }
        },
    )
    payload = data["configureAppStoreApp"]
    assert payload["userErrors"] == []
    project = AppStoreProject(
        api, pki, settings, stores, clock, payload["storeApp"]["notificationPath"], payload["storeApp"]["id"]
    )
    return project, stores
