"""Fixtures of the API tests that need a store app (App Store verification)."""

from collections.abc import AsyncIterator

import pytest

from app.db.engine import Database
from tests.api.app_store_helpers import AppStoreProject, app_store_project
from tests.conftest import Clock
from tests.store_pki import FakeAppStoreServerApi, TestPKI


@pytest.fixture
def pki() -> TestPKI:
    return TestPKI()


@pytest.fixture
async def apple(
    db: Database, database_urls: dict[str, str], backend: str, clock: Clock, pki: TestPKI
) -> AsyncIterator[AppStoreProject]:
    project, stores = await app_store_project(db, database_urls[backend], clock, pki)
    try:
        yield project
    finally:
        await project.api.http.aclose()
        await stores.close()


@pytest.fixture
async def history_api(pki: TestPKI) -> AsyncIterator[FakeAppStoreServerApi]:
    """A fake App Store Server API on loopback that checks its bearer JWT."""
    fake = await FakeAppStoreServerApi(pki, issuer_id="issuer-1", key_id="KEY123").start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def with_api(
    db: Database,
    database_urls: dict[str, str],
    backend: str,
    clock: Clock,
    pki: TestPKI,
    history_api: FakeAppStoreServerApi,
) -> AsyncIterator[AppStoreProject]:
    """An App Store project whose app has App Store Server API credentials."""
    credentials = {"issuerId": "issuer-1", "keyId": "KEY123", "privateKey": history_api.private_key_pem}
    project, stores = await app_store_project(
        db, database_urls[backend], clock, pki, app_input=credentials, apple_api_base=history_api.url
    )
    try:
        yield project
    finally:
        await project.api.http.aclose()
        await stores.close()
