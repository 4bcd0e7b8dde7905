"""overrideOffering and adjustVirtualCurrency (DESIGN 4.8).

Rules checked: currentOffering is the customer's override if set, else the project's
current offering; offeringIdentifier null clears the override; OFFERING_NOT_FOUND and
CUSTOMER_NOT_FOUND change nothing. Virtual currency: a positive amount grants
(GRANTED_VIRTUAL_CURRENCY, "Granted 100 GEMS"), a negative one spends
(SPENT_VIRTUAL_CURRENCY, "Spent 30 GEMS"), both with a VIRTUAL_CURRENCY_TRANSACTION
webhook carrying `adjustments`; a balance never goes below zero (INSUFFICIENT_BALANCE),
also when ten spends race; amount 0 and bad codes are INVALID_INPUT; the events and audit
records name the actor and the reason.
"""

import asyncio

import pytest

from app.domain.enums import ApiKeyRole
from tests.api.test_support_common import (
    adjust,
    audit_rows,
    codes,
    create_offering,
    event_of,
    history,
    mutate,
    open_app,
    profile,
)
from tests.conftest import ApiClient

# -- overrideOffering -----------------------------------------------------------------------

OFFERINGS = "query($id: String!) { customer(appUserId: $id) { currentOffering { identifier } offeringOverride { identifier } } }"


async def override(
    api: ApiClient, app_user_id: str, offering: str | None, reason: str | None = None, key: str | None = None
) -> dict:
    return await mutate(
        api,
        "overrideOffering",
        {"appUserId": app_user_id, "offeringIdentifier": offering, "reason": reason},
        "customer { currentOffering { identifier } offeringOverride { identifier } }",
        key,
    )


async def offerings_of(api: ApiClient, app_user_id: str) -> tuple[str | None, str | None]:
    data = (await api.gql(OFFERINGS, {"id": app_user_id}))["customer"]
    current, chosen = data["currentOffering"], data["offeringOverride"]
    return (current and current["identifier"], chosen and chosen["identifier"])


async def test_override_sets_and_clears_the_current_offering(api: ApiClient) -> None:
    await create_offering(api, "default", is_current=True)
    await create_offering(api, "winback")
    await open_app(api, "olga")
    await open_app(api, "other")
    assert await offerings_of(api, "olga") == ("default", None)

    support = await api.key(ApiKeyRole.SUPPORT)
    result = await override(api, "olga", "winback", reason="Churn risk", key=support)
    assert result["userErrors"] == []
    assert result["customer"] == {
        "currentOffering": {"identifier": "winback"},
        "offeringOverride": {"identifier": "winback"},
    }
    assert await offerings_of(api, "olga") == ("winback", "winback")
    assert await offerings_of(api, "other") == ("default", None)

    cleared = await override(api, "olga", None)
    assert cleared["userErrors"] == []
    assert await offerings_of(api, "olga") == ("default", None)

    records = await audit_rows(api, "overrideOffering")
    assert [(r["actor"], r["reason"], r["details"]) for r in records] == [
        ("support key", "Churn risk", {"offering": "winback"}),
        ("admin", None, {"offering": None}),
    ]


async def test_override_without_a_project_current_offering(api: ApiClient) -> None:
    await create_offering(api, "special")
    await open_app(api, "pia")
    assert await offerings_of(api, "pia") == (None, None)
    assert (await override(api, "pia", "special"))["userErrors"] == []
    assert await offerings_of(api, "pia") == ("special", "special")
    assert (await override(api, "pia", None))["userErrors"] == []
    assert await offerings_of(api, "pia") == (None, None)


async def test_unknown_offering_or_customer_changes_nothing(api: ApiClient) -> None:
    await create_offering(api, "default", is_current=True)
    await create_offering(api, "winback")
    await open_app(api, "quinn")
    await override(api, "quinn", "winback")
    result = await override(api, "quinn", "no-such-offering")
    assert codes(result) == [("OFFERING_NOT_FOUND", ["input", "offeringIdentifier"])]
    assert result["customer"] is None
    assert await offerings_of(api, "quinn") == ("winback", "winback")
    assert codes(await override(api, "nobody-known", "winback")) == [
        ("CUSTOMER_NOT_FOUND", ["input", "appUserId"])
    ]


# -- adjustVirtualCurrency ------------------------------------------------------------------


async def balances(api: ApiClient, app_user_id: str) -> dict[str, int]:
    state = await profile(api, app_user_id)
    return {b["code"]: b["balance"] for b in state["virtualCurrencyBalances"]}


