"""Delivery order across customers (DESIGN 4.9): a TRANSFER reaches an endpoint only
after every earlier event of the customer whose purchases it moved, so a receiver never
sees that customer's renewal or cancellation after the transfer."""

from datetime import UTC, datetime

from tests.api.helpers import configure_catalog, days, post_receipt, txn
from tests.api.test_webhooks import add_endpoint, dispatcher, drain
from tests.conftest import ApiClient
from tests.receiver import Receiver


async def test_the_source_customers_renewal_and_cancellation_arrive_before_the_transfer(
    api: ApiClient,
) -> None:
    # The first request fails, so the source customer's events are still open (retrying)
    # when the transfer is due: the transfer must wait for all of them.
    receiver = await Receiver(answers=[500]).start()
    try:
        await configure_catalog(api)
        await add_endpoint(api, receiver.url)
        now = datetime.now(UTC)
        first = txn("o-1", now - days(40), now - days(10), original="o", price="9.99", currency="USD")
        await post_receipt(api, "giver", [first])
        second = txn("o-2", now - days(10), now + days(20), original="o", price="9.99", currency="USD")
        await post_receipt(
            api, "giver", [first, second | {"willRenew": False, "cancelReason": "UNSUBSCRIBE"}]
        )
        await api.gql('mutation { recordAppOpen(input: {appUserId: "taker"}) { userErrors { code } } }')
        moved = await api.gql(
            'mutation { transferEntitlements(input: {fromAppUserId: "giver", toAppUserId: "taker"})'
            " { userErrors { code } } }"
        )
        assert moved["transferEntitlements"]["userErrors"] == []
        d = dispatcher(api)
        await drain(d)
        await d.close()
        arrived = [r.event["type"] for r in receiver.received]
        assert arrived == ["INITIAL_PURCHASE", "INITIAL_PURCHASE", "RENEWAL", "CANCELLATION", "TRANSFER"]
    finally:
        await receiver.stop()
