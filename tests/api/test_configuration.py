"""Project configuration through the API (admin keys): entitlements, products, offerings,
the current offering, the restore behaviour and API keys (contract: "project
configuration"; DESIGN.md sections 3 and 5).

Rules checked here: each create returns the object and refuses duplicates with
ALREADY_EXISTS; bad input is a userError (INVALID_INPUT, ENTITLEMENT_NOT_FOUND,
PRODUCT_NOT_FOUND, OFFERING_NOT_FOUND) and creates nothing; a project has at most one
current offering; an API key's secret is returned once and never readable again; every
configured object is reachable through node(id:).
"""

from __future__ import annotations

from typing import Any

import pytest

from app.db.engine import Database
from app.main import create_app
from tests.conftest import ApiClient, make_settings, new_api_client

USER_ERRORS = "userErrors { field message code }"

CREATE_ENTITLEMENT = f"""
mutation($input: CreateEntitlementInput!) {{
  createEntitlement(input: $input) {{ entitlement {{ id identifier displayName products {{ identifier }} }} {USER_ERRORS} }}
}}"""

CREATE_PRODUCT = f"""
mutation($input: CreateProductInput!) {{
  createProduct(input: $input) {{
    product {{ id identifier store type price {{ amount currency }} entitlements {{ identifier }} }}
    {USER_ERRORS}
  }}
}}"""

CREATE_OFFERING = f"""
mutation($input: CreateOfferingInput!) {{
  createOffering(input: $input) {{
    offering {{ id identifier description isCurrent packages {{ identifier product {{ identifier store }} }} }}
    {USER_ERRORS}
  }}
}}"""

SET_CURRENT_OFFERING = f"""
mutation($id: String!) {{
  setCurrentOffering(input: {{offeringIdentifier: $id}}) {{
    project {{ currentOffering {{ identifier isCurrent }} offerings {{ identifier isCurrent }} }}
    {USER_ERRORS}
  }}
}}"""

CREATE_API_KEY = f"""
mutation($name: String!, $role: ApiKeyRole!) {{
  createApiKey(input: {{name: $name, role: $role}}) {{ secret apiKey {{ id name role prefix }} {USER_ERRORS} }}
}}"""

PROJECT_CATALOG = """
{ project {
    id restoreBehavior
    entitlements { identifier displayName products { identifier store } }
    products { identifier store type price { amount currency } entitlements { identifier } }
    offerings { identifier isCurrent packages { identifier product { identifier } } }
    currentOffering { identifier }
} }"""


async def create_entitlement(
    api: ApiClient, identifier: str, display_name: str | None = None
) -> dict[str, Any]:
    data = await api.gql(
        CREATE_ENTITLEMENT, {"input": {"identifier": identifier, "displayName": display_name}}
    )
    return data["createEntitlement"]  # type: ignore[no-any-return]


async def create_product(api: ApiClient, identifier: str, **fields: Any) -> dict[str, Any]:
    product = {"identifier": identifier, "store": "APP_STORE", "type": "SUBSCRIPTION", **fields}
    data = await api.gql(CREATE_PRODUCT, {"input": product})
    return data["createProduct"]  # type: ignore[no-any-return]


async def create_offering(api: ApiClient, identifier: str, **fields: Any) -> dict[str, Any]:
    data = await api.gql(CREATE_OFFERING, {"input": {"identifier": identifier, **fields}})
    return data["createOffering"]  # type: ignore[no-any-return]


async def catalog(api: ApiClient) -> dict[str, Any]:
    return (await api.gql(PROJECT_CATALOG))["project"]  # type: ignore[no-any-return]


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


# -- entitlements -------------------------------------------------------------------------


async def test_create_entitlement(api: ApiClient) -> None:
    payload = await create_entitlement(api, "pro", "Pro access")
    assert payload["userErrors"] == []
    assert payload["entitlement"]["identifier"] == "pro"
    assert payload["entitlement"]["displayName"] == "Pro access"
    assert payload["entitlement"]["products"] == []
    assert (await catalog(api))["entitlements"] == [
        {"identifier": "pro", "displayName": "Pro access", "products": []}
    ]


