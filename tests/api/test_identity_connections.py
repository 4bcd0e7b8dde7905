"""Identity rules of issue 10 (DESIGN 4.1), through HTTP on SQLite and PostgreSQL:
logIn marks its new ID as seen, an SDK's setAttributes creates the customer, identical
logIns at once write one alias event, and lookalike App User IDs are refused."""

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.domain.enums import ApiKeyRole
from tests.api.helpers import configure_catalog, days, post_receipt, txn
from tests.conftest import ApiClient, Clock

ANON = "$RCAnonymousID:" + "0123456789abcdef" * 2
START = datetime(2026, 5, 1, 9, tzinfo=UTC)

IDENTIFY = """
mutation($current: String!, $new: String!) {
  identifyCustomer(input: {appUserId: $current, newAppUserId: $new}) {
    created
    customer { appUserId aliases { appUserId lastSeenAt } }
    userErrors { code field message }
  }
}"""
APP_OPEN = """
mutation($id: String!) {
  recordAppOpen(input: {appUserId: $id}) { customer { appUserId } userErrors { code field message } }
}"""
SET_ATTRIBUTES = """
mutation($id: String!, $attributes: [AttributeInput!]!) {
  setAttributes(input: {appUserId: $id, attributes: $attributes}) { customer { id } userErrors { code field } }
}"""
DETAILS = """query($id: String!) { customer(appUserId: $id) {
  id appUserId originalAppUserId firstSeenAt attributes { key value } } }"""
CUSTOMER = """query($id: String!) { customer(appUserId: $id) {
  appUserId originalAppUserId aliases { appUserId }
  history(first: 100) { edges { node { type webhookEventType payload } } } } }"""
CREATE_ENDPOINT = """mutation($url: String!) { createWebhookEndpoint(input: {url: $url}) {
  webhookEndpoint { id } userErrors { code message } } }"""


async def identify(api: ApiClient, current: str, new: str, key: str | None = None) -> dict[str, Any]:
    return (await api.gql(IDENTIFY, {"current": current, "new": new}, key=key))["identifyCustomer"]


async def open_app(api: ApiClient, app_user_id: str) -> dict[str, Any]:
    return (await api.gql(APP_OPEN, {"id": app_user_id}))["recordAppOpen"]


async def customer(api: ApiClient, app_user_id: str) -> dict[str, Any] | None:
    return (await api.gql(CUSTOMER, {"id": app_user_id}))["customer"]


def events(found: dict[str, Any]) -> list[dict[str, Any]]:
    """The customer's timeline, oldest first."""
    return [edge["node"] for edge in reversed(found["history"]["edges"])]


async def project_rows(api: ApiClient, sql: str) -> list[Any]:
    async with api.db.read() as session:
        result = await session.exec(text(sql).bindparams(p=api.project_id))  # type: ignore[call-overload]
        return list(result.all())