async def test_grant_then_spend(api: ApiClient) -> None:
    await open_app(api, "vera")
    support = await api.key(ApiKeyRole.SUPPORT)

    granted = await adjust(api, "vera", 100, reason="Welcome bonus", key=support)
    assert granted["userErrors"] == []
    assert granted["customer"]["virtualCurrencyBalances"] == [{"code": "GEMS", "balance": 100}]
    event = event_of(await profile(api, "vera"), "GRANTED_VIRTUAL_CURRENCY")
    assert event["description"] == "Granted 100 GEMS"
    assert event["webhookEventType"] == "VIRTUAL_CURRENCY_TRANSACTION"
    assert event["virtualCurrency"] == {"code": "GEMS", "amount": 100}
    assert (event["actor"], event["reason"]) == ("support key", "Welcome bonus")
    payload = event["payload"]["event"]
    assert payload["type"] == "VIRTUAL_CURRENCY_TRANSACTION"
    assert len(payload["adjustments"]) == 1
    assert payload["adjustments"][0]["amount"] == 100
    assert payload["adjustments"][0]["currency"]["code"] == "GEMS"
    assert payload["app_user_id"] == "vera"

    spent = await adjust(api, "vera", -30, reason="Bought a hat", key=support)
    assert spent["userErrors"] == []
    assert await balances(api, "vera") == {"GEMS": 70}
    state = await profile(api, "vera")
    event = event_of(state, "SPENT_VIRTUAL_CURRENCY")
    assert event["description"] == "Spent 30 GEMS"
    assert event["webhookEventType"] == "VIRTUAL_CURRENCY_TRANSACTION"
    assert event["virtualCurrency"] == {"code": "GEMS", "amount": -30}
    assert (event["actor"], event["reason"]) == ("support key", "Bought a hat")
    assert event["payload"]["event"]["adjustments"][0]["amount"] == -30
    assert [e["type"] for e in history(state)] == ["SPENT_VIRTUAL_CURRENCY", "GRANTED_VIRTUAL_CURRENCY"]
    records = await audit_rows(api, "adjustVirtualCurrency")
    assert [(r["actor"], r["reason"]) for r in records] == [
        ("support key", "Welcome bonus"),
        ("support key", "Bought a hat"),
    ]


async def test_currencies_are_separate_balances(api: ApiClient) -> None:
    await open_app(api, "walt")
    await adjust(api, "walt", 5, code="GEMS")
    await adjust(api, "walt", 7, code="COIN2")
    assert await balances(api, "walt") == {"GEMS": 5, "COIN2": 7}
    assert codes(await adjust(api, "walt", -6, code="GEMS")) == [
        ("INSUFFICIENT_BALANCE", ["input", "amount"])
    ]


async def test_a_balance_never_goes_below_zero(api: ApiClient) -> None:
    await open_app(api, "xena")
    assert codes(await adjust(api, "xena", -1)) == [("INSUFFICIENT_BALANCE", ["input", "amount"])]
    await adjust(api, "xena", 50)
    result = await adjust(api, "xena", -51)
    assert codes(result) == [("INSUFFICIENT_BALANCE", ["input", "amount"])]
    assert result["customer"] is None
    assert await balances(api, "xena") == {"GEMS": 50}
    assert (await adjust(api, "xena", -50))["userErrors"] == []  # down to exactly zero is fine
    assert await balances(api, "xena") == {"GEMS": 0}
    assert [e["type"] for e in history(await profile(api, "xena"))] == [
        "SPENT_VIRTUAL_CURRENCY",
        "GRANTED_VIRTUAL_CURRENCY",
    ]


@pytest.mark.parametrize(
    ("code", "amount", "field"),
    [
        ("GEMS", 0, ["input", "amount"]),
        ("gems", 10, ["input", "code"]),
        ("", 10, ["input", "code"]),
        ("GEMS!", 10, ["input", "code"]),
        ("ABCDEFGHIJK", 10, ["input", "code"]),  # 11 characters
    ],
    ids=["zero", "lowercase", "empty", "punctuation", "too-long"],
)
async def test_invalid_adjustments(api: ApiClient, code: str, amount: int, field: list[str]) -> None:
    await open_app(api, "yuri")
    await adjust(api, "yuri", 10)
    assert codes(await adjust(api, "yuri", amount, code=code)) == [("INVALID_INPUT", field)]
    assert await balances(api, "yuri") == {"GEMS": 10}
    assert len(history(await profile(api, "yuri"))) == 1


async def test_unknown_customer(api: ApiClient) -> None:
    assert codes(await adjust(api, "nobody-known", 10)) == [("CUSTOMER_NOT_FOUND", ["input", "appUserId"])]


async def test_ten_concurrent_spends_never_overdraw(api: ApiClient) -> None:
    await open_app(api, "zoe")
    await adjust(api, "zoe", 100)
    results = await asyncio.gather(*(adjust(api, "zoe", -30) for _ in range(10)))
    succeeded = [r for r in results if r["userErrors"] == []]
    refused = [r for r in results if r["userErrors"]]
    assert len(succeeded) == 3
    assert len(refused) == 7
    assert all(codes(r) == [("INSUFFICIENT_BALANCE", ["input", "amount"])] for r in refused)
    assert await balances(api, "zoe") == {"GEMS": 10}
    types = [e["type"] for e in history(await profile(api, "zoe"))]
    assert types.count("SPENT_VIRTUAL_CURRENCY") == 3
