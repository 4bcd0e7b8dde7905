"""Money in every currency (DESIGN 4.2, Prices), through HTTP on SQLite and PostgreSQL:
the ECB's rates convert what the shipped table lacks (IDR, ZAR), and a currency no
source has keeps a null USD price (never 0)."""

from datetime import UTC, datetime
from decimal import Decimal

from tests.api.helpers import configure_catalog, customer_state, days, post_receipt, txn
from tests.conftest import ApiClient

BOUGHT = datetime(2024, 6, 14, 10, tzinfo=UTC)


async def test_rupiah_and_rand_purchases_get_a_usd_price_and_count_in_total_spent(api: ApiClient) -> None:
    await configure_catalog(api)
    rupiah = await post_receipt(
        api,
        "budi",
        [txn("idr-1", BOUGHT, BOUGHT + days(30), original="idr", price="79000", currency="IDR")],
    )
    rand = await post_receipt(
        api,
        "budi",
        [txn("zar-1", BOUGHT, None, product_id="lifetime", original=None, price="99.99", currency="ZAR")],
    )
    idr_event, zar_event = rupiah["events"][0], rand["events"][0]
    assert (idr_event["type"], zar_event["type"]) == ("STARTED_SUBSCRIPTION", "MADE_PURCHASE")
    assert idr_event["price"] == {"amount": "79000", "currency": "IDR"}
    idr_usd = Decimal(idr_event["priceUsd"]["amount"])
    zar_usd = Decimal(zar_event["priceUsd"]["amount"])
    assert Decimal("4.70") <= idr_usd <= Decimal("4.95")  # about 16,400 rupiah to the dollar
    assert Decimal("5.30") <= zar_usd <= Decimal("5.55")  # about 18.3 rand to the dollar
    for event, usd, currency in ((idr_event, idr_usd, "IDR"), (zar_event, zar_usd, "ZAR")):
        body = event["payload"]["event"]
        assert Decimal(str(body["price"])) == usd
        assert body["currency"] == currency
    state = await customer_state(api, "budi")
    assert Decimal(state["totalSpent"]["amount"]) == idr_usd + zar_usd
    assert {p["priceUsd"]["amount"] for p in state["purchases"]} == {str(idr_usd), str(zar_usd)}


async def test_a_currency_no_source_has_keeps_a_null_usd_price(api: ApiClient) -> None:
    await configure_catalog(api)
    result = await post_receipt(
        api,
        "ngozi",
        [txn("ngn-1", BOUGHT, BOUGHT + days(30), original="ngn", price="4500", currency="NGN")],
    )
    assert result["userErrors"] == []
    event = result["events"][0]
    assert event["price"] == {"amount": "4500", "currency": "NGN"}
    assert event["priceUsd"] is None
    assert event["payload"]["event"]["price"] is None  # unknown, not 0
    assert event["usdRateMissing"] is True  # and the event says why
    state = await customer_state(api, "ngozi")
    assert state["purchases"][0]["priceUsd"] is None