async def test_entitlement_display_name_defaults_to_the_identifier(api: ApiClient) -> None:
    payload = await create_entitlement(api, "premium")
    assert payload["entitlement"]["displayName"] == "premium"


async def test_duplicate_entitlement_is_already_exists(api: ApiClient) -> None:
    await create_entitlement(api, "pro", "Pro")
    payload = await create_entitlement(api, "pro", "Pro again")
    assert payload["entitlement"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("ALREADY_EXISTS", ["input", "identifier"])
    ]
    assert (await catalog(api))["entitlements"] == [
        {"identifier": "pro", "displayName": "Pro", "products": []}
    ]


@pytest.mark.parametrize("identifier", ["", " ", "   ", "pro access", "\t"])
async def test_blank_or_spaced_entitlement_identifier_is_invalid(api: ApiClient, identifier: str) -> None:
    payload = await create_entitlement(api, identifier)
    assert payload["entitlement"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_INPUT", ["input", "identifier"])
    ]
    assert (await catalog(api))["entitlements"] == []


async def test_same_entitlement_identifier_in_two_projects_is_fine(
    api: ApiClient, db: Database, database_urls: dict[str, str], backend: str
) -> None:
    other = await new_api_client(db, create_app(make_settings(database_urls[backend]), db), "other")
    try:
        assert (await create_entitlement(other, "pro"))["userErrors"] == []
    finally:
        await other.http.aclose()
    assert (await create_entitlement(api, "pro"))["userErrors"] == []


# -- products -----------------------------------------------------------------------------


async def test_create_product_with_price_and_entitlements(api: ApiClient) -> None:
    await create_entitlement(api, "pro")
    await create_entitlement(api, "premium")
    payload = await create_product(
        api,
        "yearly",
        price={"amount": "79.99", "currency": "USD"},
        entitlementIdentifiers=["pro", "premium"],
    )
    assert payload["userErrors"] == []
    product = payload["product"]
    assert product["identifier"] == "yearly"
    assert (product["store"], product["type"]) == ("APP_STORE", "SUBSCRIPTION")
    assert product["price"] == {"amount": "79.99", "currency": "USD"}
    assert sorted(e["identifier"] for e in product["entitlements"]) == ["premium", "pro"]

    entitlements = {e["identifier"]: e for e in (await catalog(api))["entitlements"]}
    assert entitlements["pro"]["products"] == [{"identifier": "yearly", "store": "APP_STORE"}]
    assert entitlements["premium"]["products"] == [{"identifier": "yearly", "store": "APP_STORE"}]


async def test_product_without_price_or_entitlements(api: ApiClient) -> None:
    payload = await create_product(api, "coins", type="CONSUMABLE")
    assert payload["userErrors"] == []
    assert payload["product"]["price"] is None
    assert payload["product"]["entitlements"] == []


async def test_product_with_unknown_entitlement_is_refused_and_not_created(api: ApiClient) -> None:
    await create_entitlement(api, "pro")
    payload = await create_product(api, "monthly", entitlementIdentifiers=["pro", "nope"])
    assert payload["product"] is None
    assert codes(payload) == ["ENTITLEMENT_NOT_FOUND"]
    assert payload["userErrors"][0]["field"][:2] == ["input", "entitlementIdentifiers"]
    project = await catalog(api)
    assert project["products"] == []
    assert project["entitlements"][0]["products"] == []


async def test_duplicate_product_is_already_exists(api: ApiClient) -> None:
    assert (await create_product(api, "monthly"))["userErrors"] == []
    payload = await create_product(api, "monthly", type="NON_RENEWING")
    assert payload["product"] is None
    assert codes(payload) == ["ALREADY_EXISTS"]
    assert [p["type"] for p in (await catalog(api))["products"]] == ["SUBSCRIPTION"]


async def test_same_product_identifier_on_another_store_is_another_product(api: ApiClient) -> None:
    assert (await create_product(api, "monthly"))["userErrors"] == []
    assert (await create_product(api, "monthly", store="PLAY_STORE"))["userErrors"] == []
    stores = sorted(p["store"] for p in (await catalog(api))["products"])
    assert stores == ["APP_STORE", "PLAY_STORE"]


