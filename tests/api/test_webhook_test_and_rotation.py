"""DESIGN 4.9's newer webhook bullets, at a real HTTP receiver on loopback: Standard
Webhooks headers that the `standardwebhooks` library verifies, `sendTestWebhook` through
the outbox, and `rotateWebhookSigningSecret` signing with both secrets for 24 hours."""

import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.db.models import WebhookDelivery
from app.domain.enums import ApiKeyRole, DeliveryStatus
from app.webhooks.dispatcher import Dispatcher
from app.webhooks.signing import new_signing_secret, verify
from tests.api.helpers import configure_catalog, days, post_receipt, txn
from tests.api.test_webhooks import add_endpoint, drain, history
from tests.conftest import ApiClient, Clock
from tests.receiver import Received, Receiver

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "webhooks"
SEND_TEST = """mutation($id: ID!) { sendTestWebhook(input: {webhookEndpointId: $id}) {
  delivery { id status attempts lastAttemptAt lastResponseStatus nextAttemptAt endpoint { id url } }
  userErrors { code field message } } }"""
ROTATE = """mutation($id: ID!) { rotateWebhookSigningSecret(input: {webhookEndpointId: $id}) {
  webhookEndpoint { id url eventTypes } signingSecret userErrors { code field message } } }"""


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = await Receiver().start()
    yield server
    await server.stop()


def dispatcher(api: ApiClient, clock: Clock) -> Dispatcher:
    return Dispatcher(api.db, [0, 0], 5.0, clock=clock, lease_margin_seconds=0.2, allow_private_urls=True)


async def deliver_all(api: ApiClient, clock: Clock) -> None:
    d = dispatcher(api, clock)
    try:
        await drain(d)
    finally:
        await d.close()


def standard_verifies(secret: str, request: Received) -> bool:
    try:
        Webhook(secret).verify(request.body, request.headers)
    except WebhookVerificationError:
        return False
    return True


def x_signature_verifies(secret: str, request: Received) -> bool:
    return verify(secret, request.headers["x-signature"], request.body, int(time.time()))


async def send_test(api: ApiClient, endpoint_id: str, key: str | None = None) -> dict[str, Any]:
    return (await api.gql(SEND_TEST, {"id": endpoint_id}, key=key))["sendTestWebhook"]  # type: ignore[no-any-return]


async def rotate(api: ApiClient, endpoint_id: str) -> dict[str, Any]:
    return (await api.gql(ROTATE, {"id": endpoint_id}))["rotateWebhookSigningSecret"]  # type: ignore[no-any-return]


async def test_every_delivery_carries_standard_webhooks_headers(api: ApiClient, receiver: Receiver) -> None:
    await configure_catalog(api)
    _, secret = await add_endpoint(api, receiver.url)
    now = datetime.now(UTC)
    await post_receipt(api, "ana", [txn("s-1", now - days(1), now + days(29))])
    await deliver_all(api, Clock())

    [request] = receiver.received
    event_id = request.event["id"]
    assert request.headers["webhook-id"] == event_id
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 60
    assert request.headers["webhook-signature"].startswith("v1,")
    # A receiver using the standardwebhooks library, with the secret exactly as shown.
    assert Webhook(secret).verify(request.body, request.headers) == request.json
    assert x_signature_verifies(secret, request)
    assert not standard_verifies(new_signing_secret(), request)
    # The webhook id is the event id: the same on a retry, as receivers deduplicate on it.
    [event] = [e for e in await history(api, "ana") if e["deliveries"]]
    assert event["payload"]["event"]["id"] == event_id


async def test_send_test_webhook_queues_a_test_event_for_that_endpoint_only(
    api: ApiClient, receiver: Receiver, clock: Clock
) -> None:
    # The endpoint's type filter does not stop a TEST: it is asked for this endpoint.
    endpoint, secret = await add_endpoint(api, receiver.url, environment="PRODUCTION", eventTypes=["RENEWAL"])
    other = await Receiver().start()
    try:
        await add_endpoint(api, other.url)
        queued = await send_test(api, endpoint["id"])
        assert queued["userErrors"] == []
        delivery = queued["delivery"]
        assert delivery["status"] == "PENDING" and delivery["attempts"] == 0
        assert delivery["endpoint"] == {"id": endpoint["id"], "url": receiver.url}
        assert receiver.received == []  # queued, not sent by the request itself
        await deliver_all(api, clock)
    finally:
        await other.stop()
    assert other.received == []

    [request] = receiver.received
    body, event = request.json, request.event
    assert set(body) == {"api_version", "event"} and body["api_version"] == "1.0"
    assert event["type"] == "TEST" and event["environment"] == "PRODUCTION"
    # Shaped as RevenueCat's purchase bodies: their common fields, with the same JSON types.
    sample = json.loads((SAMPLES / "webhook-INITIAL_PURCHASE.json").read_text())["event"]
    for key in ["id", "event_timestamp_ms", "app_user_id", "original_app_user_id", "aliases", "product_id",
                "period_type", "purchased_at_ms", "store", "environment", "price", "currency",
                "price_in_purchased_currency", "subscriber_attributes", "app_id"]:  # fmt: skip
        assert type(event[key]) is type(sample[key]), key
    assert request.headers["webhook-id"] == event["id"]
    assert standard_verifies(secret, request) and x_signature_verifies(secret, request)

    async with api.db.read() as session:
        [row] = (
            await session.exec(select(WebhookDelivery).where(WebhookDelivery.project_id == api.project_id))
        ).all()
    assert row.status == DeliveryStatus.DELIVERED and row.attempts == 1 and row.last_response_status == 200
    assert row.customer_id is None and row.event_id is None
    # No customer was made up for it.
    assert (await api.gql("{ customers(first: 5) { edges { node { appUserId } } } }"))["customers"][
        "edges"
    ] == []