def _utc(value: Any) -> datetime:
    """A timestamp column as read raw: an aware datetime (PostgreSQL) or ISO text (SQLite)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- logIn marks the new ID as seen ---------------------------------------------------------


async def test_after_login_from_an_anonymous_id_the_identified_one_stands_at_once(
    api: ApiClient, clock: Clock
) -> None:
    await configure_catalog(api)
    clock.set(START)
    await open_app(api, ANON)
    clock.set(START + timedelta(minutes=5))
    result = await identify(api, ANON, "ana")
    assert result["created"] is True
    # No app open by "ana" yet: the logIn itself is the connection by the new ID.
    assert result["customer"]["appUserId"] == "ana"
    assert result["customer"]["aliases"] == [{"appUserId": "ana", "lastSeenAt": "2026-05-01T09:05:00Z"}]
    for lookup in (ANON, "ana"):
        assert (await customer(api, lookup))["appUserId"] == "ana"  # type: ignore[index]

    # The SUBSCRIBER_ALIAS of the logIn and every later webhook name the identified ID,
    # also when the app later posts with the anonymous ID it still has cached.
    clock.set(START + timedelta(minutes=10))
    now = START + timedelta(minutes=10)
    receipt = await post_receipt(api, ANON, [txn("a-1", now - days(1), now + days(29), original="a")])
    assert receipt["userErrors"] == []
    found = await customer(api, "ana")
    assert found is not None
    timeline = events(found)
    # The timeline is in purchase-date order: the purchase is dated a day before the logIn.
    assert [(e["type"], e["webhookEventType"]) for e in timeline] == [
        ("STARTED_SUBSCRIPTION", "INITIAL_PURCHASE"),
        ("CREATED_ALIAS", "SUBSCRIBER_ALIAS"),
    ]
    for event in timeline:
        assert event["payload"]["event"]["app_user_id"] == "ana"
        assert event["payload"]["event"]["original_app_user_id"] == ANON
        assert sorted(event["payload"]["event"]["aliases"]) == sorted([ANON, "ana"])


async def test_a_merging_login_marks_the_known_id_seen_and_names_it_in_the_alias_webhook(
    api: ApiClient, clock: Clock
) -> None:
    clock.set(START)
    await open_app(api, "ben")
    clock.set(START + days(3))
    await open_app(api, ANON)  # a fresh install, seen after ben was
    clock.set(START + days(3) + timedelta(hours=1))
    result = await identify(api, ANON, "ben")
    assert result["created"] is True
    assert result["customer"]["appUserId"] == "ben"
    seen = {a["appUserId"]: a["lastSeenAt"] for a in result["customer"]["aliases"]}
    assert seen == {ANON: "2026-05-04T09:00:00Z"}  # the anonymous ID keeps its own last seen
    # The customer's last seen (the customer list's order) moves with the logIn too.
    last_seen = await project_rows(api, "SELECT last_seen_at FROM customer WHERE project_id = :p")
    assert [_utc(row[0]) for row in last_seen] == [START + days(3) + timedelta(hours=1)]
    found = await customer(api, ANON)
    assert found is not None
    alias_event = events(found)[-1]
    assert alias_event["type"] == "CREATED_ALIAS"
    assert alias_event["payload"]["event"]["app_user_id"] == "ben"


async def test_login_does_not_mark_the_id_it_leaves(api: ApiClient, clock: Clock) -> None:
    # "carl" has two IDs; "carl-work" was seen last. Switching from "carl" to "dora" must
    # not make "carl" stand for that customer again.
    clock.set(START)
    await open_app(api, ANON)
    await identify(api, ANON, "carl")
    clock.set(START + timedelta(hours=1))
    await identify(api, ANON, "carl-work")  # ANON is carl's now: a new alias of that customer
    assert (await customer(api, "carl"))["appUserId"] == "carl-work"  # type: ignore[index]
    clock.set(START + timedelta(hours=2))
    result = await identify(api, "carl", "dora")
    assert result["created"] is False
    assert result["customer"]["appUserId"] == "dora"
    assert (await customer(api, "carl"))["appUserId"] == "carl-work"  # type: ignore[index]


# -- setAttributes from an SDK key creates the customer ---------------------------------------


async def test_sdk_set_attributes_on_a_new_id_creates_the_customer(api: ApiClient, clock: Clock) -> None:
    clock.set(START)
    sdk = await api.key(ApiKeyRole.SDK)
    data = await api.gql(
        SET_ATTRIBUTES,
        {"id": "fresh-install", "attributes": [{"key": "$email", "value": "f@example.com"}]},
        key=sdk,
    )
    result = data["setAttributes"]
    assert result["userErrors"] == []
    details = (await api.gql(DETAILS, {"id": "fresh-install"}))["customer"]
    assert details == {
        "id": result["customer"]["id"],
        "appUserId": "fresh-install",
        "originalAppUserId": "fresh-install",
        "firstSeenAt": "2026-05-01T09:00:00Z",
        "attributes": [{"key": "$email", "value": "f@example.com"}],
    }
    # The next call of the same install finds the same customer.
    again = await api.gql(
        SET_ATTRIBUTES, {"id": "fresh-install", "attributes": [{"key": "plan", "value": "free"}]}, key=sdk
    )
    assert again["setAttributes"]["userErrors"] == []
    rows = await project_rows(api, "SELECT count(*) FROM customer WHERE project_id = :p")
    assert rows[0][0] == 1


async def test_sdk_set_attributes_that_are_refused_create_nothing(api: ApiClient) -> None:
    sdk = await api.key(ApiKeyRole.SDK)
    data = await api.gql(
        SET_ATTRIBUTES, {"id": "fresh-2", "attributes": [{"key": "$notReserved", "value": "x"}]}, key=sdk
    )
    assert [e["code"] for e in data["setAttributes"]["userErrors"]] == ["RESERVED_ATTRIBUTE_KEY"]
    assert await customer(api, "fresh-2") is None


async def test_concurrent_first_sdk_set_attributes_create_one_customer(api: ApiClient) -> None:
    sdk = await api.key(ApiKeyRole.SDK)
    calls = [
        api.gql(SET_ATTRIBUTES, {"id": "racer", "attributes": [{"key": f"k{i}", "value": "1"}]}, key=sdk)
        for i in range(5)
    ]
    results = await asyncio.gather(*calls)
    assert all(r["setAttributes"]["userErrors"] == [] for r in results)
    rows = await project_rows(api, "SELECT count(*) FROM customer WHERE project_id = :p")
    assert rows[0][0] == 1
    attributes = (await api.gql('{ customer(appUserId: "racer") { attributes { key } } }'))["customer"]
    assert sorted(a["key"] for a in attributes["attributes"]) == [f"k{i}" for i in range(5)]


@pytest.mark.parametrize("role", [ApiKeyRole.SUPPORT, ApiKeyRole.ADMIN])
async def test_other_roles_still_get_customer_not_found(api: ApiClient, role: ApiKeyRole) -> None:
    key = api.admin_key if role is ApiKeyRole.ADMIN else await api.key(role)
    data = await api.gql(
        SET_ATTRIBUTES, {"id": "typo-id", "attributes": [{"key": "a", "value": "1"}]}, key=key
    )
    assert [(e["code"], e["field"]) for e in data["setAttributes"]["userErrors"]] == [
        ("CUSTOMER_NOT_FOUND", ["input", "appUserId"])
    ]
    assert await customer(api, "typo-id") is None


# -- identical logIns at once ------------------------------------------------------------------


async def test_ten_identical_merges_at_once_write_one_alias_event_and_one_webhook(api: ApiClient) -> None:
    created = await api.gql(CREATE_ENDPOINT, {"url": "http://127.0.0.1:9/hook"})
    assert created["createWebhookEndpoint"]["userErrors"] == []
    await open_app(api, "known-racer")
    await open_app(api, ANON)
    results = await asyncio.gather(*(identify(api, ANON, "known-racer") for _ in range(10)))
    assert all(r["userErrors"] == [] for r in results)
    assert sorted(r["created"] for r in results) == [False] * 9 + [True]
    assert {r["customer"]["appUserId"] for r in results} == {"known-racer"}
    alias_events = await project_rows(
        api, "SELECT id FROM customer_event WHERE project_id = :p AND type = 'CREATED_ALIAS'"
    )
    assert len(alias_events) == 1
    deliveries = await project_rows(api, "SELECT event_id FROM webhook_delivery WHERE project_id = :p")
    assert [row[0] for row in deliveries] == [alias_events[0][0]]
    customers = await project_rows(api, "SELECT count(*) FROM customer WHERE project_id = :p")
    assert customers[0][0] == 1


async def test_ten_identical_aliasing_logins_at_once_write_one_alias_event(api: ApiClient) -> None:
    # The unique App User ID already stopped a second alias row here (the losers were
    # retried); the lock makes them wait instead, and the answer must stay the same.
    await open_app(api, ANON)
    results = await asyncio.gather(*(identify(api, ANON, "new-racer") for _ in range(10)))
    assert all(r["userErrors"] == [] for r in results)
    assert sorted(r["created"] for r in results) == [False] * 9 + [True]
    alias_events = await project_rows(
        api, "SELECT id FROM customer_event WHERE project_id = :p AND type = 'CREATED_ALIAS'"
    )
    assert len(alias_events) == 1


# -- lookalike App User IDs ----------------------------------------------------------------------

LOOKALIKES = [
    "ana\u200b",  # zero-width space
    "a\u200cna",  # zero-width non-joiner
    "\ufeffana",  # byte order mark / zero-width no-break space
    "ana\u2060",  # word joiner
    "ana\u00ad",  # soft hyphen
    "\u200eana",  # left-to-right mark
    "ana\u202e",  # right-to-left override
    "\u2066ana\u2069",  # left-to-right isolate ... pop directional isolate
    " ana",
    "ana ",
    "ana\u00a0",  # no-break space
    "ana\u3000",  # ideographic space
    "an\u2028a",  # line separator
    "an\x1ba",  # escape (a control character)
]


@pytest.mark.parametrize("lookalike", LOOKALIKES)
async def test_lookalike_ids_are_refused_and_change_nothing(api: ApiClient, lookalike: str) -> None:
    await open_app(api, ANON)
    await identify(api, ANON, "ana")
    before = await customer(api, "ana")

    opened = await open_app(api, lookalike)
    assert opened["customer"] is None
    assert [(e["code"], e["field"]) for e in opened["userErrors"]] == [
        ("INVALID_INPUT", ["input", "appUserId"])
    ]

    as_new = await identify(api, ANON, lookalike)
    assert as_new["customer"] is None
    assert [(e["code"], e["field"]) for e in as_new["userErrors"]] == [
        ("INVALID_INPUT", ["input", "newAppUserId"])
    ]
    as_current = await identify(api, lookalike, "someone-else")
    assert [(e["code"], e["field"]) for e in as_current["userErrors"]] == [
        ("INVALID_INPUT", ["input", "appUserId"])
    ]

    assert await customer(api, "ana") == before
    assert await customer(api, "someone-else") is None
    ids = await project_rows(api, "SELECT app_user_id FROM app_user_id WHERE project_id = :p")
    assert sorted(row[0] for row in ids) == sorted([ANON, "ana"])


# -- races answered by ON CONFLICT DO NOTHING, not by unique-constraint violations ---------


@contextlib.contextmanager
def unique_violations(api: ApiClient) -> Iterator[list[str]]:
    """The unique-constraint violations the database reports meanwhile (each one is an
    ERROR line with the conflicting key in PostgreSQL's log)."""
    seen: list[str] = []

    def on_error(context: Any) -> None:
        if isinstance(context.sqlalchemy_exception, IntegrityError):
            seen.append(type(context.original_exception).__name__)

    engine = api.db.engine.sync_engine
    sa_event.listen(engine, "handle_error", on_error)
    try:
        yield seen
    finally:
        sa_event.remove(engine, "handle_error", on_error)


async def test_first_sightings_at_once_make_one_customer_without_a_unique_violation(api: ApiClient) -> None:
    sdk = await api.key(ApiKeyRole.SDK)
    with unique_violations(api) as violations:
        results = await asyncio.gather(
            *(
                api.gql(
                    SET_ATTRIBUTES,
                    {"id": "quiet-racer", "attributes": [{"key": f"k{i}", "value": "1"}]},
                    key=sdk,
                )
                for i in range(8)
            ),
            *(open_app(api, "quiet-racer") for _ in range(4)),
        )
    assert all(r["setAttributes"]["userErrors"] == [] for r in results[:8])
    assert violations == []
    rows = await project_rows(api, "SELECT count(*) FROM customer WHERE project_id = :p")
    assert rows[0][0] == 1
    ids = await project_rows(api, "SELECT app_user_id, is_original FROM app_user_id WHERE project_id = :p")
    assert [tuple(r) for r in ids] == [("quiet-racer", True)]


async def test_aliasing_logins_at_once_add_the_alias_without_a_unique_violation(api: ApiClient) -> None:
    await open_app(api, ANON)
    with unique_violations(api) as violations:
        results = await asyncio.gather(*(identify(api, ANON, "alias-racer") for _ in range(8)))
    assert all(r["userErrors"] == [] for r in results)
    assert sorted(r["created"] for r in results) == [False] * 7 + [True]
    assert violations == []
    ids = await project_rows(api, "SELECT app_user_id FROM app_user_id WHERE project_id = :p ORDER BY id")
    assert [r[0] for r in ids] == [ANON, "alias-racer"]
