"""CORS headers as the browser sees them: listed origins only, no credentials, the
Authorization header allowed; nothing at all when no origin is configured."""

from __future__ import annotations

import httpx

from app.db.engine import Database
from app.main import create_app
from app.settings import Settings
from tests.conftest import make_settings

DASHBOARD = "https://dashboard.example"
PREFLIGHT = {
    "Origin": DASHBOARD,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type",
}


def client(db: Database, settings: Settings) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings, db)), base_url="http://test"
    )


async def test_preflight_of_a_listed_origin(
    db: Database, database_urls: dict[str, str], backend: str
) -> None:
    settings = make_settings(database_urls[backend], cors_origins=f"{DASHBOARD}, https://other.example")
    async with client(db, settings) as http:
        response = await http.options("/graphql", headers=PREFLIGHT)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == DASHBOARD
        assert "authorization" in response.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in response.headers
        answer = await http.post("/graphql", json={"query": "{ __typename }"}, headers={"Origin": DASHBOARD})
        assert answer.headers["access-control-allow-origin"] == DASHBOARD
        assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()


async def test_unlisted_origin_gets_no_permission(
    db: Database, database_urls: dict[str, str], backend: str
) -> None:
    settings = make_settings(database_urls[backend], cors_origins=DASHBOARD)
    async with client(db, settings) as http:
        response = await http.options("/graphql", headers={**PREFLIGHT, "Origin": "https://evil.example"})
        assert response.status_code == 400
        assert "access-control-allow-origin" not in response.headers


async def test_no_origins_in_production_by_default(
    db: Database, database_urls: dict[str, str], backend: str
) -> None:
    settings = make_settings(database_urls[backend])
    assert settings.is_production and settings.cors_origin_list == []
    async with client(db, settings) as http:
        response = await http.options("/graphql", headers=PREFLIGHT)
        assert "access-control-allow-origin" not in response.headers


def test_development_allows_the_console_dev_server_only() -> None:
    settings = Settings(app_env="development")
    assert settings.cors_origin_list == ["http://localhost:5173", "http://127.0.0.1:5173"]
    assert Settings(app_env="development", cors_origins="").cors_origin_list == []
