"""/metrics through HTTP: requests by operation name and status, GraphQL errors by code,
the webhook outbox depth read from the database."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update
from sqlmodel import col

from app.db.models import WebhookDelivery
from tests.api.helpers import configure_catalog
from tests.conftest import ApiClient


async def scrape(api: ApiClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await api.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)  # type: ignore[no-any-return]


async def test_requests_and_errors_are_counted_by_operation_status_and_code(api: ApiClient) -> None:
    before = await scrape(api)
    for _ in range(3):
        await api.gql("query MetricsProbe { project { name } }")
    assert (await api.post("{ project { nope } }")).json()["errors"]
    assert (await api.post("{ project { name } }", key="cpk_not-a-key")).status_code == 401
    after = await scrape(api)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("graphql_requests_total", operation="MetricsProbe", status="200") == 3
    assert grew("graphql_request_duration_seconds_count", operation="MetricsProbe", status="200") == 3
    assert grew("graphql_requests_total", operation="anonymous", status="401") == 1
    assert grew("graphql_errors_total", code="GRAPHQL_ERROR") == 1
    assert grew("http_requests_total", route="/graphql", status="200") == 4


async def test_outbox_depth_counts_open_deliveries(api: ApiClient) -> None:
    await configure_catalog(api)
    # Never sent: the API tests run no dispatcher; the row only waits in the outbox.
    created = await api.gql(
        """mutation { createWebhookEndpoint(input: {url: "http://127.0.0.1:9/hook"}) {
             userErrors { code } } }"""
    )
    assert created["createWebhookEndpoint"]["userErrors"] == []
    before = value(await scrape(api), "webhook_outbox_depth", status="pending")
    await api.gql('mutation { recordAppOpen(input: {appUserId: "metrics-user"}) { userErrors { code } } }')
    granted = await api.gql(
        """mutation { grantEntitlement(input: {appUserId: "metrics-user", entitlementIdentifier: "pro",
             duration: DAILY}) { userErrors { code } } }"""
    )
    assert granted["grantEntitlement"]["userErrors"] == []
    after = await scrape(api)
    assert value(after, "webhook_outbox_depth", status="pending") >= before + 1
    assert value(after, "database_up") == 1
    # The database is shared by the tests: leave nothing for another test's dispatcher.
    async with api.db.transaction() as session:
        await session.exec(  # type: ignore[call-overload]
            update(WebhookDelivery)
            .where(col(WebhookDelivery.project_id) == api.project_id)
            .values(status="FAILED")
        )
    assert value(await scrape(api), "webhook_outbox_depth", status="pending") == before
