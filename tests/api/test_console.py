"""/console through HTTP: the page and its assets are public, the session probe is not."""

import re

import httpx

from app.domain.enums import ApiKeyRole
from app.main import create_app
from tests.conftest import ApiClient, make_settings


async def test_page_and_every_client_route_serve_the_built_page(api: ApiClient) -> None:
    for path in ("/console/", "/console/customers/ana.silva", "/console/customers/%24RCAnonymousID%3Aab"):
        response = await api.http.get(path)
        assert response.status_code == 200, path
        assert '<div id="app">' in response.text
        assert "default-src 'self'" in response.headers["content-security-policy"]
    script = re.search(r'src="(/console/assets/[^"]+\.js)"', (await api.http.get("/console/")).text)
    assert script
    asset = await api.http.get(script.group(1))
    assert asset.status_code == 200
    assert "javascript" in asset.headers["content-type"]
    assert (await api.http.get("/console/assets/missing.js")).status_code == 404


async def test_session_in_production_needs_a_key_and_tells_its_role(api: ApiClient) -> None:
    refused = await api.http.get("/console/session")
    assert refused.status_code == 401
    assert refused.json()["keyRequired"] is True
    bad = await api.http.get("/console/session", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401

    viewer = await api.http.get(
        "/console/session", headers={"Authorization": f"Bearer {await api.key(ApiKeyRole.VIEWER)}"}
    )
    assert viewer.status_code == 200
    body = viewer.json()
    assert (body["role"], body["mayRead"], body["mayAct"]) == ("VIEWER", True, False)
    assert body["limits"]["noteMaxLength"] == 255
    assert body["limits"]["notesPerCustomer"] == 10
    assert "$email" in body["limits"]["reservedAttributeKeys"]

    support = await api.http.get(
        "/console/session", headers={"Authorization": f"Bearer {await api.key(ApiKeyRole.SUPPORT)}"}
    )
    assert (support.json()["role"], support.json()["mayAct"]) == ("SUPPORT", True)
    sdk = await api.http.get(
        "/console/session", headers={"Authorization": f"Bearer {await api.key(ApiKeyRole.SDK)}"}
    )
    assert (sdk.json()["mayRead"], sdk.json()["mayAct"]) == (False, False)


async def test_session_in_development_acts_as_admin_without_a_key(
    api: ApiClient, database_urls: dict[str, str], backend: str
) -> None:
    app = create_app(make_settings(database_urls[backend], app_env="development"), api.db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        response = await http.get("/console/session")
    assert response.status_code == 200
    assert (response.json()["environment"], response.json()["role"]) == ("development", "ADMIN")