async def test_promotional_product_is_refused(api: ApiClient) -> None:
    payload = await create_product(api, "rc_promo_pro_monthly", store="PROMOTIONAL")
    assert payload["product"] is None
    assert codes(payload) == ["INVALID_INPUT"]
    assert (await catalog(api))["products"] == []


@pytest.mark.parametrize(
    "price",
    [
        {"amount": "-1", "currency": "USD"},
        {"amount": "-0.01", "currency": "EUR"},
        {"amount": "9.99", "currency": "dollars"},
        {"amount": "9.99", "currency": "usd"},
        {"amount": "NaN", "currency": "USD"},
        {"amount": "Infinity", "currency": "USD"},
    ],
    ids=["negative", "negative-cent", "currency-word", "currency-lowercase", "nan", "infinity"],
)
async def test_invalid_list_price_is_refused(api: ApiClient, price: dict[str, str]) -> None:
    payload = await create_product(api, "monthly", price=price)
    assert payload["product"] is None
    assert codes(payload) == ["INVALID_INPUT"]
    assert payload["userErrors"][0]["field"][:2] == ["input", "price"]
    assert (await catalog(api))["products"] == []


# -- offerings ----------------------------------------------------------------------------


async def products_monthly_and_yearly(api: ApiClient) -> None:
    await create_entitlement(api, "pro")
    for identifier in ("monthly", "yearly"):
        assert (await create_product(api, identifier, entitlementIdentifiers=["pro"]))["userErrors"] == []


async def test_create_offering_with_packages(api: ApiClient) -> None:
    await products_monthly_and_yearly(api)
    payload = await create_offering(
        api,
        "default",
        description="The standard paywall",
        packages=[
            {"identifier": "$rc_monthly", "productIdentifier": "monthly"},
            {"identifier": "$rc_annual", "productIdentifier": "yearly"},
        ],
    )
    assert payload["userErrors"] == []
    offering = payload["offering"]
    assert (offering["identifier"], offering["description"], offering["isCurrent"]) == (
        "default",
        "The standard paywall",
        False,
    )
    assert [(p["identifier"], p["product"]["identifier"]) for p in offering["packages"]] == [
        ("$rc_monthly", "monthly"),
        ("$rc_annual", "yearly"),
    ]
    project = await catalog(api)
    assert project["offerings"] == [
        {
            "identifier": "default",
            "isCurrent": False,
            "packages": [
                {"identifier": "$rc_monthly", "product": {"identifier": "monthly"}},
                {"identifier": "$rc_annual", "product": {"identifier": "yearly"}},
            ],
        }
    ]
    assert project["currentOffering"] is None


async def test_offering_with_unknown_product_is_refused_and_not_created(api: ApiClient) -> None:
    await products_monthly_and_yearly(api)
    payload = await create_offering(
        api,
        "default",
        packages=[
            {"identifier": "$rc_monthly", "productIdentifier": "monthly"},
            {"identifier": "$rc_weekly", "productIdentifier": "weekly"},
        ],
    )
    assert payload["offering"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("PRODUCT_NOT_FOUND", ["input", "packages", "1", "productIdentifier"])
    ]
    assert (await catalog(api))["offerings"] == []


async def test_duplicate_offering_is_already_exists(api: ApiClient) -> None:
    assert (await create_offering(api, "default"))["userErrors"] == []
    payload = await create_offering(api, "default", isCurrent=True)
    assert codes(payload) == ["ALREADY_EXISTS"]
    project = await catalog(api)
    assert project["offerings"] == [{"identifier": "default", "isCurrent": False, "packages": []}]
    assert project["currentOffering"] is None


async def test_offering_created_as_current_is_the_projects_current_offering(api: ApiClient) -> None:
    await products_monthly_and_yearly(api)
    payload = await create_offering(
        api,
        "default",
        isCurrent=True,
        packages=[{"identifier": "$rc_monthly", "productIdentifier": "monthly"}],
    )
    assert payload["userErrors"] == []
    assert payload["offering"]["isCurrent"] is True
    project = await catalog(api)
    assert project["currentOffering"] == {"identifier": "default"}
    assert project["offerings"][0]["isCurrent"] is True


