"""Google Play Developer API v3, as Google documents it.

- refund and revoke a subscription: purchases.subscriptionsv2.revoke with a full refund
  (POST .../purchases/subscriptionsv2/tokens/{token}:revoke)
- refund and revoke a one-time purchase: orders.refund with revoke=true
  (POST .../orders/{orderId}:refund?revoke=true; the order id is the transaction id)
- cancel a subscription: purchases.subscriptionsv2.cancel
  (POST .../purchases/subscriptionsv2/tokens/{token}:cancel)

Authentication: an OAuth 2 access token for a service account (google-auth), scope
androidpublisher; the token is refreshed in a thread (google-auth is synchronous).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from google.auth.transport.requests import Request
from google.oauth2 import service_account

from app.domain.enums import Store
from app.http.outbound import outbound_client
from app.stores.base import MissingStoreReference, StoreAdapter, StoreError, StorePurchaseRef

SCOPE = "https://www.googleapis.com/auth/androidpublisher"


def load_service_account(value: str) -> dict[str, Any]:
    """The key as JSON text, or the path of a JSON key file."""
    text = value if value.lstrip().startswith("{") else Path(value).read_text()
    return json.loads(text)  # type: ignore[no-any-return]


class GooglePlayAdapter(StoreAdapter):
    store = Store.PLAY_STORE

    def __init__(self, service_account_info: dict[str, Any], api_base: str, timeout: float) -> None:
        self.credentials = service_account.Credentials.from_service_account_info(
            service_account_info, scopes=[SCOPE]
        )
        self.api_base = api_base.rstrip("/")
        self.timeout = timeout
        self.client = outbound_client(timeout=timeout)
        self._token_lock = asyncio.Lock()

    async def _token(self) -> str:
        async with self._token_lock:
            if not self.credentials.valid:
                try:
                    await asyncio.wait_for(
                        asyncio.to_thread(self.credentials.refresh, Request()), timeout=self.timeout
                    )
                except TimeoutError as exc:
                    raise StoreError(self.store, "the token request timed out") from exc
                except Exception as exc:
                    raise StoreError(self.store, f"could not obtain an access token: {exc}") from exc
            return str(self.credentials.token)

    def _app(self, ref: StorePurchaseRef) -> str:
        if not ref.package_name:
            raise MissingStoreReference(
                "The purchase has no Google Play package name (post it with the receipt)."
            )
        return f"{self.api_base}/androidpublisher/v3/applications/{quote(ref.package_name, safe='')}"

    def _token_path(self, ref: StorePurchaseRef) -> str:
        if not ref.purchase_token:
            raise MissingStoreReference(
                "The purchase has no Google Play purchase token (post it with the receipt)."
            )
        return f"{self._app(ref)}/purchases/subscriptionsv2/tokens/{quote(ref.purchase_token, safe='')}"

    async def refund(self, ref: StorePurchaseRef, idempotency_key: str) -> None:
        if ref.is_subscription:
            url = f"{self._token_path(ref)}:revoke"
            await self._post(url, {"revocationContext": {"fullRefund": {}}})
        else:
            order = quote(ref.latest_transaction_id, safe="")
            await self._post(f"{self._app(ref)}/orders/{order}:refund", None, params={"revoke": "true"})

    async def cancel(self, ref: StorePurchaseRef, idempotency_key: str) -> None:
        body = {"cancellationContext": {"cancellationType": "DEVELOPER_REQUESTED_STOP_PAYMENTS"}}
        await self._post(f"{self._token_path(ref)}:cancel", body)

    async def _post(
        self, url: str, body: dict[str, Any] | None, params: dict[str, str] | None = None
    ) -> None:
        headers = {"Authorization": f"Bearer {await self._token()}", "Accept": "application/json"}
        try:
            response = await self.client.post(url, json=body, params=params, headers=headers)
        except httpx.TimeoutException as exc:
            raise StoreError(self.store, "the request timed out") from exc
        except httpx.HTTPError as exc:
            raise StoreError(self.store, f"the request failed: {type(exc).__name__}") from exc
        if response.status_code >= 300:
            raise StoreError(self.store, _error_message(response), response.status_code)

    # -- reading the truth (DESIGN 4.10) -------------------------------------------------

    async def subscription(self, package_name: str, purchase_token: str) -> dict[str, Any]:
        """purchases.subscriptionsv2.get: the subscription the token names."""
        return await self._get(
            f"{self._package(package_name)}/purchases/subscriptionsv2/tokens/{quote(purchase_token, safe='')}"
        )

    async def orders(self, package_name: str, order_ids: list[str]) -> list[dict[str, Any]]:
        """orders.batchget: the orders (periods) of a purchase."""
        answer = await self._get(
            f"{self._package(package_name)}/orders:batchGet",
            params=httpx.QueryParams([("orderIds", i) for i in order_ids]),
        )
        return list(answer.get("orders") or [])

    async def product(self, package_name: str, product_id: str, purchase_token: str) -> dict[str, Any]:
        """purchases.products.get: a one-time purchase."""
        return await self._get(
            f"{self._package(package_name)}/purchases/products/{quote(product_id, safe='')}/tokens/{quote(purchase_token, safe='')}"
        )

    async def acknowledge(
        self, package_name: str, product_id: str, purchase_token: str, subscription: bool
    ) -> None:
        """Google refunds a purchase not acknowledged within three days: acknowledge it."""
        kind = "subscriptions" if subscription else "products"
        url = f"{self._package(package_name)}/purchases/{kind}/{quote(product_id, safe='')}/tokens/{quote(purchase_token, safe='')}:acknowledge"
        await self._post(url, {})

    def _package(self, package_name: str) -> str:
        return f"{self.api_base}/androidpublisher/v3/applications/{quote(package_name, safe='')}"

    async def _get(self, url: str, params: httpx.QueryParams | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {await self._token()}", "Accept": "application/json"}
        try:
            response = await self.client.get(url, params=params, headers=headers)
        except httpx.TimeoutException as exc:
            raise StoreError(self.store, "the request timed out") from exc
        except httpx.HTTPError as exc:
            raise StoreError(self.store, f"the request failed: {type(exc).__name__}") from exc
        if response.status_code in (404, 410):
            raise NotAtGoogle(_error_message(response))
        if response.status_code >= 300:
            raise StoreError(self.store, _error_message(response), response.status_code)
        try:
            body = response.json()
        except ValueError as exc:
            raise StoreError(self.store, "Google answered no JSON", response.status_code) from exc
        return body if isinstance(body, dict) else {}

    async def close(self) -> None:
        await self.client.aclose()


class NotAtGoogle(Exception):
    """Google does not know this purchase token (or it expired long ago)."""


def _error_message(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:200] or response.reason_phrase
