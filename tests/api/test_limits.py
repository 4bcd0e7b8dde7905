"""Query limits and malformed requests (DESIGN.md section 5).

Rules checked here, with the production limits enforced (the `api` fixture):
- a query deeper than 12 levels, with more than 30 aliases, or longer than 2000 tokens
  is refused;
- a query whose estimated cost is over the limit is refused with extensions.code
  QUERY_TOO_COSTLY before anything runs, while a full page of customers with every
  nested list of a customer stays under it;
- malformed requests (syntax errors, unknown fields, bad JSON, page sizes out of range,
  NUL characters, garbage cursors) get a GraphQL error or a 4xx, never a 500, and no
  error message ever shows SQL or a stack trace;
- introspection is off in production and on in development.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from app.db.engine import Database
from app.domain.enums import ApiKeyRole
from app.graphql.ids import encode_cursor
from app.main import create_app
from tests.api.helpers import configure_catalog, days, post_receipt, txn
from tests.conftest import ApiClient, StatementCounter, make_settings, new_api_client

MASKED = "Internal server error."
LEAKS = ("SELECT ", "Traceback", "sqlalchemy", "asyncpg", "aiosqlite", 'File "')


def assert_no_leak(response: httpx.Response) -> None:
    for leak in LEAKS:
        assert leak.lower() not in response.text.lower(), f"{leak!r} leaked: {response.text[:500]}"


def refused(response: httpx.Response) -> list[dict[str, Any]]:
    """The GraphQL errors of a refused request: HTTP 200 or 400, an errors list, no leak."""
    assert response.status_code in (200, 400), response.text
    assert_no_leak(response)
    body = response.json()
    errors = body.get("errors")
    assert isinstance(errors, list) and errors, body
    assert all(isinstance(error.get("message"), str) and error["message"] for error in errors), body
    return errors  # type: ignore[no-any-return]


def messages(errors: list[dict[str, Any]]) -> str:
    return " | ".join(error["message"] for error in errors)


def client_error(response: httpx.Response) -> str:
    """A refusal that tells the client what it did wrong (not a masked internal error)."""
    errors = refused(response)
    text = messages(errors)
    assert MASKED not in text, f"the client's mistake was reported as an internal error: {text}"
    return text


# -- depth ----------------------------------------------------------------------------------


def nested_catalog(levels: int) -> str:
    """project { products { entitlements { products { ... identifier } } } } with `levels`
    alternating lists under project: the operation is levels + 1 deep below the root."""
    selection = "identifier"
    for level in range(levels):
        selection = f"{('products', 'entitlements')[level % 2]} {{ {selection} }}"
    return f"{{ project {{ {selection} }} }}"


def nested_catalog_in_fragments(levels: int) -> str:
    """The same depth reached through a chain of (non-recursive) named fragments."""
    fragments = []
    for level in range(levels):
        parent = "Project" if level == 0 else ("Entitlement", "Product")[level % 2]
        field = ("products", "entitlements")[level % 2]
        inner = f"...F{level + 1}" if level + 1 < levels else "identifier"
        fragments.append(f"fragment F{level} on {parent} {{ {field} {{ {inner} }} }}")
    return "{ project { ...F0 } }\n" + "\n".join(fragments)


@pytest.mark.parametrize("build", [nested_catalog, nested_catalog_in_fragments], ids=["inline", "fragments"])
async def test_query_deeper_than_12_levels_is_refused(api: ApiClient, build: Any) -> None:
    text = messages(refused(await api.post(build(12))))
    assert "depth" in text


async def test_query_of_12_levels_passes_the_depth_limit(api: ApiClient) -> None:
    response = await api.post(nested_catalog(11))
    text = messages(response.json().get("errors", []))
    assert "depth" not in text


async def test_customer_history_nesting_beyond_the_depth_limit_is_refused(api: ApiClient) -> None:
    query = """{ customers(first: 1) { edges { node {
      history(first: 1) { edges { node { id } } }
      entitlements { purchase { product { entitlements { products { entitlements { products {
        entitlements { products { entitlements { identifier } } } } } } } } } }
    } } } }"""
    text = messages(refused(await api.post(query)))
    assert "depth" in text


# -- aliases and tokens -------------------------------------------------------------------------


def aliased_projects(count: int) -> str:
    return "{ " + " ".join(f"p{i}: project {{ id }}" for i in range(count)) + " }"


async def test_more_than_30_aliases_are_refused(api: ApiClient) -> None:
    text = messages(refused(await api.post(aliased_projects(31))))
    assert "alias" in text.lower()


async def test_30_aliases_are_allowed(api: ApiClient) -> None:
    data = await api.gql(aliased_projects(30))
    assert len(data) == 30


async def test_query_over_2000_tokens_is_refused(api: ApiClient) -> None:
    query = "{ project { " + "name " * 2100 + "} }"
    text = messages(refused(await api.post(query)))
    assert "token" in text.lower()


async def test_query_under_2000_tokens_is_allowed(api: ApiClient) -> None:
    # About 1990 tokens; a repeated fragment spread keeps validation itself cheap.
    query = "{ project { " + "...P " * 990 + "} } fragment P on Project { name }"
    assert (await api.gql(query))["project"]["name"] == "test"


async def test_same_shape_over_2000_tokens_is_refused(api: ApiClient) -> None:
    query = "{ project { " + "...P " * 1010 + "} } fragment P on Project { name }"
    text = messages(refused(await api.post(query)))
    assert "token" in text.lower()


# -- cost -----------------------------------------------------------------------------------------

COSTLY = (
    "{ "
    + " ".join(
        f"c{i}: customers(first: 100) {{ edges {{ node {{ history(first: 100) {{ edges {{ node {{ id type payload }} }} }} }} }} }}"
        for i in range(20)
    )
    + " }"
)

# A full page of customers with every nested list a dashboard shows.
FULL_CUSTOMER_PAGE = """
{ customers(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
    id appUserId originalAppUserId country lastOpenedAt firstSeenAt totalSpent { amount currency }
    aliases { appUserId isAnonymous createdAt lastSeenAt }
    notes { id body bodyHtml author createdAt updatedAt }
    attributes { key value updatedAt isReserved }
    attribution { network campaign adGroup keywords creative }
    entitlements { entitlement { identifier } isActive source productId expiresAt willRenew }
    purchases { id productId status store entitlements { identifier }
                product { identifier entitlements { identifier } } }
    history(first: 50) { edges { node {
      id type description webhookEventType purchasedAt eventTimestamp environment store productId
      newProductId entitlementIds periodType transactionId cancelReason priceIsEstimated
      transferredFrom transferredTo actor reason payload } } }
    currentOffering { identifier description isCurrent packages { identifier product { identifier entitlements { identifier } } } }
    offeringOverride { identifier }
} } } }
"""


async def test_query_multiplying_lists_past_the_cost_limit_is_refused_before_running(
    api: ApiClient, statements: StatementCounter
) -> None:
    await api.gql("{ __typename }")  # the key's first use is recorded; not part of the count
    statements.reset()
    await api.gql("{ __typename }")
    authentication_only = statements.count

    statements.reset()
    response = await api.post(COSTLY)
    errors = refused(response)

    assert [error.get("extensions", {}).get("code") for error in errors] == ["QUERY_TOO_COSTLY"]
    assert response.json().get("data") is None
    assert statements.count == authentication_only, statements.statements


async def test_full_page_of_customers_with_every_nested_list_is_allowed(api: ApiClient) -> None:
    await configure_catalog(api)
    await api.gql(
        'mutation { createOffering(input: {identifier: "main", isCurrent: true, '
        'packages: [{identifier: "$rc_monthly", productIdentifier: "monthly"}]}) { userErrors { code } } }'
    )
    now = datetime.now(UTC)
    await post_receipt(api, "user-1", [txn("t1", now - days(1), now + days(29))])

    response = await api.post(FULL_CUSTOMER_PAGE)

    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    assert body["data"]["customers"]["totalCount"] == 1


# -- malformed requests -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "{ project { id ",
        "{ project { id } } }",
        "query {",
        "mutation { createEntitlement(input: {identifier: }) }",
        "}{",
    ],
)
async def test_syntax_error_is_a_graphql_error(api: ApiClient, query: str) -> None:
    text = client_error(await api.post(query))
    assert "Syntax Error" in text


async def test_unknown_field_is_a_graphql_error(api: ApiClient) -> None:
    text = client_error(await api.post("{ project { id noSuchField } }"))
    assert "noSuchField" in text


async def test_wrong_argument_type_is_a_graphql_error(api: ApiClient) -> None:
    client_error(await api.post('{ customers(first: "ten") { totalCount } }'))
    client_error(await api.post("query($n: Int) { customers(first: $n) { totalCount } }", {"n": "ten"}))


@pytest.fixture
async def raw_http(
    db: Database, database_urls: dict[str, str], backend: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A client to the production app that reports a crash as HTTP 500 (as a server
    would) instead of raising it into the test."""
    app = create_app(make_settings(database_urls[backend]), db)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"query": "{ project { id } }"', "application/json"),
        (b'{"variables": {}}', "application/json"),
        (b'{"query": 5}', "application/json"),
        (b"[1, 2]", "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b'{"query": "{ project { id } }\xff"}', "application/json"),
        (b"{ project { id } }", "text/plain"),
    ],
    ids=[
        "not-json",
        "truncated",
        "no-query",
        "query-not-string",
        "batch",
        "binary",
        "invalid-utf8",
        "wrong-content-type",
    ],
)
async def test_invalid_request_body_is_4xx(
    raw_http: httpx.AsyncClient, api: ApiClient, content: bytes, content_type: str
) -> None:
    response = await raw_http.post(
        "/graphql",
        content=content,
        headers={"Authorization": f"Bearer {api.admin_key}", "Content-Type": content_type},
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert_no_leak(response)


@pytest.mark.parametrize("first", [-1, 101, 10**6])
async def test_customers_page_size_out_of_range_is_refused_clearly(api: ApiClient, first: int) -> None:
    text = client_error(await api.post(f"{{ customers(first: {first}) {{ totalCount }} }}"))
    assert "first" in text and "100" in text
    text = client_error(
        await api.post("query($n: Int) { customers(first: $n) { totalCount } }", {"n": first})
    )
    assert "first" in text and "100" in text


@pytest.mark.parametrize("first", [-1, 101])
async def test_history_page_size_out_of_range_is_refused_clearly(api: ApiClient, first: int) -> None:
    await api.gql('mutation { recordAppOpen(input: {appUserId: "u"}) { userErrors { code } } }')
    text = client_error(
        await api.post(
            f'{{ customer(appUserId: "u") {{ history(first: {first}) {{ edges {{ cursor }} }} }} }}'
        )
    )
    assert "first" in text and "100" in text


@pytest.mark.parametrize("first", [0, 100])
async def test_customers_page_size_at_the_bounds_is_allowed(api: ApiClient, first: int) -> None:
    data = await api.gql(f"{{ customers(first: {first}) {{ totalCount edges {{ cursor }} }} }}")
    assert data["customers"]["edges"] == []


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ customer(appUserId: "a\\u0000b") { id } }', None),
        ("query($id: String!) { customer(appUserId: $id) { id } }", {"id": "a\u0000b"}),
        ("query($s: String) { customers(search: $s) { totalCount } }", {"s": "a\u0000"}),
        (
            "query($c: String) { customers(filter: {country: $c}) { totalCount } }",
            {"c": "\u0000\u0000"},
        ),
        (
            'query($v: String) { customers(filter: {attribute: {key: "k", value: $v}}) { totalCount } }',
            {"v": "x\u0000"},
        ),
    ],
    ids=["customer-literal", "customer-variable", "search", "filter-country", "filter-attribute"],
)
async def test_nul_character_in_an_argument_is_refused(api: ApiClient, query: str, variables: Any) -> None:
    client_error(await api.post(query, variables))


