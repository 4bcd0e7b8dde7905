"""Safe defaults (DESIGN 4.11, issue 13 item 7).

Rules checked: APP_ENV defaults to production; "Did you mean" suggestions are left out
in production and kept in development; API responses (answers, refusals, 401, 413) carry
Cache-Control: no-store; /metrics needs the METRICS_TOKEN when one is set; API key names
with control characters are refused.
"""

import httpx
import pytest

from app.db.engine import Database
from app.main import create_app
from app.settings import Settings
from tests.conftest import ApiClient, make_settings, new_api_client


def test_app_env_defaults_to_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APP_ENV", raising=False)
    assert Settings().is_production


async def test_suggestions_are_off_in_production_and_on_in_development(
    api: ApiClient, db: Database, database_urls: dict[str, str], backend: str
) -> None:
    typo = "{ projec { name } customers(first: 1) { edges { node { appUserI } } } }"
    production = " ".join(e["message"] for e in (await api.post(typo)).json()["errors"])
    assert "Did you mean" not in production
    assert "'project'" not in production and "appUserId" not in production

    dev = await new_api_client(
        db, create_app(make_settings(database_urls[backend], app_env="development"), db)
    )
    try:
        development = " ".join(e["message"] for e in (await dev.post(typo)).json()["errors"])
    finally:
        await dev.http.aclose()
    assert "Did you mean" in development


async def test_api_responses_are_not_cacheable(api: ApiClient) -> None:
    answered = await api.post("{ __typename }")
    unauthenticated = await api.http.post("/graphql", json={"query": "{ __typename }"})
    too_large = await api.http.post(
        "/graphql", content=b" " * 1_048_577, headers={"Content-Type": "application/json"}
    )
    bad_json = await api.http.post("/graphql", content=b"{", headers={"Content-Type": "application/json"})
    for response, status in ((answered, 200), (unauthenticated, 401), (too_large, 413), (bad_json, 400)):
        assert response.status_code == status
        assert response.headers["cache-control"] == "no-store"


async def test_metrics_need_the_token_when_one_is_set(
    db: Database, database_urls: dict[str, str], backend: str
) -> None:
    app = create_app(make_settings(database_urls[backend], metrics_token="m-secret"), db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        assert (await http.get("/metrics")).status_code == 401
        assert (await http.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
        allowed = await http.get("/metrics", headers={"Authorization": "Bearer m-secret"})
        assert allowed.status_code == 200 and "graphql_requests_total" in allowed.text


async def test_metrics_are_open_without_a_token(api: ApiClient) -> None:
    assert (await api.http.get("/metrics")).status_code == 200


@pytest.mark.parametrize("name", ["ops\r\nINFO forged log line", "bell\x07", "esc\x1b[31m"])
async def test_api_key_names_with_control_characters_are_refused(api: ApiClient, name: str) -> None:
    data = await api.gql(
        "mutation($name: String!) { createApiKey(input: {name: $name, role: VIEWER}) { userErrors { code field } } }",
        {"name": name},
    )
    assert data["createApiKey"]["userErrors"] == [{"code": "INVALID_INPUT", "field": ["input", "name"]}]
