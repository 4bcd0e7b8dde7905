"""transferEntitlements (DESIGN 4.6).

Rules checked: every store purchase of `from` moves to `to` (store transactions too), in
one transaction; grants stay with `from`; both histories get a TRANSFERRED event with
transferredFrom / transferredTo (App User IDs), the actor and the reason; the payload is
a TRANSFER without app_user_id; dryRun reports what would move and changes nothing;
SAME_CUSTOMER (also for two aliases of one customer), CUSTOMER_NOT_FOUND on the right
field, NOTHING_TO_TRANSFER (grants only); two opposite transfers at once both finish and
leave every purchase with exactly one owner.
"""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.domain.enums import ApiKeyRole
from tests.api.helpers import configure_catalog, post_receipt, txn
from tests.api.test_support_common import (
    ANON,
    audit_rows,
    codes,
    event_of,
    grant,
    history,
    identify,
    mutate,
    open_app,
    profile,
    sql,
)
from tests.conftest import ApiClient, Clock

T0 = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)

PURCHASE = "id productId store environment originalTransactionId"


async def transfer(
    api: ApiClient,
    source: str,
    target: str,
    dry_run: bool = False,
    reason: str | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    return await mutate(
        api,
        "transferEntitlements",
        {"fromAppUserId": source, "toAppUserId": target, "dryRun": dry_run, "reason": reason},
        f"fromCustomer {{ appUserId }} toCustomer {{ appUserId }} purchases {{ {PURCHASE} }}",
        key,
    )


async def buy(api: ApiClient, app_user_id: str, original: str, product: str = "monthly") -> None:
    expires = None if product == "lifetime" else T0 + timedelta(days=29)
    result = await post_receipt(
        api,
        app_user_id,
        [txn(f"{original}-t1", T0 - timedelta(days=1), expires, product_id=product, original=original)],
    )
    assert result["userErrors"] == []


async def owners(api: ApiClient) -> dict[str, list[tuple[int, int]]]:
    """For every purchase of the project: its owner and the owners of its transactions."""
    purchases = await sql(
        api,
        "SELECT original_transaction_id, customer_id FROM purchase WHERE project_id = :p",
        p=api.project_id,
    )
    transactions = await sql(
        api,
        "SELECT p.original_transaction_id, t.customer_id FROM store_transaction t"
        " JOIN purchase p ON p.id = t.purchase_id WHERE p.project_id = :p",
        p=api.project_id,
    )
    result: dict[str, list[tuple[int, int]]] = {}
    for original, owner in purchases:
        result.setdefault(original, [])
        result[original] += [
            (owner, t_owner) for t_original, t_owner in transactions if t_original == original
        ]
    return result


async def customer_pk(api: ApiClient, app_user_id: str) -> int:
    rows = await sql(
        api,
        "SELECT customer_id FROM app_user_id WHERE project_id = :p AND app_user_id = :a",
        p=api.project_id,
        a=app_user_id,
    )
    return int(rows[0][0])


@pytest.fixture
async def shop(api: ApiClient, clock: Clock) -> ApiClient:
    """alice: two store purchases and a grant; bob: an existing customer with nothing."""
    clock.set(T0)
    await configure_catalog(api)
    await buy(api, "alice", "sub-a")
    await buy(api, "alice", "life-a", product="lifetime")
    assert (await grant(api, "alice", "premium", duration="MONTHLY"))["userErrors"] == []
    await open_app(api, "bob")
    return api


async def test_transfer_moves_every_store_purchase_and_leaves_grants(shop: ApiClient) -> None:
    support = await shop.key(ApiKeyRole.SUPPORT)
    result = await transfer(shop, "alice", "bob", reason="Ticket 1234: wrong account", key=support)
    assert result["userErrors"] == []
    assert result["fromCustomer"] == {"appUserId": "alice"}
    assert result["toCustomer"] == {"appUserId": "bob"}
    assert sorted(p["productId"] for p in result["purchases"]) == ["lifetime", "monthly"]

    alice, bob = await profile(shop, "alice"), await profile(shop, "bob")
    assert [p["productId"] for p in alice["purchases"]] == ["rc_promo_premium_monthly"]
    assert sorted(p["productId"] for p in bob["purchases"]) == ["lifetime", "monthly"]
    assert alice["totalSpent"] == {"amount": "0.00", "currency": "USD"}
    assert bob["totalSpent"] == {"amount": "209.98", "currency": "USD"}
    assert {
        (e["entitlement"]["identifier"], e["source"]) for e in alice["entitlements"] if e["isActive"]
    } == {("premium", "GRANTED")}
    assert {(e["entitlement"]["identifier"], e["source"]) for e in bob["entitlements"] if e["isActive"]} == {
        ("pro", "PURCHASE"),
        ("premium", "PURCHASE"),
    }
    alice_pk, bob_pk = await customer_pk(shop, "alice"), await customer_pk(shop, "bob")
    ownership = await owners(shop)
    assert ownership["sub-a"] == [(bob_pk, bob_pk)]
    assert ownership["life-a"] == [(bob_pk, bob_pk)]
    [grant_transaction] = set(ownership) - {"sub-a", "life-a"}
    assert ownership[grant_transaction] == [(alice_pk, alice_pk)]  # the grant stays

    for state in (alice, bob):
        event = event_of(state, "TRANSFERRED")
        assert event["webhookEventType"] == "TRANSFER"
        assert event["transferredFrom"] == ["alice"]
        assert event["transferredTo"] == ["bob"]
        assert (event["actor"], event["reason"]) == ("support key", "Ticket 1234: wrong account")
        payload = event["payload"]["event"]
        assert payload["type"] == "TRANSFER"
        assert "app_user_id" not in payload
        assert payload["transferred_from"] == ["alice"] and payload["transferred_to"] == ["bob"]
    [record] = await audit_rows(shop, "transferEntitlements")
    assert (record["actor"], record["reason"]) == ("support key", "Ticket 1234: wrong account")


async def test_transferred_ids_list_every_alias(shop: ApiClient) -> None:
    await open_app(shop, ANON)
    await identify(shop, ANON, "carol")
    assert (await transfer(shop, "alice", "carol"))["userErrors"] == []
    carol = await profile(shop, "carol")
    event = event_of(carol, "TRANSFERRED")
    assert event["transferredFrom"] == ["alice"]
    assert sorted(event["transferredTo"]) == sorted([ANON, "carol"])


async def test_dry_run_reports_and_changes_nothing(shop: ApiClient) -> None:
    before = (await profile(shop, "alice"), await profile(shop, "bob"))
    ownership = await owners(shop)
    result = await transfer(shop, "alice", "bob", dry_run=True)
    assert result["userErrors"] == []
    expected = sorted(
        (p["id"], p["productId"]) for p in before[0]["purchases"] if p["store"] != "PROMOTIONAL"
    )
    assert sorted((p["id"], p["productId"]) for p in result["purchases"]) == expected
    assert (await profile(shop, "alice"), await profile(shop, "bob")) == before
    assert await owners(shop) == ownership
    assert await audit_rows(shop, "transferEntitlements") == []


async def test_same_customer_is_refused(shop: ApiClient) -> None:
    assert codes(await transfer(shop, "alice", "alice")) == [("SAME_CUSTOMER", ["input", "toAppUserId"])]
    # Two App User IDs of one customer are the same customer too.
    await open_app(shop, ANON)
    await identify(shop, ANON, "dora")
    await buy(shop, "dora", "sub-d")
    assert codes(await transfer(shop, ANON, "dora")) == [("SAME_CUSTOMER", ["input", "toAppUserId"])]
    assert codes(await transfer(shop, "dora", ANON, dry_run=True)) == [
        ("SAME_CUSTOMER", ["input", "toAppUserId"])
    ]
    assert [p["productId"] for p in (await profile(shop, "dora"))["purchases"]] == ["monthly"]
    assert "TRANSFERRED" not in [e["type"] for e in history(await profile(shop, "dora"))]


async def test_unknown_customers_are_refused_on_their_field(shop: ApiClient) -> None:
    ownership = await owners(shop)
    assert codes(await transfer(shop, "ghost", "bob")) == [("CUSTOMER_NOT_FOUND", ["input", "fromAppUserId"])]
    assert codes(await transfer(shop, "alice", "ghost")) == [("CUSTOMER_NOT_FOUND", ["input", "toAppUserId"])]
    assert await owners(shop) == ownership
    assert (await shop.gql('{ customer(appUserId: "ghost") { id } }'))["customer"] is None


async def test_nothing_to_transfer_when_the_source_has_only_grants(shop: ApiClient) -> None:
    await open_app(shop, "gift-only")
    assert (await grant(shop, "gift-only", "pro", duration="WEEKLY"))["userErrors"] == []
    result = await transfer(shop, "gift-only", "bob")
    assert codes(result) == [("NOTHING_TO_TRANSFER", ["input", "fromAppUserId"])]
    assert codes(await transfer(shop, "bob", "alice")) == [
        ("NOTHING_TO_TRANSFER", ["input", "fromAppUserId"])
    ]
    assert [p["store"] for p in (await profile(shop, "gift-only"))["purchases"]] == ["PROMOTIONAL"]


async def test_two_opposite_transfers_at_once(shop: ApiClient) -> None:
    await buy(shop, "bob", "sub-b")
    await buy(shop, "bob", "sub-b2")
    alice_pk, bob_pk = await customer_pk(shop, "alice"), await customer_pk(shop, "bob")
    before = await owners(shop)
    results = await asyncio.gather(transfer(shop, "alice", "bob"), transfer(shop, "bob", "alice"))
    assert [r["userErrors"] for r in results] == [[], []]

    after = await owners(shop)
    assert set(after) == set(before)  # no purchase lost or duplicated
    for original, pairs in after.items():  # one owner, shared by all of its transactions
        assert pairs and len({owner for pair in pairs for owner in pair}) == 1, (original, pairs)
    # The transfer that ran second took every store purchase, including the ones just moved.
    store_owners = {after[original][0][0] for original in ("sub-a", "life-a", "sub-b", "sub-b2")}
    assert len(store_owners) == 1 and store_owners <= {alice_pk, bob_pk}
    counts = dict(
        await sql(
            shop,
            "SELECT customer_id, count(*) FROM purchase WHERE project_id = :p GROUP BY customer_id",
            p=shop.project_id,
        )
    )
    assert sum(counts.values()) == len(before) == 5
    winner = store_owners.pop()
    assert counts[winner] == 4 + (1 if winner == alice_pk else 0)  # alice also keeps her grant