async def test_nul_character_in_a_mutation_is_not_a_server_error(api: ApiClient) -> None:
    response = await api.post(
        'mutation { createEntitlement(input: {identifier: "pro\\u0000"}) { userErrors { code field } } }'
    )
    assert response.status_code == 200, response.text
    assert_no_leak(response)
    body = response.json()
    # Refused before anything runs, for every field alike (app/graphql/input_guard.py).
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


GARBAGE_CURSORS = [
    "garbage!!",
    "",
    "%%%%",
    encode_cursor("not a date", "1"),
    encode_cursor("2024-01-01T00:00:00+00:00", "x"),
    encode_cursor("2024-01-01T00:00:00+00:00"),
    encode_cursor("2024-01-01T00:00:00+00:00", 1, 2),
    # Well formed, but with a time that has no zone: still not a cursor this API made.
    encode_cursor("2024-01-01T00:00:00", 1),
]
CURSOR_IDS = ["symbols", "empty", "percent", "bad-date", "bad-id", "one-part", "three-parts", "naive-time"]


@pytest.mark.parametrize("cursor", GARBAGE_CURSORS, ids=CURSOR_IDS)
async def test_garbage_customers_cursor_is_refused(api: ApiClient, cursor: str) -> None:
    client_error(await api.post("query($c: String) { customers(after: $c) { totalCount } }", {"c": cursor}))


