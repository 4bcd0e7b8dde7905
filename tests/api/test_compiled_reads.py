"""Compiled reads (app/graphql/compiled/) answer byte for byte as graphql-core does.

One database, two apps over it: one with COMPILED_READS off (every request through
graphql-core's executor), one with it on. Every document below is sent to both, twice
to the compiled one (the first answer teaches it the plan, the second comes from the
plan), for customers holding every kind of data a profile shows; the bodies must be
identical. The plans' counter shows which requests a plan answered, so a plan that
silently never ran would fail here too.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import FragmentDefinitionNode, FragmentSpreadNode, parse, print_ast, visit
from graphql.language import Visitor
from prometheus_client import REGISTRY

from app.db.engine import Database
from app.domain.enums import ApiKeyRole
from app.main import create_app
from tests.api.helpers import configure_catalog, days, post_receipt, txn
from tests.api.test_customers import add_customer
from tests.api.test_read_path import SHOWN
from tests.api.test_support_common import add_note, grant, identify, open_app
from tests.conftest import ApiClient, Clock, make_settings, new_api_client

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
ANON = "$RCAnonymousID:" + "0123456789abcdef" * 2

# The benchmark's selection (bench/reads.py), as the read-path tests count it.
BENCH_PROFILE = (
    "query Profile($id: String!, $history: Int) { customer(appUserId: $id) { ...Shown } }\n" + SHOWN
)
BENCH_PAGE = (
    "query Page($first: Int, $history: Int) { customers(first: $first) {"
    " pageInfo { hasNextPage endCursor } edges { cursor node { ...Shown } } } }\n" + SHOWN
)
# Everything else a customer, a purchase, an entitlement and an event show, with the
# shapes of GraphQL that plans handle: aliases, repeated keys merged, inline fragments,
# nested spreads, __typename, arguments from variables and literals.
EVERYTHING = """
query Everything($id: String!, $sandbox: Boolean, $n: Int) {
  __typename
  who: customer(appUserId: $id) {
    __typename id appUserId appAccountToken
    ... on Customer { originalAppUserId lastOpenedAt }
    ...More
    aliases { appUserId isAnonymous createdAt lastSeenAt }
    notes { id body bodyHtml author createdAt updatedAt }
    attributes { key value updatedAt isReserved }
    attribution { network campaign adGroup keywords creative }
    virtualCurrencyBalances { code balance }
    currentOffering { identifier } offeringOverride { identifier }
    all: purchases(sandbox: true) { ...Bought }
    purchases(sandbox: $sandbox) { ...Bought }
    entitlements(sandbox: $sandbox) {
      entitlement { id identifier displayName } isActive source productId store environment
      periodType purchasedAt expiresAt willRenew unsubscribeDetectedAt billingIssueDetectedAt
      gracePeriodExpiresAt purchase { id productId }
    }
    recent: history(first: $n, sandbox: $sandbox) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id type description purchasedAt } }
    }
    history(first: 3) { edges { node { id } } }
  }
  project { id name entitlements { identifier displayName } }
}
fragment More on Customer { country firstSeenAt totalSpent { amount currency } ...Deeper }
fragment Deeper on Customer { id appUserId }
fragment Bought on Purchase {
  id store environment productId type originalTransactionId originalPurchasedAt purchasedAt
  expiresAt periodType willRenew status refundedAt canRefund canCancel
  price { amount currency } priceUsd { amount currency }
  product { identifier } entitlements { identifier }
}
"""
CONSOLE = Path(__file__).resolve().parents[2] / "console" / "src"


def console_document(operation_file: str, name: str) -> str:
    """A console operation as the console sends it: the operation and the fragments
    it uses, from the console's own .graphql files."""
    fragments: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for path in CONSOLE.rglob("*.graphql"):
        for definition in parse(path.read_text()).definitions:
            if isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = definition
            elif path.name == operation_file and definition.name is not None:  # type: ignore[attr-defined]
                operations[definition.name.value] = definition  # type: ignore[attr-defined]
    wanted: list[str] = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
            if node.name.value not in wanted:
                wanted.append(node.name.value)
                visit(fragments[node.name.value], self)

    visit(operations[name], Spreads())
    return "\n".join(print_ast(d) for d in [operations[name], *(fragments[n] for n in wanted)])