async def test_a_test_event_to_a_failing_endpoint_is_retried_then_failed(
    api: ApiClient, receiver: Receiver, clock: Clock
) -> None:
    receiver.default = 500
    endpoint, _ = await add_endpoint(api, receiver.url)
    assert (await send_test(api, endpoint["id"]))["userErrors"] == []
    await deliver_all(api, clock)  # retry delays [0, 0]: three attempts
    assert len(receiver.received) == 3
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    async with api.db.read() as session:
        [row] = (
            await session.exec(select(WebhookDelivery).where(WebhookDelivery.project_id == api.project_id))
        ).all()
    assert row.status == DeliveryStatus.FAILED and row.attempts == 3 and row.last_response_status == 500


async def test_unknown_endpoints_and_other_roles_are_refused(api: ApiClient, receiver: Receiver) -> None:
    endpoint, _ = await add_endpoint(api, receiver.url)
    deleted, _ = await add_endpoint(api, receiver.url)
    await api.gql(
        "mutation($id: ID!) { deleteWebhookEndpoint(input: {webhookEndpointId: $id}) { userErrors { code } } }",
        {"id": deleted["id"]},
    )
    for mutation, name in [(SEND_TEST, "sendTestWebhook"), (ROTATE, "rotateWebhookSigningSecret")]:
        for bad in [deleted["id"], "not-an-id"]:
            answer = (await api.gql(mutation, {"id": bad}))[name]
            assert [(e["code"], e["field"]) for e in answer["userErrors"]] == [
                ("INVALID_INPUT", ["input", "webhookEndpointId"])
            ], (name, bad)
            assert answer.get("delivery") is None and answer.get("signingSecret") is None
        for role in (ApiKeyRole.SUPPORT, ApiKeyRole.VIEWER, ApiKeyRole.SDK):
            body = (await api.post(mutation, {"id": endpoint["id"]}, key=await api.key(role))).json()
            assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], (name, role)
    # Another project's endpoint is unknown here.
    other = await api.http.post(
        "/graphql",
        json={"query": SEND_TEST, "variables": {"id": endpoint["id"]}},
        headers={"Authorization": f"Bearer {await other_project_admin(api)}"},
    )
    assert [e["code"] for e in other.json()["data"]["sendTestWebhook"]["userErrors"]] == ["INVALID_INPUT"]
    async with api.db.read() as session:
        assert (
            await session.exec(select(WebhookDelivery).where(WebhookDelivery.project_id == api.project_id))
        ).all() == []


async def other_project_admin(api: ApiClient) -> str:
    from app.services import projects

    _, secret = await projects.create_project(api.db, "other project")
    return secret


async def test_rotation_signs_with_both_secrets_for_24_hours(
    api: ApiClient, receiver: Receiver, clock: Clock
) -> None:
    t0 = datetime.now(UTC).replace(microsecond=0)
    clock.set(t0)
    endpoint, first = await add_endpoint(api, receiver.url)
    rotated = await rotate(api, endpoint["id"])
    assert rotated["userErrors"] == [] and rotated["webhookEndpoint"]["id"] == endpoint["id"]
    second = rotated["signingSecret"]
    assert second.startswith("whsec_") and second != first

    # During the day after the rotation: both secrets sign, in both schemes.
    clock.set(t0 + timedelta(hours=23, minutes=59))
    await send_test(api, endpoint["id"])
    await deliver_all(api, clock)
    [during] = receiver.received
    assert len(during.headers["x-signature"].split(",v1=")) == 3  # t=..., then two v1= entries
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    for secret in (first, second):
        assert standard_verifies(secret, during) and x_signature_verifies(secret, during)

    # After it: the new secret alone.
    clock.set(t0 + timedelta(hours=24, seconds=1))
    await send_test(api, endpoint["id"])
    await deliver_all(api, clock)
    after = receiver.received[1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert standard_verifies(second, after) and x_signature_verifies(second, after)
    assert not standard_verifies(first, after) and not x_signature_verifies(first, after)

    # A second rotation: the secret it replaces signs beside the newest; the oldest is gone.
    third = (await rotate(api, endpoint["id"]))["signingSecret"]
    await send_test(api, endpoint["id"])
    await deliver_all(api, clock)
    latest = receiver.received[2]
    assert standard_verifies(third, latest) and standard_verifies(second, latest)
    assert not standard_verifies(first, latest) and not x_signature_verifies(first, latest)