@pytest.mark.parametrize("cursor", GARBAGE_CURSORS, ids=CURSOR_IDS)
async def test_garbage_history_cursor_is_refused(api: ApiClient, cursor: str) -> None:
    await api.gql('mutation { recordAppOpen(input: {appUserId: "u"}) { userErrors { code } } }')
    query = 'query($c: String) { customer(appUserId: "u") { history(after: $c) { edges { cursor } } } }'
    client_error(await api.post(query, {"c": cursor}))


async def test_cursor_from_a_previous_page_is_accepted(api: ApiClient) -> None:
    for user in ("u1", "u2", "u3"):
        await api.gql(
            "mutation($u: String!) { recordAppOpen(input: {appUserId: $u}) { userErrors { code } } }",
            {"u": user},
        )
    page = await api.gql("{ customers(first: 2) { edges { cursor } pageInfo { endCursor hasNextPage } } }")
    assert page["customers"]["pageInfo"]["hasNextPage"] is True
    rest = await api.gql(
        "query($c: String) { customers(first: 2, after: $c) { edges { cursor } pageInfo { hasNextPage } } }",
        {"c": page["customers"]["pageInfo"]["endCursor"]},
    )
    assert len(rest["customers"]["edges"]) == 1
    assert rest["customers"]["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize("node_id", ["", "garbage", "!!!", "Q3VzdG9tZXI6", "Q3VzdG9tZXI6eA", "Tm9wZToxMg"])
async def test_node_with_a_garbage_id_is_null(api: ApiClient, node_id: str) -> None:
    response = await api.post("query($id: ID!) { node(id: $id) { id } }", {"id": node_id})
    assert response.status_code == 200, response.text
    assert_no_leak(response)
    assert response.json()["data"] == {"node": None}


async def test_invalid_datetime_variable_is_a_graphql_error(api: ApiClient) -> None:
    receipt = {
        "appUserId": "u",
        "store": "APP_STORE",
        "transactions": [{"transactionId": "t1", "productId": "monthly", "purchasedAt": "yesterday"}],
    }
    query = "mutation($input: RecordReceiptInput!) { recordReceipt(input: $input) { userErrors { code } } }"
    client_error(await api.post(query, {"input": receipt}))


# -- introspection ----------------------------------------------------------------------------------

INTROSPECTION = "{ __schema { types { name } } }"


async def test_introspection_is_refused_in_production(api: ApiClient) -> None:
    text = client_error(await api.post(INTROSPECTION))
    assert "introspection" in text.lower()
    client_error(await api.post('{ __type(name: "Customer") { fields { name } } }'))


async def test_introspection_is_allowed_in_development(
    db: Database, database_urls: dict[str, str], backend: str
) -> None:
    app = create_app(make_settings(database_urls[backend], app_env="development"), db)
    client = await new_api_client(db, app)
    try:
        data = await client.gql(INTROSPECTION)
    finally:
        await client.http.aclose()
    assert {"Customer", "Project", "Query", "Mutation"} <= {t["name"] for t in data["__schema"]["types"]}


async def test_typename_is_not_introspection(api: ApiClient) -> None:
    assert (await api.gql("{ __typename project { __typename } }")) == {
        "__typename": "Query",
        "project": {"__typename": "Project"},
    }


@pytest.mark.parametrize(
    "query",
    [
        'mutation { addNote(input: {appUserId: "a\\u0000b", body: "x"}) { userErrors { code } } }',
        'mutation { grantEntitlement(input: {appUserId: "a", entitlementIdentifier: "p\\u0000", duration: DAILY}) { userErrors { code } } }',
        'mutation { createOffering(input: {identifier: "o", packages: [{identifier: "p", productIdentifier: "x\\u0000"}]}) { userErrors { code } } }',
    ],
)
async def test_nul_anywhere_in_a_literal_is_a_clear_error(api: ApiClient, query: str) -> None:
    response = await api.post(query)
    body = response.json()
    assert response.status_code == 200 and body["data"] is None
    assert "NUL" in body["errors"][0]["message"]


async def test_nul_in_any_variable_is_a_clear_error(api: ApiClient) -> None:
    query = "mutation($input: SetAttributesInput!) { setAttributes(input: $input) { userErrors { code } } }"
    variables = {"input": {"appUserId": "a", "attributes": [{"key": "k", "value": "v\u0000"}]}}
    body = (await api.post(query, variables)).json()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("body", [b"null", b"5", b'"x"', b"true"])
async def test_a_json_body_that_is_not_an_object_is_400(
    raw_http: httpx.AsyncClient, api: ApiClient, body: bytes
) -> None:
    response = await raw_http.post(
        "/graphql",
        content=body,
        headers={"Authorization": f"Bearer {api.admin_key}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("literal", ['"garbage"', "5", '"9999-12-31T23:59:59-05:00"'])
async def test_a_bad_inline_datetime_is_a_client_error(api: ApiClient, literal: str) -> None:
    query = f'mutation {{ grantEntitlement(input: {{appUserId: "a", entitlementIdentifier: "pro", endsAt: {literal}}}) {{ userErrors {{ code }} }} }}'
    message = (await api.post(query)).json()["errors"][0]["message"]
    assert "DateTime" in message and "Internal" not in message


async def test_ids_and_cursors_beyond_64_bits_are_not_ours(api: ApiClient) -> None:
    import base64

    huge = base64.urlsafe_b64encode(b"Customer:99999999999999999999999").decode().rstrip("=")
    assert (await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": huge}))["node"] is None
    cursor = base64.urlsafe_b64encode(b"2026-01-01T00:00:00+00:00|99999999999999999999").decode().rstrip("=")
    message = (
        await api.post("query($a: String) { customers(after: $a) { totalCount } }", {"a": cursor})
    ).json()["errors"][0]["message"]
    assert "cursor" in message


async def test_lone_surrogates_and_deep_nesting_are_client_errors(
    raw_http: httpx.AsyncClient, api: ApiClient
) -> None:
    query = "query($id: String!) { customer(appUserId: $id) { id } }"
    headers = {"Authorization": f"Bearer {api.admin_key}", "Content-Type": "application/json"}
    # JSON may carry a lone surrogate as an escape; it cannot be encoded to UTF-8.
    raw = json.dumps({"query": query, "variables": {"id": "\ud800x"}}).encode()
    body = (await raw_http.post("/graphql", content=raw, headers=headers)).json()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    nested: object = "x"
    for _ in range(400):
        nested = [nested]
    body = (await api.post(query, {"id": "a", "extra": nested})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    deep = b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    response = await raw_http.post(
        "/graphql",
        content=deep,
        headers={"Authorization": f"Bearer {api.admin_key}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400


async def test_requests_that_fail_half_way_do_not_exhaust_the_pool(api: ApiClient) -> None:
    failing = '{ customer(appUserId: "nobody-here") { purchases { id } notes { id } history(first: 1000) { edges { cursor } } } }'
    await api.gql('mutation { recordAppOpen(input: {appUserId: "nobody-here"}) { userErrors { code } } }')
    responses = await asyncio.gather(*(api.post(failing) for _ in range(40)))
    assert all(r.status_code == 200 and "errors" in r.json() for r in responses)
    data = await asyncio.wait_for(api.gql("{ project { name } }"), timeout=10)
    assert data["project"]["name"] == "test"


async def test_only_the_chosen_operation_is_checked_for_the_role(api: ApiClient) -> None:
    viewer = await api.key(ApiKeyRole.VIEWER)
    document = 'query Q { __typename } mutation M { createEntitlement(input: {identifier: "x"}) { userErrors { code } } }'
    response = await api.http.post(
        "/graphql",
        json={"query": document, "operationName": "Q"},
        headers={"Authorization": f"Bearer {viewer}"},
    )
    assert response.json() == {"data": {"__typename": "Query"}}
    response = await api.http.post(
        "/graphql",
        json={"query": document, "operationName": "M"},
        headers={"Authorization": f"Bearer {viewer}"},
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