def answered() -> float:
    return REGISTRY.get_sample_value("graphql_compiled_reads_total", {"outcome": "answered"}) or 0.0


@dataclass
class Pair:
    """The same project through the executor alone and through plans."""

    executor: ApiClient
    compiled: httpx.AsyncClient

    async def same(self, query: str, variables: dict[str, Any], key: str | None = None) -> bytes:
        headers = {"Authorization": f"Bearer {key or self.executor.admin_key}"}
        body = {"query": query, "variables": variables}
        expected = await self.executor.http.post("/graphql", json=body, headers=headers)
        for _ in range(2):  # the first may teach the plan; the second uses it
            got = await self.compiled.post("/graphql", json=body, headers=headers)
            assert (got.status_code, got.content) == (expected.status_code, expected.content), variables
        return expected.content


@pytest.fixture
async def pair(
    db: Database, database_urls: dict[str, str], backend: str, clock: Clock
) -> AsyncIterator[Pair]:
    clock.set(NOW)
    executor_app = create_app(make_settings(database_urls[backend], compiled_reads=False), db, clock)
    compiled_app = create_app(make_settings(database_urls[backend], compiled_reads=True), db, clock)
    executor = await new_api_client(db, executor_app)
    compiled = httpx.AsyncClient(transport=httpx.ASGITransport(app=compiled_app), base_url="http://test")
    await populate(executor, clock)
    try:
        yield Pair(executor, compiled)
    finally:
        await executor.http.aclose()
        await compiled.aclose()


async def populate(api: ApiClient, clock: Clock) -> None:
    """Customers holding every kind of data a profile shows."""
    await configure_catalog(api)
    await add_customer(api, "rich", aliases=("rich-2",), country="DE", email="rich@x.io", notes=2)
    await add_note(api, "rich", "Called about **invoice 7**; see <https://example.com>.")
    await post_receipt(
        api, "rich",
        [txn(f"m-{m}", NOW - days(90 - 30 * m), NOW - days(60 - 30 * m), price="9.99", currency="USD",
             original="m-0", **({"refundedAt": NOW - days(50)} if m == 1 else {}))
         for m in range(4)]
        + [txn("y-0", NOW - days(200), NOW + days(165), product_id="yearly", original="y-0",
               price="79.99", currency="EUR", willRenew=False, cancelReason="UNSUBSCRIBE")]
        + [txn("life-0", NOW - days(400), None, product_id="lifetime", original="life-0",
               price="199.99", currency="USD")],
    )  # fmt: skip
    await post_receipt(
        api, "rich", [txn("sb-0", NOW - days(3), NOW + days(27), original="sb-0")], environment="SANDBOX"
    )
    await post_receipt(
        api, "rich", [txn("p-0", NOW - days(10), NOW + days(20), product_id="play_monthly",
                          original="p-0", price="8.99", currency="EUR")], store="PLAY_STORE",
    )  # fmt: skip
    clock.set(NOW - days(1))
    assert (await grant(api, "rich", "premium", "WEEKLY"))["userErrors"] == []
    clock.set(NOW)
    await open_app(api, ANON)
    await identify(api, ANON, "known")
    await post_receipt(
        api, "known", [txn("old-0", NOW - days(400), NOW - days(370), original="old-0", willRenew=False)]
    )
    await add_customer(api, "plain")


PROFILE_VARIABLES = [
    {"id": user, "history": size}
    for user in ("rich", "rich-2", "known", ANON, "plain", "nobody")
    for size in (20, 2)
]


async def test_the_benchmark_profile_and_page(pair: Pair) -> None:
    # Every second request to the compiled app comes from a plan (and later firsts too).
    before = answered()
    for variables in PROFILE_VARIABLES:
        await pair.same(BENCH_PROFILE, variables)
    assert answered() - before >= len(PROFILE_VARIABLES)
    before = answered()
    for variables in ({"first": 100, "history": 5}, {"first": 2, "history": 1}):
        await pair.same(BENCH_PAGE, variables)
    assert answered() - before >= 2


