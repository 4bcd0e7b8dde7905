"""A request's id (X-Request-ID) reaches the log lines of the webhook deliveries its
change caused, even when another process delivers them later."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import col, select
from structlog.testing import capture_logs

from app.db.models import WebhookDelivery
from tests.api.helpers import configure_catalog
from tests.api.test_webhooks import add_endpoint, dispatcher, drain
from tests.conftest import ApiClient
from tests.receiver import Receiver

REQUEST_ID = "7d1e0c2b9a8f4e3d8c7b6a5f4e3d2c1b"
GRANT = """mutation { grantEntitlement(input: {appUserId: "traced", entitlementIdentifier: "pro",
  duration: DAILY}) { userErrors { code } } }"""


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = await Receiver().start()
    yield server
    await server.stop()


async def test_delivery_log_lines_carry_the_request_id(api: ApiClient, receiver: Receiver) -> None:
    await configure_catalog(api)
    await api.gql('mutation { recordAppOpen(input: {appUserId: "traced"}) { userErrors { code } } }')
    await add_endpoint(api, receiver.url)
    response = await api.http.post(
        "/graphql",
        json={"query": GRANT},
        headers={"Authorization": f"Bearer {api.admin_key}", "X-Request-ID": REQUEST_ID},
    )
    assert response.status_code == 200 and response.headers["x-request-id"] == REQUEST_ID
    assert response.json()["data"]["grantEntitlement"]["userErrors"] == []
    async with api.db.read() as session:
        rows = (
            await session.exec(
                select(WebhookDelivery).where(col(WebhookDelivery.project_id) == api.project_id)
            )
        ).all()
    assert [row.request_id for row in rows] == [REQUEST_ID]

    with capture_logs() as lines:
        sender = dispatcher(api)
        try:
            await drain(sender)
        finally:
            await sender.close()
    ours = {row.id for row in rows}  # other tests' rows may share the database
    delivered = [
        line for line in lines if line["event"] == "webhook_delivery" and line["delivery_id"] in ours
    ]
    assert [(line["request_id"], line["status"]) for line in delivered] == [(REQUEST_ID, "DELIVERED")]
    assert len(receiver.received) == 1
