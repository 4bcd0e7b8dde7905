"""The per-request limit on returned list items (DESIGN 4.11, issue 13 item 3).

Rules checked: a response that would hold more list items than MAX_RESPONSE_NODES is
refused whole (no partial data) with RESPONSE_TOO_LARGE; one under the limit is served;
the lists past the limit are not resolved (their loaders run no SQL).
"""

from collections.abc import AsyncIterator

import pytest

from app.db.engine import Database
from app.main import create_app
from tests.api.test_support_common import open_app
from tests.conftest import ApiClient, StatementCounter, make_settings, new_api_client

PAGE = "query($n: Int) { customers(first: $n) { edges { node { appUserId aliases { appUserId } } } } }"


@pytest.fixture
async def small(db: Database, database_urls: dict[str, str], backend: str) -> AsyncIterator[ApiClient]:
    app = create_app(make_settings(database_urls[backend], max_response_nodes=15), db)
    client = await new_api_client(db, app)
    for index in range(20):
        await open_app(client, f"user-{index:02}")
    try:
        yield client
    finally:
        await client.http.aclose()


async def test_response_over_the_node_limit_is_refused_whole(small: ApiClient) -> None:
    # 20 edges > 15
    response = await small.post(PAGE, {"n": 20})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["RESPONSE_TOO_LARGE"]
    assert "path" not in body["errors"][0]


async def test_a_nullable_field_over_the_limit_gives_no_partial_data(small: ApiClient) -> None:
    query = '{ project { name } customer(appUserId: "user-01") { appUserId } customers(first: 20) { totalCount } p: customers(first: 20) { edges { cursor } } }'
    body = (await small.post(query)).json()
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["RESPONSE_TOO_LARGE"]


async def test_response_under_the_node_limit_is_served(small: ApiClient) -> None:
    data = await small.gql(PAGE, {"n": 10})  # 10 edges and 10 empty alias lists
    assert len(data["customers"]["edges"]) == 10


async def test_lists_past_the_limit_are_not_loaded(small: ApiClient, statements: StatementCounter) -> None:
    statements.reset()
    body = (await small.post("{ customers(first: 20) { edges { node { aliases { appUserId } } } } }")).json()
    assert body["data"] is None
    refused = list(statements.statements)
    statements.reset()
    assert (await small.post("{ customers(first: 20) { edges { cursor } } }")).json()["data"] is None
    # the 20 edges are over the limit, so no customer's aliases are ever loaded
    assert len(refused) == len(statements.statements), refused
