"""One small interface for the stores that can refund and cancel on our behalf."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from app.domain.enums import Store


@dataclass(frozen=True, slots=True)
class StorePurchaseRef:
    """What a store needs to find a purchase (from the receipts the app posted)."""

    store: Store
    product_id: str
    is_subscription: bool
    original_transaction_id: str
    latest_transaction_id: str
    package_name: str | None = None  # Google Play
    purchase_token: str | None = None  # Google Play
    subscription_id: str | None = None  # Web Billing (Stripe subscription)
    payment_id: str | None = None  # Web Billing (Stripe payment intent of the latest period)


class StoreError(Exception):
    """The store refused or did not answer; nothing was done there."""

    def __init__(self, store: Store, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.store = store
        self.message = message
        self.status = status

    def describe(self) -> str:
        answer = f"HTTP {self.status}" if self.status else "no answer"
        return f"{self.store.value} refused the request ({answer}): {self.message}"


class MissingStoreReference(Exception):
    """The purchase lacks an id the store needs (e.g. a Play purchase token)."""


class StoreAdapter(ABC):
    store: Store

    @abstractmethod
    async def refund(self, ref: StorePurchaseRef, idempotency_key: str) -> None:
        """Refund the latest payment and end access at the store."""

    @abstractmethod
    async def cancel(self, ref: StorePurchaseRef, idempotency_key: str) -> None:
        """Stop renewal at the store; access lasts to the end of the period."""

    async def close(self) -> None:
        return None
