"""Web Billing on Stripe, through the official Stripe library.

- refund: a refund of the latest period's payment (POST /v1/refunds, payment_intent)
- cancel: cancel at the end of the period (POST /v1/subscriptions/{id},
  cancel_at_period_end=true), so access lasts until then.

Every call carries an idempotency key, so a retried call never refunds twice.
"""

from __future__ import annotations

import stripe

from app.domain.enums import Store
from app.stores.base import MissingStoreReference, StoreAdapter, StoreError, StorePurchaseRef


class WebBillingAdapter(StoreAdapter):
    store = Store.RC_BILLING

    def __init__(self, api_key: str, api_base: str, timeout: float) -> None:
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base.rstrip("/")},
            http_client=stripe.HTTPXClient(timeout=timeout),
            max_network_retries=0,
        )

    async def refund(self, ref: StorePurchaseRef, idempotency_key: str) -> None:
        if not ref.payment_id:
            raise MissingStoreReference("The purchase has no Stripe payment id (post it with the receipt).")
        await self._call(
            self.client.v1.refunds.create_async(
                params={"payment_intent": ref.payment_id, "reason": "requested_by_customer"},
                options={"idempotency_key": f"refund-{idempotency_key}"},
            )
        )

    async def cancel(self, ref: StorePurchaseRef, idempotency_key: str) -> None:
        if not ref.subscription_id:
            raise MissingStoreReference(
                "The purchase has no Stripe subscription id (post it with the receipt)."
            )
        await self._call(
            self.client.v1.subscriptions.update_async(
                ref.subscription_id,
                params={"cancel_at_period_end": True},
                options={"idempotency_key": f"cancel-{idempotency_key}"},
            )
        )

    async def _call(self, request: object) -> None:
        try:
            await request  # type: ignore[misc]
        except stripe.StripeError as exc:
            status = getattr(exc, "http_status", None)
            message = exc.user_message or str(exc) or type(exc).__name__
            raise StoreError(self.store, message, status) from exc
