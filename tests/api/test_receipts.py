"""recordReceipt: validation is all or nothing, restore behaviour, sandbox, prices,
and concurrent posts of the same renewal (DESIGN 4.2, 4.3, 4.6)."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db.engine import Database
from app.main import create_app
from tests.api.helpers import configure_catalog, customer_state, days, post_receipt, txn
from tests.conftest import ApiClient, make_settings, new_api_client

NOW = datetime.now(UTC)


async def count_rows(api: ApiClient, table: str) -> int:
    async with api.db.read() as session:
        result = await session.exec(
            text(f"SELECT count(*) FROM {table} WHERE project_id = :p").bindparams(p=api.project_id)
        )  # type: ignore[call-overload]
        return int(result.one()[0])


async def test_a_receipt_that_fails_validation_half_way_leaves_no_trace(api: ApiClient) -> None:
    await configure_catalog(api)
    good = txn("ok-1", NOW - days(1), NOW + days(29), original="o-1")
    unknown_product = txn("bad-1", NOW - days(1), NOW + days(29), product_id="nope", original="o-2")
    result = await post_receipt(api, "half-way", [good, unknown_product])
    assert result["customer"] is None and result["events"] == []
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("PRODUCT_NOT_FOUND", ["input", "transactions", "1", "productId"])
    ]
    for table in ("customer", "app_user_id", "purchase", "store_transaction", "customer_event"):
        assert await count_rows(api, table) == 0, table


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": "9.99"}, "currency"),
        ({"expiresAt": "2020-01-01T00:00:00Z"}, "expiresAt"),
        ({"currency": "usd", "price": "1"}, "currency"),
    ],
)
async def test_invalid_transactions_are_user_errors(
    api: ApiClient, change: dict[str, str], field: str
) -> None:
    await configure_catalog(api)
    body = txn("v-1", NOW - days(1), NOW + days(29)) | change
    result = await post_receipt(api, "validation", [body])
    assert result["userErrors"], result
    assert all(e["code"] == "INVALID_INPUT" for e in result["userErrors"])
    assert any(e["field"][-1] == field for e in result["userErrors"])
    assert await count_rows(api, "customer") == 0


async def test_invalid_app_user_id_is_refused(api: ApiClient) -> None:
    await configure_catalog(api)
    for bad in ["", "null", "a/b", "x" * 101, "[object Object]"]:
        result = await post_receipt(api, bad, [txn("i-1", NOW - days(1), NOW + days(29))])
        assert [e["code"] for e in result["userErrors"]] == ["INVALID_INPUT"], bad
    assert await count_rows(api, "customer") == 0


async def test_price_estimated_from_list_price_and_converted_to_usd(api: ApiClient) -> None:
    await configure_catalog(api)
    result = await post_receipt(
        api,
        "play-user",
        [
            txn(
                "GPA.1",
                datetime(2025, 3, 10, tzinfo=UTC),
                datetime(2025, 4, 10, tzinfo=UTC),
                product_id="play_monthly",
            )
        ],
        store="PLAY_STORE",
    )
    event = result["events"][0]
    assert event["priceIsEstimated"] is True
    assert event["price"] == {"amount": "8.99", "currency": "EUR"}
    usd = float(event["priceUsd"]["amount"])
    assert 9.0 < usd < 10.5  # EUR was worth a little more than USD in March 2025
    assert event["payload"]["event"]["price_in_purchased_currency"] == 8.99
    assert event["payload"]["event"]["currency"] == "EUR"


async def test_one_time_purchase_and_sandbox_visibility(api: ApiClient) -> None:
    await configure_catalog(api)
    result = await post_receipt(
        api,
        "buyer",
        [
            txn(
                "lt-1",
                NOW - days(2),
                None,
                product_id="lifetime",
                original=None,
                price="199.99",
                currency="USD",
            )
        ],
    )
    assert [(e["type"], e["webhookEventType"]) for e in result["events"]] == [
        ("MADE_PURCHASE", "NON_RENEWING_PURCHASE")
    ]
    sandbox = await post_receipt(
        api, "buyer", [txn("sb-1", NOW - days(1), NOW + days(6), original="sb")], environment="SANDBOX"
    )
    assert sandbox["events"][0]["type"] == "STARTED_SUBSCRIPTION"

    production = await customer_state(api, "buyer")
    assert [p["productId"] for p in production["purchases"]] == ["lifetime"]
    assert production["totalSpent"]["amount"] == "199.99"  # sandbox never counts
    assert [e["entitlement"]["identifier"] for e in production["entitlements"]] == ["premium"]
    assert production["entitlements"][0]["expiresAt"] is None  # lifetime
    assert len(production["history"]["edges"]) == 1

    both = await customer_state(api, "buyer", sandbox=True)
    assert sorted(p["productId"] for p in both["purchases"]) == ["lifetime", "monthly"]
    assert len(both["history"]["edges"]) == 2
    assert both["totalSpent"]["amount"] == "199.99"


async def test_lifetime_beats_a_subscription_and_latest_expiry_wins(api: ApiClient) -> None:
    await configure_catalog(api)
    await post_receipt(
        api,
        "multi",
        [
            txn("m-1", NOW - days(10), NOW + days(20), original="m"),
            txn("y-1", NOW - days(5), NOW + days(360), product_id="yearly", original="y"),
        ],
    )
    state = await customer_state(api, "multi")
    pro = next(e for e in state["entitlements"] if e["entitlement"]["identifier"] == "pro")
    assert pro["productId"] == "yearly"
    await post_receipt(api, "multi", [txn("l-1", NOW - days(1), None, product_id="lifetime", original="l")])
    state = await customer_state(api, "multi")
    premium = next(e for e in state["entitlements"] if e["entitlement"]["identifier"] == "premium")
    assert premium["productId"] == "lifetime" and premium["expiresAt"] is None


async def test_expired_entitlement_is_listed_inactive_after_active_ones(api: ApiClient) -> None:
    await configure_catalog(api)
    await post_receipt(
        api,
        "lapsed",
        [
            txn("e-1", NOW - days(60), NOW - days(30), product_id="yearly", original="e"),
            txn("a-1", NOW - days(1), NOW + days(29), original="a"),
        ],
    )
    state = await customer_state(api, "lapsed")
    assert [(e["entitlement"]["identifier"], e["isActive"]) for e in state["entitlements"]] == [
        ("pro", True),
        ("premium", False),
    ]
    statuses = {p["productId"]: p["status"] for p in state["purchases"]}
    assert statuses == {"monthly": "ACTIVE", "yearly": "EXPIRED"}


async def test_an_older_shorter_receipt_never_deletes_history(api: ApiClient) -> None:
    await configure_catalog(api)
    first = txn("s-1", NOW - days(40), NOW - days(10), original="s")
    second = txn("s-2", NOW - days(10), NOW + days(20), original="s")
    await post_receipt(api, "shorter", [first, second])
    result = await post_receipt(api, "shorter", [first])
    assert result["events"] == []
    state = await customer_state(api, "shorter")
    assert state["purchases"][0]["status"] == "ACTIVE"
    assert len(state["history"]["edges"]) == 2


# -- restore behaviour (DESIGN 4.6) --------------------------------------------------------

SET_BEHAVIOR = "mutation($b: RestoreBehavior!) { setRestoreBehavior(input: {restoreBehavior: $b}) { userErrors { code } } }"


async def owned_by(api: ApiClient, app_user_id: str) -> list[str]:
    state = await customer_state(api, app_user_id, sandbox=True)
    return [p["productId"] for p in state["purchases"]] if state else []


async def test_restore_transfer_moves_the_purchase_to_the_new_identified_customer(api: ApiClient) -> None:
    await configure_catalog(api)
    receipt = [txn("r-1", NOW - days(1), NOW + days(29), original="r")]
    await post_receipt(api, "alice", receipt)
    result = await post_receipt(api, "bob", receipt)
    assert result["userErrors"] == []
    assert await owned_by(api, "alice") == [] and await owned_by(api, "bob") == ["monthly"]
    for who, direction in (("alice", "transferredFrom"), ("bob", "transferredTo")):
        data = await api.gql(
            """query($id: String!) { customer(appUserId: $id) { history { edges { node {
                 type webhookEventType transferredFrom transferredTo payload } } } } }""",
            {"id": who},
        )
        transfer = data["customer"]["history"]["edges"][0]["node"]
        assert transfer["type"] == "TRANSFERRED" and transfer["webhookEventType"] == "TRANSFER"
        assert transfer["transferredFrom"] == ["alice"] and transfer["transferredTo"] == ["bob"]
        assert "app_user_id" not in transfer["payload"]["event"]
        assert direction


async def test_keep_with_original_refuses_the_restore(api: ApiClient) -> None:
    await configure_catalog(api)
    await api.gql(SET_BEHAVIOR, {"b": "KEEP_WITH_ORIGINAL"})
    receipt = [txn("k-1", NOW - days(1), NOW + days(29), original="k")]
    await post_receipt(api, "alice", receipt)
    result = await post_receipt(api, "bob", receipt)
    assert [e["code"] for e in result["userErrors"]] == ["RECEIPT_ALREADY_OWNED"]
    assert await owned_by(api, "alice") == ["monthly"]
    assert (await api.gql('{ customer(appUserId: "bob") { id } }'))["customer"] is None


async def test_transfer_if_no_active_subscription(api: ApiClient) -> None:
    await configure_catalog(api)
    await api.gql(SET_BEHAVIOR, {"b": "TRANSFER_IF_NO_ACTIVE_SUBSCRIPTION"})
    active = [txn("ta-1", NOW - days(1), NOW + days(29), original="ta")]
    await post_receipt(api, "alice", active)
    refused = await post_receipt(api, "bob", active)
    assert [e["code"] for e in refused["userErrors"]] == ["RECEIPT_ALREADY_OWNED"]

    lapsed = [txn("tl-1", NOW - days(60), NOW - days(30), original="tl")]
    await post_receipt(api, "carol", lapsed)
    moved = await post_receipt(api, "dave", lapsed)
    assert moved["userErrors"] == []
    assert await owned_by(api, "dave") == ["monthly"] and await owned_by(api, "carol") == []


async def test_restore_from_an_anonymous_owner_aliases_instead(api: ApiClient) -> None:
    await configure_catalog(api)
    anonymous = "$RCAnonymousID:" + "a" * 32
    receipt = [txn("an-1", NOW - days(1), NOW + days(29), original="an")]
    await post_receipt(api, anonymous, receipt)
    result = await post_receipt(api, "erin", receipt)
    assert result["userErrors"] == []
    data = await api.gql(
        """query($id: String!) { customer(appUserId: $id) { id originalAppUserId aliases { appUserId isAnonymous }
             history { edges { node { type } } } } }""",
        {"id": anonymous},
    )
    customer = data["customer"]
    assert customer["originalAppUserId"] == "erin"
    assert customer["aliases"] == [{"appUserId": anonymous, "isAnonymous": True}]
    assert "CREATED_ALIAS" in [e["node"]["type"] for e in customer["history"]["edges"]]
    assert "TRANSFERRED" not in [e["node"]["type"] for e in customer["history"]["edges"]]
    erin = (await api.gql('{ customer(appUserId: "erin") { id } }'))["customer"]
    assert erin["id"] == customer["id"]


# -- concurrency -------------------------------------------------------------------------------


async def test_concurrent_posts_of_one_renewal_write_one_event(api: ApiClient) -> None:
    await configure_catalog(api)
    first = txn("c-1", NOW - days(31), NOW - days(1), original="c")
    await post_receipt(api, "racer", [first])
    renewal = [first, txn("c-2", NOW - days(1), NOW + days(29), original="c")]
    results = await asyncio.gather(*(post_receipt(api, "racer", renewal) for _ in range(6)))
    assert all(r["userErrors"] == [] for r in results)
    written = [e["type"] for r in results for e in r["events"]]
    assert written == ["RENEWED"]
    state = await customer_state(api, "racer")
    assert [e["node"]["type"] for e in state["history"]["edges"]] == ["RENEWED", "STARTED_SUBSCRIPTION"]


async def test_concurrent_first_posts_create_one_customer_and_purchase(api: ApiClient) -> None:
    await configure_catalog(api)
    receipt = [txn("n-1", NOW - days(1), NOW + days(29), original="n")]
    results = await asyncio.gather(*(post_receipt(api, "newcomer", receipt) for _ in range(6)))
    assert all(r["userErrors"] == [] for r in results)
    assert [e["type"] for r in results for e in r["events"]] == ["STARTED_SUBSCRIPTION"]
    assert await count_rows(api, "customer") == 1
    assert await count_rows(api, "purchase") == 1


async def test_events_are_oldest_first_across_the_receipts_purchases(api: ApiClient) -> None:
    await configure_catalog(api)
    base = datetime(2026, 9, 1, tzinfo=UTC)
    result = await post_receipt(api, "ordered", [
        txn("b1", base + days(30), base + days(60), original="b"),
        txn("b2", base + days(60), base + days(90), original="b"),
        txn("a1", base, None, product_id="lifetime", original="a"),
    ])  # fmt: skip
    assert [e["type"] for e in result["events"]] == ["MADE_PURCHASE", "STARTED_SUBSCRIPTION", "RENEWED"]


async def test_non_revenue_webhooks_carry_price_zero_but_the_timeline_shows_none(api: ApiClient) -> None:
    await configure_catalog(api)
    first = txn("z-1", NOW - days(1), NOW + days(29), original="z", price="9.99", currency="USD")
    await post_receipt(api, "zero", [first])
    result = await post_receipt(api, "zero", [first | {"willRenew": False, "cancelReason": "UNSUBSCRIBE"}])
    [event] = result["events"]
    assert event["type"] == "OPTED_OUT_OF_RENEWAL"
    assert event["price"] is None and event["priceUsd"] is None
    body = event["payload"]["event"]
    assert body["price"] == 0 and body["price_in_purchased_currency"] == 0 and body["currency"] == "USD"


async def test_the_rate_table_can_be_replaced(
    db: Database, database_urls: dict[str, str], backend: str, tmp_path: Path
) -> None:
    table = tmp_path / "rates.csv"
    table.write_text("currency,month,per_usd\nEUR,2020-01,2.0\n")
    app = create_app(make_settings(database_urls[backend], rates_csv=str(table)), db)
    client = await new_api_client(db, app, "rates")
    try:
        await configure_catalog(client)
        result = await post_receipt(
            client, "rated", [txn("r-1", NOW - days(1), NOW + days(29), price="9.00", currency="EUR")]
        )
        assert result["events"][0]["priceUsd"] == {"amount": "4.50", "currency": "USD"}
    finally:
        await client.http.aclose()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"originalTransactionId": "o" * 256}, "originalTransactionId"),
        ({"renewalProductId": "r" * 256}, "renewalProductId"),
        ({"purchaseToken": "t" * 1001}, "purchaseToken"),
        ({"stripePaymentId": "p" * 256}, "stripePaymentId"),
        ({"countryCode": "DEU"}, "countryCode"),
    ],
)
async def test_store_ids_longer_than_kept_are_refused(
    api: ApiClient, extra: dict[str, str], field: str
) -> None:
    await configure_catalog(api)
    body = txn("long-1", NOW - days(1), NOW + days(29), original=None) | extra
    result = await post_receipt(api, "long-ids", [body])
    assert [(e["code"], e["field"][-1]) for e in result["userErrors"]] == [("INVALID_INPUT", field)]
