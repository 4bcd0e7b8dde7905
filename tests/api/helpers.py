"""Shared GraphQL snippets and project set-up for API tests."""

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import ApiClient

RECORD_RECEIPT = """
mutation($input: RecordReceiptInput!) {
  recordReceipt(input: $input) {
    customer { id appUserId }
    events { type description webhookEventType purchasedAt productId newProductId entitlementIds
             periodType transactionId cancelReason price { amount currency } priceUsd { amount currency }
             priceIsEstimated usdRateMissing payload }
    userErrors { field message code }
  }
}
"""

CUSTOMER_STATE = """
query($id: String!, $sandbox: Boolean) {
  customer(appUserId: $id) {
    id appUserId originalAppUserId
    totalSpent { amount currency }
    entitlements(sandbox: $sandbox) { entitlement { identifier } isActive source productId expiresAt willRenew
                   billingIssueDetectedAt gracePeriodExpiresAt unsubscribeDetectedAt }
    purchases(sandbox: $sandbox) { id productId status willRenew expiresAt periodType refundedAt canRefund canCancel
                price { amount currency } priceUsd { amount currency } entitlements { identifier } }
    history(first: 100, sandbox: $sandbox) { edges { node { type description webhookEventType productId purchasedAt } } }
  }
}
"""


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def days(n: float) -> timedelta:
    return timedelta(days=n)


async def configure_catalog(api: ApiClient) -> None:
    """Entitlements pro and premium; products on the App Store, Play and Web Billing."""
    mutation = """
    mutation {
      pro: createEntitlement(input: {identifier: "pro", displayName: "Pro"}) { userErrors { code } }
      premium: createEntitlement(input: {identifier: "premium", displayName: "Premium"}) { userErrors { code } }
    }"""
    await api.gql(mutation)
    products = [
        ("monthly", "APP_STORE", "SUBSCRIPTION", "9.99", "USD", ["pro"]),
        ("yearly", "APP_STORE", "SUBSCRIPTION", "79.99", "USD", ["pro", "premium"]),
        ("lifetime", "APP_STORE", "NON_RENEWING", "199.99", "USD", ["premium"]),
        ("play_monthly", "PLAY_STORE", "SUBSCRIPTION", "8.99", "EUR", ["pro"]),
        ("web_monthly", "RC_BILLING", "SUBSCRIPTION", "7.99", "USD", ["pro"]),
        ("coins", "APP_STORE", "CONSUMABLE", "0.99", "USD", []),
    ]
    for identifier, store, type_, amount, currency, entitlements in products:
        data = await api.gql(
            """mutation($input: CreateProductInput!) { createProduct(input: $input) { userErrors { code message } } }""",
            {
                "input": {
                    "identifier": identifier,
                    "store": store,
                    "type": type_,
                    "price": {"amount": amount, "currency": currency},
                    "entitlementIdentifiers": entitlements,
                }
            },
        )
        assert data["createProduct"]["userErrors"] == []


def txn(
    transaction_id: str,
    purchased_at: datetime,
    expires_at: datetime | None,
    product_id: str = "monthly",
    original: str | None = "sub-1",
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "transactionId": transaction_id,
        "productId": product_id,
        "purchasedAt": iso(purchased_at),
        "expiresAt": iso(expires_at) if expires_at else None,
    }
    if original:
        body["originalTransactionId"] = original
    for key, value in extra.items():
        body[key] = iso(value) if isinstance(value, datetime) else value
    return body


async def post_receipt(
    api: ApiClient,
    app_user_id: str,
    transactions: list[dict[str, Any]],
    store: str = "APP_STORE",
    environment: str = "PRODUCTION",
    key: str | None = None,
) -> dict[str, Any]:
    data = await api.gql(
        RECORD_RECEIPT,
        {
            "input": {
                "appUserId": app_user_id,
                "store": store,
                "environment": environment,
                "transactions": transactions,
            }
        },
        key=key,
    )
    return data["recordReceipt"]  # type: ignore[no-any-return]


async def customer_state(api: ApiClient, app_user_id: str, sandbox: bool = False) -> dict[str, Any]:
    data = await api.gql(CUSTOMER_STATE, {"id": app_user_id, "sandbox": sandbox})
    return data["customer"]  # type: ignore[no-any-return]
