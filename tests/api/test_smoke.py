from datetime import UTC, datetime

from tests.api.helpers import configure_catalog, customer_state, days, post_receipt, txn


async def test_project_query(api):
    data = await api.gql("{ project { id name restoreBehavior entitlements { identifier } } }")
    assert data["project"]["name"] == "test"


async def test_receipt_smoke(api):
    await configure_catalog(api)
    now = datetime.now(UTC)
    result = await post_receipt(api, "user-1", [txn("t1", now - days(3), now + days(4), periodType="TRIAL")])
    assert result["userErrors"] == [], result
    print(result)
    state = await customer_state(api, "user-1")
    print(state)