async def test_everything_a_profile_can_show(pair: Pair) -> None:
    before = answered()
    count = 0
    for user in ("rich", "known", "plain", "nobody"):
        for sandbox in (None, False, True):
            for n in (1, 50):
                await pair.same(EVERYTHING, {"id": user, "sandbox": sandbox, "n": n})
                count += 1
    assert answered() - before >= count


async def test_the_consoles_own_operations(pair: Pair) -> None:
    profile = console_document("ProfilePage.graphql", "CustomerProfile")
    timeline = console_document("TimelineCard.graphql", "CustomerTimeline")
    search = console_document("SearchPage.graphql", "CustomerSearch")
    before = answered()
    for user in ("rich", "known", "plain", "nobody"):
        for sandbox in (False, True):
            await pair.same(profile, {"appUserId": user, "sandbox": sandbox})
            first = await pair.same(
                timeline, {"appUserId": user, "sandbox": sandbox, "first": 2, "after": None}
            )
            cursor = _end_cursor(first)
            if cursor is not None:
                await pair.same(
                    timeline, {"appUserId": user, "sandbox": sandbox, "first": 2, "after": cursor}
                )
    assert answered() - before >= 8
    # An input-object variable (the search's filter) has no plan: the executor answers,
    # the same way.
    before = answered()
    await pair.same(search, {"search": "ric", "filter": None, "first": 10, "after": None})
    await pair.same(search, {"search": None, "filter": {"store": "APP_STORE"}, "first": 1, "after": None})
    assert answered() == before


def _end_cursor(body: bytes) -> str | None:
    import json

    customer = json.loads(body)["data"]["customer"]
    return None if customer is None else customer["history"]["pageInfo"]["endCursor"]


async def test_what_the_executor_refuses_a_plan_refuses_the_same_way(pair: Pair) -> None:
    """Errors are the executor's: a learned plan hands back a request it cannot answer
    exactly, and the executor answers it, in its words."""
    document = "query($id: String!, $n: Int) { customer(appUserId: $id) { history(first: $n) { edges { node { id } } } } }"
    await pair.same(document, {"id": "rich", "n": 2})  # learned
    for variables in (
        {"id": "rich", "n": 100000},  # past the page size: BAD_USER_INPUT from the resolver
        {"id": "rich", "n": "two"},  # does not coerce
        {"id": "a\u0000b", "n": 2},  # unstorable text: the variable guard
        {"n": 2},  # a required variable missing
    ):
        body = await pair.same(document, variables)
        assert b'"errors"' in body
    # Roles: the SDK key may not read notes; the refusal is the executor's each time.
    sdk = await pair.executor.key(ApiKeyRole.SDK)
    body = await pair.same(
        "query($id: String!) { customer(appUserId: $id) { notes { id } } }", {"id": "rich"}, sdk
    )
    assert b"FORBIDDEN" in body or b'"errors"' in body


async def test_a_plan_keeps_the_response_size_limit(
    api: ApiClient, db: Database, database_urls: dict[str, str], backend: str, clock: Clock
) -> None:
    """A plan counts list items as the executor does: past the limit the executor
    answers, with its one RESPONSE_TOO_LARGE error and no partial data."""
    clock.set(NOW)
    await populate(api, clock)  # through an app without the small limit
    limited = {"max_response_nodes": 5}
    executor_app = create_app(
        make_settings(database_urls[backend], compiled_reads=False, **limited), db, clock
    )
    compiled_app = create_app(
        make_settings(database_urls[backend], compiled_reads=True, **limited), db, clock
    )
    transport = httpx.ASGITransport(app=executor_app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://t") as executor_http,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=compiled_app), base_url="http://t"
        ) as compiled_http,
    ):
        executor = ApiClient(http=executor_http, db=db, project_id=api.project_id, admin_key=api.admin_key)
        pair = Pair(executor, compiled_http)
        document = "query($id: String!) { customer(appUserId: $id) { history(first: 50) { edges { node { id } } } } }"
        start = answered()
        await pair.same(document, {"id": "known"})  # few events: learned, then planned
        before = answered()
        assert before > start
        body = await pair.same(document, {"id": "rich"})  # more than 5: refused whole
        assert b"RESPONSE_TOO_LARGE" in body and answered() == before
