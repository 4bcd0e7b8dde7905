"""The trust model (DESIGN 4.10): the SDK key is public, so by default it cannot post
raw transactions, and it cannot read the store ids another customer's purchases carry.

Each attack of the issue that introduced it, tried with nothing but the SDK key."""

from datetime import UTC, datetime

from sqlmodel import select

from app.db.models import WebhookDelivery
from app.domain.enums import ApiKeyRole
from tests.api.helpers import RECORD_RECEIPT, configure_catalog, customer_state, days, post_receipt, txn
from tests.conftest import ApiClient

SDK_RECORD_RECEIPT = """
mutation($input: RecordReceiptInput!) {
  recordReceipt(input: $input) { events { type } userErrors { field code message } }
}
"""
VICTIM = "victim"
NOW = datetime.now(UTC)


async def victim_with_subscription(api: ApiClient) -> None:
    await configure_catalog(api)
    await api.gql(
        'mutation { createWebhookEndpoint(input: {url: "http://127.0.0.1:9/hook"}) { userErrors { code } } }'
    )
    result = await post_receipt(
        api, VICTIM, [txn("v-1", NOW - days(3), NOW + days(27), original="victim-sub")]
    )
    assert result["userErrors"] == []


async def sdk_post(
    api: ApiClient, app_user_id: str, transactions: list[dict[str, object]]
) -> dict[str, object]:
    sdk = await api.key(ApiKeyRole.SDK)
    data = await api.gql(
        SDK_RECORD_RECEIPT,
        {"input": {"appUserId": app_user_id, "store": "APP_STORE", "transactions": transactions}},
        key=sdk,
    )
    return data["recordReceipt"]  # type: ignore[no-any-return]


async def deliveries(api: ApiClient) -> int:
    async with api.db.read() as session:
        rows = (
            await session.exec(select(WebhookDelivery).where(WebhookDelivery.project_id == api.project_id))
        ).all()
    return len(rows)


def refused(result: dict[str, object]) -> None:
    assert [e["code"] for e in result["userErrors"]] == ["VERIFICATION_REQUIRED"]  # type: ignore[attr-defined]
    assert result["events"] == []


async def test_the_attacks_of_a_public_key_are_refused(api: ApiClient) -> None:
    await victim_with_subscription(api)
    before_state = await customer_state(api, VICTIM)
    before_deliveries = await deliveries(api)

    # 1. A made-up purchase that never expires.
    forever = txn("fake-1", NOW, datetime(9999, 12, 31, tzinfo=UTC), original="fake-sub")
    refused(await sdk_post(api, "attacker", [forever]))
    # 2. The victim's subscription, claimed by its original transaction id.
    refused(
        await sdk_post(api, "attacker", [txn("v-1", NOW - days(3), NOW + days(27), original="victim-sub")])
    )
    # 3. The victim's subscription "refunded", to cut their access and send a fake refund.
    stolen = txn("v-1", NOW - days(3), NOW + days(27), original="victim-sub", refundedAt=NOW)
    refused(await sdk_post(api, VICTIM, [stolen]))
    # 4. A billion dollars of spending.
    refused(await sdk_post(api, VICTIM, [txn("v-2", NOW, NOW + days(30), original="victim-sub", price="1000000000",
                                             currency="USD")]))  # fmt: skip

    assert (await api.gql('{ customer(appUserId: "attacker") { id } }'))["customer"] is None
    assert await customer_state(api, VICTIM) == before_state
    assert await deliveries(api) == before_deliveries  # no webhook was queued


async def test_the_sdk_key_cannot_read_store_ids(api: ApiClient) -> None:
    await victim_with_subscription(api)
    sdk = await api.key(ApiKeyRole.SDK)
    for field in (
        "purchases { originalTransactionId }",
        "history(first: 5) { edges { node { transactionId } } }",
        "history(first: 5) { edges { node { payload } } }",
    ):
        response = await api.post('{ customer(appUserId: "' + VICTIM + '") { ' + field + " } }", key=sdk)
        body = response.json()
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN", field
    # What the app needs to decide access stays readable.
    access = await api.gql(
        '{ customer(appUserId: "'
        + VICTIM
        + '") { entitlements { isActive } purchases { productId status } } }',
        key=sdk,
    )
    assert access["customer"]["purchases"] == [{"productId": "monthly", "status": "ACTIVE"}]


async def test_trust_sdk_lets_the_sdk_post_raw_transactions_and_admin_always_may(api: ApiClient) -> None:
    await configure_catalog(api)
    project = await api.gql("{ project { receiptTrust } }")
    assert project["project"]["receiptTrust"] == "STORE_VERIFIED_ONLY"  # the default

    admin = await api.gql(
        RECORD_RECEIPT,
        {
            "input": {
                "appUserId": "imported",
                "store": "APP_STORE",
                "transactions": [txn("i-1", NOW, NOW + days(30))],
            }
        },
    )
    assert admin["recordReceipt"]["userErrors"] == []  # ADMIN imports

    data = await api.gql(
        "mutation { setReceiptTrust(input: {receiptTrust: TRUST_SDK}) { project { receiptTrust } userErrors { code } } }"
    )
    assert data["setReceiptTrust"]["project"]["receiptTrust"] == "TRUST_SDK"
    result = await sdk_post(api, "dev-user", [txn("d-1", NOW, NOW + days(30), original="dev-sub")])
    assert result["userErrors"] == [] and result["events"] == [{"type": "STARTED_SUBSCRIPTION"}]

    support = await api.key(ApiKeyRole.SUPPORT)
    response = await api.post(
        "mutation { setReceiptTrust(input: {receiptTrust: STORE_VERIFIED_ONLY}) { userErrors { code } } }",
        key=support,
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
