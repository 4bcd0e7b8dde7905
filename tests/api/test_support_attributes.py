"""setAttributes (DESIGN 4.4): several attributes at once, all or nothing.

Rules checked: custom keys match ^[a-zA-Z][a-zA-Z0-9_-]*$ and have at most 40 characters
(INVALID_ATTRIBUTE_KEY); `$` keys must be reserved ones (RESERVED_ATTRIBUTE_KEY); values
have at most 500 characters (ATTRIBUTE_VALUE_TOO_LONG); `$email` must look like an email
(INVALID_INPUT); a null or empty value deletes; at most 50 custom keys per customer
(ATTRIBUTE_LIMIT_REACHED), reserved keys not counted; every bad attribute of a call is
reported with its field path and nothing changes; updatedAt moves only when the value
does; attribution comes from the reserved attribution keys; an SDK key may call it.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.domain.enums import ApiKeyRole
from tests.api.test_support_common import audit_rows, codes, mutate, open_app
from tests.conftest import ApiClient, Clock

ATTRIBUTES = """query($id: String!) { customer(appUserId: $id) {
  attributes { key value updatedAt isReserved }
  attribution { network campaign adGroup keywords creative } } }"""


def pairs(*items: tuple[str, str | None]) -> list[dict[str, Any]]:
    return [{"key": key, "value": value} for key, value in items]


async def set_attributes(
    api: ApiClient, app_user_id: str, attributes: list[dict[str, Any]], key: str | None = None
) -> dict[str, Any]:
    return await mutate(
        api,
        "setAttributes",
        {"appUserId": app_user_id, "attributes": attributes},
        "customer { id }",
        key,
    )


async def stored(api: ApiClient, app_user_id: str) -> dict[str, str]:
    data = await api.gql(ATTRIBUTES, {"id": app_user_id})
    return {a["key"]: a["value"] for a in data["customer"]["attributes"]}


def field(index: int, part: str) -> list[str]:
    return ["input", "attributes", str(index), part]


async def test_several_attributes_are_set_at_once(api: ApiClient) -> None:
    await open_app(api, "ann")
    result = await set_attributes(
        api,
        "ann",
        pairs(("plan", "gold"), ("$displayName", "Ann"), ("level_2-b", "3"), ("$email", "ann@x.io")),
    )
    assert result["userErrors"] == [] and result["customer"] is not None
    data = await api.gql(ATTRIBUTES, {"id": "ann"})
    assert {(a["key"], a["value"], a["isReserved"]) for a in data["customer"]["attributes"]} == {
        ("plan", "gold", False),
        ("$displayName", "Ann", True),
        ("level_2-b", "3", False),
        ("$email", "ann@x.io", True),
    }


async def test_one_call_is_all_or_nothing_and_reports_every_bad_attribute(api: ApiClient) -> None:
    await open_app(api, "bea")
    await set_attributes(api, "bea", pairs(("plan", "gold"), ("$displayName", "Bea")))
    result = await set_attributes(
        api,
        "bea",
        pairs(
            ("plan", "silver"),  # fine on its own
            ("1starts-with-digit", "x"),
            ("$notReserved", "y"),
            ("ok", "v" * 501),
            ("fine", "z"),
            ("has space", "w"),
            ("$displayName", None),  # a delete, fine on its own
        ),
    )
    assert result["customer"] is None
    assert codes(result) == [
        ("INVALID_ATTRIBUTE_KEY", field(1, "key")),
        ("RESERVED_ATTRIBUTE_KEY", field(2, "key")),
        ("ATTRIBUTE_VALUE_TOO_LONG", field(3, "value")),
        ("INVALID_ATTRIBUTE_KEY", field(5, "key")),
    ]
    assert await stored(api, "bea") == {"plan": "gold", "$displayName": "Bea"}


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("k" * 41, "v", ("INVALID_ATTRIBUTE_KEY", field(0, "key"))),
        ("_private", "v", ("INVALID_ATTRIBUTE_KEY", field(0, "key"))),
        ("dotted.key", "v", ("INVALID_ATTRIBUTE_KEY", field(0, "key"))),
        ("", "v", ("INVALID_ATTRIBUTE_KEY", field(0, "key"))),
        ("$favouriteColour", "v", ("RESERVED_ATTRIBUTE_KEY", field(0, "key"))),
        ("notes", "n" * 501, ("ATTRIBUTE_VALUE_TOO_LONG", field(0, "value"))),
        ("$email", "not-an-email", ("INVALID_INPUT", field(0, "value"))),
        ("$email", "two@@example.com", ("INVALID_INPUT", field(0, "value"))),
        ("$email", "no-domain@localhost", ("INVALID_INPUT", field(0, "value"))),
        ("$email", "spa ce@example.com", ("INVALID_INPUT", field(0, "value"))),
    ],
)
async def test_bad_attributes_are_refused(
    api: ApiClient, key: str, value: str, expected: tuple[str, list[str]]
) -> None:
    await open_app(api, "cal")
    result = await set_attributes(api, "cal", pairs((key, value)))
    assert codes(result) == [expected]
    assert await stored(api, "cal") == {}


async def test_limits_are_inclusive(api: ApiClient) -> None:
    await open_app(api, "dee")
    longest_key, longest_value = "k" + "x" * 39, "v" * 500
    result = await set_attributes(
        api, "dee", pairs((longest_key, longest_value), ("$email", "dee+tag@mail.example.com"))
    )
    assert result["userErrors"] == []
    assert await stored(api, "dee") == {longest_key: longest_value, "$email": "dee+tag@mail.example.com"}


@pytest.mark.parametrize("empty", [None, ""], ids=["null", "empty-string"])
async def test_null_or_empty_value_deletes(api: ApiClient, empty: str | None) -> None:
    await open_app(api, "eve")
    await set_attributes(api, "eve", pairs(("plan", "gold"), ("$email", "eve@example.com"), ("keep", "1")))
    result = await set_attributes(api, "eve", pairs(("plan", empty), ("$email", empty)))
    assert result["userErrors"] == []
    assert await stored(api, "eve") == {"keep": "1"}
    # Deleting a key the customer does not have is not an error.
    assert (await set_attributes(api, "eve", pairs(("never-set", empty))))["userErrors"] == []


async def test_fifty_custom_keys_at_most_and_reserved_keys_do_not_count(api: ApiClient) -> None:
    await open_app(api, "fay")
    fifty = pairs(*((f"key{i}", str(i)) for i in range(50)))
    assert (await set_attributes(api, "fay", fifty))["userErrors"] == []

    refused = await set_attributes(api, "fay", pairs(("key50", "one too many")))
    assert codes(refused) == [("ATTRIBUTE_LIMIT_REACHED", field(0, "key"))]
    # All or nothing: a reserved key in the same call is not written either.
    refused = await set_attributes(api, "fay", pairs(("$displayName", "Fay"), ("key51", "x")))
    assert codes(refused) == [("ATTRIBUTE_LIMIT_REACHED", field(1, "key"))]
    assert len(await stored(api, "fay")) == 50

    # Reserved keys and changes of existing keys fit at 50.
    ok = await set_attributes(
        api, "fay", pairs(("$displayName", "Fay"), ("$email", "fay@example.com"), ("key0", "changed"))
    )
    assert ok["userErrors"] == []
    # A delete in the same call frees room for a new key.
    ok = await set_attributes(api, "fay", pairs(("key1", None), ("key50", "fits now")))
    assert ok["userErrors"] == []
    after = await stored(api, "fay")
    assert len([k for k in after if not k.startswith("$")]) == 50
    assert after["key0"] == "changed" and after["key50"] == "fits now" and "key1" not in after
    assert after["$displayName"] == "Fay"


async def test_fifty_one_new_keys_in_one_call_are_refused_whole(api: ApiClient) -> None:
    await open_app(api, "gus")
    result = await set_attributes(api, "gus", pairs(*((f"k{i}", "v") for i in range(51))))
    assert codes(result) == [("ATTRIBUTE_LIMIT_REACHED", field(50, "key"))]
    assert await stored(api, "gus") == {}


async def test_updated_at_changes_only_when_the_value_changes(api: ApiClient, clock: Clock) -> None:
    first = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    clock.set(first)
    await open_app(api, "hal")
    await set_attributes(api, "hal", pairs(("plan", "gold"), ("tier", "1")))

    clock.set(first + timedelta(hours=1))
    await set_attributes(api, "hal", pairs(("plan", "gold"), ("tier", "2")))
    data = await api.gql(ATTRIBUTES, {"id": "hal"})
    times = {a["key"]: a["updatedAt"] for a in data["customer"]["attributes"]}
    assert times == {"plan": "2026-04-01T08:00:00Z", "tier": "2026-04-01T09:00:00Z"}

    clock.set(first + timedelta(hours=2))
    await set_attributes(api, "hal", pairs(("plan", "platinum")))
    data = await api.gql(ATTRIBUTES, {"id": "hal"})
    times = {a["key"]: a["updatedAt"] for a in data["customer"]["attributes"]}
    assert times == {"plan": "2026-04-01T10:00:00Z", "tier": "2026-04-01T09:00:00Z"}


async def test_attribution_comes_from_the_reserved_attribution_keys(api: ApiClient) -> None:
    await open_app(api, "ivy")
    data = await api.gql(ATTRIBUTES, {"id": "ivy"})
    assert data["customer"]["attribution"] == {
        "network": None,
        "campaign": None,
        "adGroup": None,
        "keywords": None,
        "creative": None,
    }
    await set_attributes(
        api,
        "ivy",
        pairs(
            ("$mediaSource", "Facebook Ads"),
            ("$campaign", "spring-sale"),
            ("$adGroup", "lookalike-1"),
            ("$keyword", "meditation app"),
            ("$creative", "video-15s"),
            ("$ad", "not shown on the card"),
        ),
    )
    data = await api.gql(ATTRIBUTES, {"id": "ivy"})
    assert data["customer"]["attribution"] == {
        "network": "Facebook Ads",
        "campaign": "spring-sale",
        "adGroup": "lookalike-1",
        "keywords": "meditation app",
        "creative": "video-15s",
    }
    await set_attributes(api, "ivy", pairs(("$campaign", None)))
    data = await api.gql(ATTRIBUTES, {"id": "ivy"})
    assert data["customer"]["attribution"]["campaign"] is None


async def test_an_sdk_key_may_set_attributes(api: ApiClient) -> None:
    await open_app(api, "jon")
    sdk = await api.key(ApiKeyRole.SDK)
    result = await set_attributes(api, "jon", pairs(("$email", "jon@example.com"), ("plan", "free")), key=sdk)
    assert result["userErrors"] == [] and result["customer"]["id"]
    assert await stored(api, "jon") == {"$email": "jon@example.com", "plan": "free"}


async def test_the_actor_is_audited(api: ApiClient) -> None:
    await open_app(api, "kim")
    support = await api.key(ApiKeyRole.SUPPORT)
    await set_attributes(api, "kim", pairs(("plan", "gold")), key=support)
    rows = await audit_rows(api, "setAttributes")
    assert [(r["actor"], r["details"]) for r in rows] == [("support key", {"keys": ["plan"]})]


async def test_unknown_customer(api: ApiClient) -> None:
    result = await set_attributes(api, "nobody-at-all", pairs(("plan", "gold")))
    assert codes(result) == [("CUSTOMER_NOT_FOUND", ["input", "appUserId"])]
    assert (await api.gql('{ customer(appUserId: "nobody-at-all") { id } }'))["customer"] is None
