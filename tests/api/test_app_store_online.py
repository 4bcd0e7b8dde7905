"""The App Store path with the network Apple's verification uses, all on loopback:
OCSP revocation checks (online checks on), and the App Store Server API's transaction
history read with a bearer JWT instead of trusting one transaction."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.db.engine import Database
from tests.api.app_store_helpers import AppStoreProject, app_store_project
from tests.conftest import Clock
from tests.store_pki import FakeAppStoreServerApi, OcspResponder, TestPKI, renewal_claims, transaction_claims

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=40)
MONTH = timedelta(days=30)


@pytest.fixture
async def ocsp() -> AsyncIterator[OcspResponder]:
    responder = await OcspResponder().start()
    try:
        yield responder
    finally:
        await responder.stop()


@pytest.fixture
async def online(
    db: Database, database_urls: dict[str, str], backend: str, clock: Clock, ocsp: OcspResponder
) -> AsyncIterator[AppStoreProject]:
    pki = TestPKI(ocsp_url=ocsp.url + "/ocsp")
    ocsp.pki = pki
    project, stores = await app_store_project(db, database_urls[backend], clock, pki, online_checks=True)
    try:
        yield project
    finally:
        await project.api.http.aclose()
        await stores.close()


def subscription(transaction_id: str, start: datetime, **extra: Any) -> dict[str, Any]:
    return transaction_claims(transaction_id, start, start + MONTH, original_transaction_id="o-1", **extra)


async def test_online_checks_accept_good_certificates(online: AppStoreProject, ocsp: OcspResponder) -> None:
    result = await online.purchase("u", online.pki.sign(subscription("o-1", datetime.now(UTC))))
    assert result["userErrors"] == []
    assert [e["type"] for e in result["events"]] == ["STARTED_SUBSCRIPTION"]
    assert len(ocsp.requests) == 2  # the intermediate, then the leaf


async def test_a_revoked_leaf_is_refused(online: AppStoreProject, ocsp: OcspResponder) -> None:
    ocsp.revoked.add(online.pki.leaf.serial_number)
    result = await online.purchase("u", online.pki.sign(subscription("o-1", datetime.now(UTC))))
    assert [e["code"] for e in result["userErrors"]] == ["VERIFICATION_FAILED"]
    response = await online.notify("DID_RENEW", transaction=subscription("o-1", datetime.now(UTC)))
    assert response.status_code == 401
    assert await online.state("u") is None


async def test_an_unreachable_responder_is_a_store_error_and_a_503(
    online: AppStoreProject, ocsp: OcspResponder
) -> None:
    ocsp.answer = 503
    result = await online.purchase("u", online.pki.sign(subscription("o-1", datetime.now(UTC))))
    assert [e["code"] for e in result["userErrors"]] == ["STORE_ERROR"]
    response = await online.notify("DID_RENEW", transaction=subscription("o-1", datetime.now(UTC)))
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert await online.state("u") is None


# -- the App Store Server API ------------------------------------------------------------


async def test_with_api_credentials_the_whole_history_is_read(
    with_api: AppStoreProject, history_api: FakeAppStoreServerApi
) -> None:
    first = subscription("o-1", T0, offerType=1, offerDiscountType="FREE_TRIAL", price=0)
    first["expiresDate"] = int((T0 + timedelta(days=7)).timestamp() * 1000)
    second = subscription("t-2", T0 + timedelta(days=7))
    third = subscription("t-3", T0 + timedelta(days=37))
    history_api.transactions = [first, second, third]
    history_api.renewal = renewal_claims("o-1", T0 + timedelta(days=37))

    # The app hands in only its first transaction; Apple's history holds all three.
    result = await with_api.purchase("u", with_api.pki.sign(first))

    assert result["userErrors"] == []
    assert [e["type"] for e in result["events"]] == ["STARTED_TRIAL", "CONVERTED_FROM_TRIAL", "RENEWED"]
    assert history_api.calls("/inApps/v2/history/o-1")  # and its bearer token verified
    assert len(history_api.calls("/inApps/v2/history/")) == 2  # followed `revision` to page 2
    apps = (await with_api.api.gql("{ project { storeApps { hasApiCredentials } } }"))["project"]
    assert apps["storeApps"] == [{"hasApiCredentials": True}]


async def test_an_unknown_transaction_or_apple_down(
    with_api: AppStoreProject, history_api: FakeAppStoreServerApi
) -> None:
    history_api.transactions = [subscription("other", T0)]
    result = await with_api.purchase("u", with_api.pki.sign(subscription("o-1", T0)))
    assert [e["code"] for e in result["userErrors"]] == ["VERIFICATION_FAILED"]

    history_api.transactions = [subscription("o-1", T0)]
    history_api.answer = 500
    result = await with_api.purchase("u", with_api.pki.sign(subscription("o-1", T0)))
    assert [e["code"] for e in result["userErrors"]] == ["STORE_ERROR"]
    assert await with_api.state("u") is None
