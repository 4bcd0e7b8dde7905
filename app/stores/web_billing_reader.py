"""Reading a Web Billing purchase back from Stripe with the app's key: the subscription,
its invoices and its customer's charges (three calls, whatever the subscription's age),
or a one-time payment intent. What Stripe answers is the truth; what the app said is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe

from app.domain.enums import Store
from app.stores.base import StoreError

# Enough for eight years of monthly invoices; Stripe pages at 100.
MAX_PAGES = 10


class NotAtStripe(Exception):
    """Stripe does not know this id (with this key)."""


@dataclass(frozen=True, slots=True)
class SubscriptionTruth:
    subscription: dict[str, Any]
    invoices: list[dict[str, Any]]
    charges: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class PaymentTruth:
    payment_intent: dict[str, Any]
    charges: list[dict[str, Any]]


class WebBillingReader:
    def __init__(self, api_key: str, api_base: str, timeout: float) -> None:
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base.rstrip("/")},
            http_client=stripe.HTTPXClient(timeout=timeout),
            max_network_retries=1,
        )

    async def subscription(self, subscription_id: str) -> SubscriptionTruth:
        subscription = await self._call(self.client.v1.subscriptions.retrieve_async(subscription_id))
        invoices = await self._all(self.client.v1.invoices.list_async, {"subscription": subscription_id})
        customer = subscription.get("customer")
        customer_id = customer.get("id") if isinstance(customer, dict) else customer
        charges = (
            await self._all(self.client.v1.charges.list_async, {"customer": customer_id})
            if customer_id
            else []
        )
        return SubscriptionTruth(subscription, invoices, charges)

    async def payment(self, payment_intent_id: str) -> PaymentTruth:
        intent = await self._call(self.client.v1.payment_intents.retrieve_async(payment_intent_id))
        charges = await self._all(self.client.v1.charges.list_async, {"payment_intent": payment_intent_id})
        return PaymentTruth(intent, charges)

    async def _all(self, list_call: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        after: str | None = None
        for _ in range(MAX_PAGES):
            page = await self._call(
                list_call({**params, "limit": 100, **({"starting_after": after} if after else {})})
            )
            data = page.get("data") or []
            items += data
            if not page.get("has_more") or not data:
                break
            after = data[-1]["id"]
        return items

    async def _call(self, request: Any) -> dict[str, Any]:
        try:
            result = await request
        except stripe.InvalidRequestError as error:
            if getattr(error, "http_status", None) == 404:
                raise NotAtStripe(str(error)) from error
            raise StoreError(Store.RC_BILLING, error.user_message or str(error), error.http_status) from error
        except stripe.StripeError as error:
            status = getattr(error, "http_status", None)
            raise StoreError(
                Store.RC_BILLING, error.user_message or str(error) or type(error).__name__, status
            ) from error
        return result.to_dict() if hasattr(result, "to_dict") else dict(result)

    async def close(self) -> None:
        return None