async def test_a_second_current_offering_replaces_the_first(api: ApiClient) -> None:
    await create_offering(api, "first", isCurrent=True)
    payload = await create_offering(api, "second", isCurrent=True)
    assert payload["userErrors"] == []
    assert payload["offering"]["isCurrent"] is True

    project = await catalog(api)
    assert project["currentOffering"] == {"identifier": "second"}
    assert {o["identifier"]: o["isCurrent"] for o in project["offerings"]} == {"first": False, "second": True}


async def test_an_offering_not_created_as_current_leaves_the_current_one(api: ApiClient) -> None:
    await create_offering(api, "first", isCurrent=True)
    await create_offering(api, "second")
    project = await catalog(api)
    assert project["currentOffering"] == {"identifier": "first"}
    assert [o["identifier"] for o in project["offerings"] if o["isCurrent"]] == ["first"]


async def test_set_current_offering_switches(api: ApiClient) -> None:
    await create_offering(api, "first", isCurrent=True)
    await create_offering(api, "second")

    data = await api.gql(SET_CURRENT_OFFERING, {"id": "second"})
    payload = data["setCurrentOffering"]
    assert payload["userErrors"] == []
    assert payload["project"]["currentOffering"] == {"identifier": "second", "isCurrent": True}
    assert {o["identifier"]: o["isCurrent"] for o in payload["project"]["offerings"]} == {
        "first": False,
        "second": True,
    }

    data = await api.gql(SET_CURRENT_OFFERING, {"id": "first"})
    assert data["setCurrentOffering"]["project"]["currentOffering"] == {
        "identifier": "first",
        "isCurrent": True,
    }
    assert (await catalog(api))["currentOffering"] == {"identifier": "first"}


async def test_set_current_offering_again_is_harmless(api: ApiClient) -> None:
    await create_offering(api, "first", isCurrent=True)
    data = await api.gql(SET_CURRENT_OFFERING, {"id": "first"})
    assert data["setCurrentOffering"]["userErrors"] == []
    assert data["setCurrentOffering"]["project"]["currentOffering"] == {
        "identifier": "first",
        "isCurrent": True,
    }


async def test_set_current_offering_unknown_is_offering_not_found(api: ApiClient) -> None:
    await create_offering(api, "first", isCurrent=True)
    data = await api.gql(SET_CURRENT_OFFERING, {"id": "missing"})
    payload = data["setCurrentOffering"]
    assert payload["project"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("OFFERING_NOT_FOUND", ["input", "offeringIdentifier"])
    ]
    assert (await catalog(api))["currentOffering"] == {"identifier": "first"}


# -- restore behaviour ---------------------------------------------------------------------


@pytest.mark.parametrize("behavior", ["KEEP_WITH_ORIGINAL", "TRANSFER_IF_NO_ACTIVE_SUBSCRIPTION", "TRANSFER"])
async def test_set_restore_behavior(api: ApiClient, behavior: str) -> None:
    data = await api.gql(
        "mutation($b: RestoreBehavior!) { setRestoreBehavior(input: {restoreBehavior: $b}) "
        f"{{ project {{ restoreBehavior }} {USER_ERRORS} }} }}",
        {"b": behavior},
    )
    assert data["setRestoreBehavior"] == {"project": {"restoreBehavior": behavior}, "userErrors": []}
    assert (await catalog(api))["restoreBehavior"] == behavior


async def test_default_restore_behavior_is_transfer(api: ApiClient) -> None:
    assert (await catalog(api))["restoreBehavior"] == "TRANSFER"


# -- API keys ---------------------------------------------------------------------------------


async def test_create_api_key_returns_the_secret_once(api: ApiClient) -> None:
    data = await api.gql(CREATE_API_KEY, {"name": "dashboard", "role": "VIEWER"})
    payload = data["createApiKey"]
    assert payload["userErrors"] == []
    assert payload["secret"] and payload["secret"].startswith(payload["apiKey"]["prefix"])
    assert (payload["apiKey"]["name"], payload["apiKey"]["role"]) == ("dashboard", "VIEWER")

    # The key works...
    assert (await api.gql("{ project { id } }", key=payload["secret"]))["project"]["id"]
    # ...and no later read can return it: ApiKey has no secret field at all.
    response = await api.post("{ project { apiKeys { id secret } } }")
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert any("secret" in error["message"] for error in errors)
    listed = (await api.gql("{ project { apiKeys { id name role prefix } } }"))["project"]["apiKeys"]
    assert payload["secret"] not in str(listed)
    assert {
        "id": payload["apiKey"]["id"],
        "name": "dashboard",
        "role": "VIEWER",
        "prefix": payload["apiKey"]["prefix"],
    } in listed


