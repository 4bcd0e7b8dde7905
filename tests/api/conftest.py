"""Fixtures of the API tests that need a store app (App Store verification)."""

from collections.abc import AsyncIterator

import pytest

from app.db.engine import Database
from tests.api.app_store_helpers import AppStoreProject, app_store_project
from tests.conftest import Clock
from tests.store_pki import TestPKI


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
