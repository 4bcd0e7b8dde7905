"""The App Store Server API: the whole history of a purchase, as Apple holds it.

A small httpx client rather than the library's, whose base URL cannot be configured:
APPLE_API_BASE (and APPLE_SANDBOX_API_BASE) point tests at a fake on loopback. Every
signed field it returns is verified like any other App Store data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import httpx
import jwt

from app.domain.enums import Environment, Store
from app.http.outbound import outbound_client
from app.stores.app_store.config import AppStoreApp
from app.stores.app_store.verification import VerificationFailed, verify_renewal_info, verify_transaction
from app.stores.base import StoreError

# Apple caps a history answer at 20 transactions a page; this bounds a runaway loop.
MAX_HISTORY_PAGES = 100
TOKEN_LIFETIME_SECONDS = 300


@dataclass(frozen=True, slots=True)
class PurchaseHistory:
    transactions: list[dict[str, Any]]
    # The renewal info of the subscription, when Apple reports one.
    renewal: dict[str, Any] | None


def bearer_token(app: AppStoreApp, now: float | None = None) -> str:
    assert app.credentials is not None
    issued = int(now if now is not None else time.time())
    return jwt.encode(
        {
            "iss": app.credentials.issuer_id,
            "iat": issued,
            "exp": issued + TOKEN_LIFETIME_SECONDS,
            "aud": "appstoreconnect-v1",
            "bid": app.bundle_id,
        },
        app.credentials.private_key,
        algorithm="ES256",
        headers={"kid": app.credentials.key_id, "typ": "JWT"},
    )


class AppStoreServerApi:
    def __init__(self, production_base: str, sandbox_base: str, timeout_seconds: float) -> None:
        self.bases = {
            Environment.PRODUCTION: production_base.rstrip("/"),
            Environment.SANDBOX: sandbox_base.rstrip("/"),
        }
        self.client = outbound_client(timeout=timeout_seconds, follow_redirects=False)

    async def close(self) -> None:
        await self.client.aclose()

    async def _get(
        self, app: AppStoreApp, environment: Environment, path: str, params: dict[str, str]
    ) -> Any:
        url = self.bases[environment] + path
        try:
            response = await self.client.get(
                url, params=params, headers={"Authorization": f"Bearer {bearer_token(app)}"}
            )
        except httpx.HTTPError as error:
            raise StoreError(
                Store.APP_STORE, f"the App Store Server API did not answer ({type(error).__name__})"
            ) from error
        if response.status_code == 404:
            raise VerificationFailed("the App Store does not know this transaction")
        if response.status_code != 200:
            raise StoreError(
                Store.APP_STORE, "the App Store Server API refused the request", response.status_code
            )
        try:
            return response.json()
        except ValueError as error:
            raise StoreError(Store.APP_STORE, "the App Store Server API answered no JSON", 200) from error

    async def purchase_history(
        self, app: AppStoreApp, environment: Environment, transaction_id: str, original_transaction_id: str
    ) -> PurchaseHistory:
        """Every transaction of the transaction's purchase, verified, and its renewal info.

        Apple's history is the whole Apple account's (every product): only the periods of
        this one purchase (its original transaction id) are kept.

        Verification is CPU work plus, with online checks, OCSP calls: a thread does it.
        """
        signed: list[str] = []
        revision: str | None = None
        for _ in range(MAX_HISTORY_PAGES):
            params = {"sort": "ASCENDING"} | ({"revision": revision} if revision else {})
            page = await self._get(app, environment, f"/inApps/v2/history/{transaction_id}", params)
            signed += [s for s in page.get("signedTransactions") or [] if isinstance(s, str)]
            revision = page.get("revision")
            if not page.get("hasMore") or not revision:
                break
        statuses = await self._get(app, environment, f"/inApps/v1/subscriptions/{transaction_id}", {})

        def verify_all() -> PurchaseHistory:
            transactions = []
            for item in signed:
                verified_env, claims = verify_transaction(app, item)
                if verified_env is not environment:
                    raise VerificationFailed("signed for another environment")
                if (
                    str(claims.get("originalTransactionId") or claims.get("transactionId"))
                    == original_transaction_id
                ):
                    transactions.append(claims)
            renewal = None
            for group in statuses.get("data") or []:
                for last in group.get("lastTransactions") or []:
                    if last.get("originalTransactionId") == original_transaction_id and last.get(
                        "signedRenewalInfo"
                    ):
                        renewal = verify_renewal_info(app, last["signedRenewalInfo"], environment)
            return PurchaseHistory(transactions, renewal)

        return await anyio.to_thread.run_sync(verify_all)