async def test_two_keys_have_different_secrets(api: ApiClient) -> None:
    first = (await api.gql(CREATE_API_KEY, {"name": "one", "role": "SDK"}))["createApiKey"]
    second = (await api.gql(CREATE_API_KEY, {"name": "two", "role": "SDK"}))["createApiKey"]
    assert first["secret"] != second["secret"]
    assert first["apiKey"]["id"] != second["apiKey"]["id"]


@pytest.mark.parametrize("name", ["", "   "])
async def test_api_key_with_blank_name_is_invalid(api: ApiClient, name: str) -> None:
    payload = (await api.gql(CREATE_API_KEY, {"name": name, "role": "VIEWER"}))["createApiKey"]
    assert payload["secret"] is None and payload["apiKey"] is None
    assert codes(payload) == ["INVALID_INPUT"]


@pytest.mark.parametrize(
    "api_key_id",
    ["bogus", "", "QXBpS2V5Ojk5OTk5OTk5OQ", "UHJvZHVjdDox"],
    ids=["bogus", "empty", "unknown", "a-product"],
)
async def test_revoke_api_key_with_a_bogus_id_is_a_user_error(api: ApiClient, api_key_id: str) -> None:
    data = await api.gql(
        f"mutation($id: ID!) {{ revokeApiKey(input: {{apiKeyId: $id}}) {{ revokedApiKeyId {USER_ERRORS} }} }}",
        {"id": api_key_id},
    )
    payload = data["revokeApiKey"]
    assert payload["revokedApiKeyId"] is None
    assert len(payload["userErrors"]) == 1
    assert payload["userErrors"][0]["field"] == ["input", "apiKeyId"]
    # The admin key is untouched.
    assert (await api.gql("{ project { id } }"))["project"]["id"]


async def test_revoking_a_key_twice_is_a_user_error(api: ApiClient) -> None:
    created = (await api.gql(CREATE_API_KEY, {"name": "temp", "role": "VIEWER"}))["createApiKey"]
    mutation = (
        f"mutation($id: ID!) {{ revokeApiKey(input: {{apiKeyId: $id}}) {{ revokedApiKeyId {USER_ERRORS} }} }}"
    )
    first = (await api.gql(mutation, {"id": created["apiKey"]["id"]}))["revokeApiKey"]
    assert first == {"revokedApiKeyId": created["apiKey"]["id"], "userErrors": []}
    second = (await api.gql(mutation, {"id": created["apiKey"]["id"]}))["revokeApiKey"]
    assert second["revokedApiKeyId"] is None
    assert len(second["userErrors"]) == 1


# -- node(id:) ------------------------------------------------------------------------------------

NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Project { name }
    ... on Product { identifier store }
    ... on Offering { identifier isCurrent }
    ... on Entitlement { identifier }
  }
}"""


async def test_node_returns_configured_objects(api: ApiClient) -> None:
    entitlement = (await create_entitlement(api, "pro"))["entitlement"]
    product = (await create_product(api, "monthly", entitlementIdentifiers=["pro"]))["product"]
    offering = (await create_offering(api, "default", isCurrent=True))["offering"]
    project = await catalog(api)

    expected = {
        project["id"]: {"__typename": "Project", "id": project["id"], "name": "test"},
        product["id"]: {
            "__typename": "Product",
            "id": product["id"],
            "identifier": "monthly",
            "store": "APP_STORE",
        },
        offering["id"]: {
            "__typename": "Offering",
            "id": offering["id"],
            "identifier": "default",
            "isCurrent": True,
        },
        entitlement["id"]: {"__typename": "Entitlement", "id": entitlement["id"], "identifier": "pro"},
    }
    assert len(expected) == 4, "global ids must differ between types"
    for global_id, node in expected.items():
        assert (await api.gql(NODE, {"id": global_id}))["node"] == node
