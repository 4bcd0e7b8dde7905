"""identifyCustomer (logIn), the appUserId choice and recordAppOpen (DESIGN 4.1)."""

import io
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from tests.api.helpers import configure_catalog, days, post_receipt, txn
from tests.conftest import ApiClient, Clock

ANON = "$RCAnonymousID:" + "0123456789abcdef" * 2
ANON_2 = "$RCAnonymousID:" + "fedcba9876543210" * 2

IDENTIFY = """
mutation($current: String!, $new: String!) {
  identifyCustomer(input: {appUserId: $current, newAppUserId: $new}) {
    created
    customer { id appUserId originalAppUserId aliases { appUserId isAnonymous }
               history { edges { node { type webhookEventType payload } } } }
    userErrors { code field }
  }
}"""
APP_OPEN = """
mutation($id: String!, $ip: String) {
  recordAppOpen(input: {appUserId: $id, ipAddress: $ip}) {
    customer { appUserId country lastOpenedAt firstSeenAt aliases { appUserId lastSeenAt } }
    userErrors { code }
  }
}"""


async def identify(api: ApiClient, current: str, new: str) -> dict:
    return (await api.gql(IDENTIFY, {"current": current, "new": new}))["identifyCustomer"]


async def open_app(api: ApiClient, app_user_id: str, ip: str | None = None) -> dict:
    return (await api.gql(APP_OPEN, {"id": app_user_id, "ip": ip}))["recordAppOpen"]


async def test_anonymous_then_unknown_id_becomes_an_alias(api: ApiClient) -> None:
    await open_app(api, ANON)
    result = await identify(api, ANON, "user-42")
    assert result["created"] is True
    customer = result["customer"]
    assert customer["originalAppUserId"] == ANON
    assert customer["aliases"] == [{"appUserId": "user-42", "isAnonymous": False}]
    event = customer["history"]["edges"][0]["node"]
    assert (event["type"], event["webhookEventType"]) == ("CREATED_ALIAS", "SUBSCRIBER_ALIAS")
    assert sorted(event["payload"]["event"]["aliases"]) == sorted([ANON, "user-42"])
    found = await api.gql('{ customer(appUserId: "user-42") { id } }')
    assert found["customer"]["id"] == customer["id"]


async def test_anonymous_then_known_id_merges_into_the_known_customer(api: ApiClient) -> None:
    await configure_catalog(api)
    now = datetime.now(UTC)
    await post_receipt(api, ANON, [txn("m-1", now - days(1), now + days(29), original="m")])
    await open_app(api, "known")
    result = await identify(api, ANON, "known")
    assert result["created"] is True
    customer = result["customer"]
    assert customer["originalAppUserId"] == "known"
    assert [a["appUserId"] for a in customer["aliases"]] == [ANON]
    types = [e["node"]["type"] for e in customer["history"]["edges"]]
    assert "STARTED_SUBSCRIPTION" in types and "CREATED_ALIAS" in types
    data = await api.gql('{ customer(appUserId: "known") { purchases { productId } } }')
    assert data["customer"]["purchases"] == [{"productId": "monthly"}]


async def test_known_id_with_an_anonymous_alias_only_switches(api: ApiClient) -> None:
    await open_app(api, ANON)
    await identify(api, ANON, "known")
    await open_app(api, ANON_2)
    result = await identify(api, ANON_2, "known")
    assert result["created"] is False
    assert result["customer"]["originalAppUserId"] == ANON
    other = await api.gql(
        "query($id: String!) { customer(appUserId: $id) { originalAppUserId aliases { appUserId } } }",
        {"id": ANON_2},
    )
    assert other["customer"] == {"originalAppUserId": ANON_2, "aliases": []}


async def test_identified_current_id_only_switches_and_creates_the_new_one(api: ApiClient) -> None:
    await open_app(api, "first-user")
    result = await identify(api, "first-user", "second-user")
    assert result["created"] is False
    assert result["customer"]["originalAppUserId"] == "second-user"
    first = await api.gql('{ customer(appUserId: "first-user") { aliases { appUserId } } }')
    assert first["customer"]["aliases"] == []


async def test_identify_twice_is_a_no_op(api: ApiClient) -> None:
    await open_app(api, ANON)
    await identify(api, ANON, "again")
    result = await identify(api, ANON, "again")
    assert result["created"] is False
    assert len(result["customer"]["history"]["edges"]) == 1


async def test_identify_refuses_invalid_ids(api: ApiClient) -> None:
    result = await identify(api, ANON, "undefined")
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("INVALID_INPUT", ["input", "newAppUserId"])
    ]


async def test_app_user_id_is_the_last_seen_identified_alias(api: ApiClient, clock: Clock) -> None:
    start = datetime(2026, 5, 1, tzinfo=UTC)
    clock.set(start)
    await open_app(api, ANON)
    await identify(api, ANON, "work-account")
    data = await api.gql(f'{{ customer(appUserId: "{ANON}") {{ appUserId }} }}')
    assert data["customer"]["appUserId"] == "work-account"  # logIn is a connection by the new ID
    clock.set(start + timedelta(hours=1))
    await open_app(api, ANON)  # seen later, but anonymous
    data = await api.gql(f'{{ customer(appUserId: "{ANON}") {{ appUserId }} }}')
    assert data["customer"]["appUserId"] == "work-account"


async def test_app_open_sets_last_opened_and_country_from_ipv4_and_ipv6(api: ApiClient, clock: Clock) -> None:
    moment = datetime(2026, 6, 1, 8, 30, tzinfo=UTC)
    clock.set(moment)
    result = await open_app(api, "traveller", "81.2.69.160")
    customer = result["customer"]
    assert customer["country"] == "GB"
    assert customer["lastOpenedAt"] == "2026-06-01T08:30:00Z"
    assert customer["firstSeenAt"] == "2026-06-01T08:30:00Z"
    assert customer["aliases"] == []
    clock.set(moment + days(3))
    result = await open_app(api, "traveller", "2a00:1450:4001:82a::200e")
    assert result["customer"]["country"] == "IE"
    assert result["customer"]["firstSeenAt"] == "2026-06-01T08:30:00Z"
    assert result["customer"]["lastOpenedAt"] == "2026-06-04T08:30:00Z"
    # An address with no country (private) leaves the last known country.
    result = await open_app(api, "traveller", "10.1.2.3")
    assert result["customer"]["country"] == "IE"


async def test_app_open_uses_the_request_address_when_none_is_given(api: ApiClient) -> None:
    # httpx's ASGI transport reports 127.0.0.1: no country, and no error.
    result = await open_app(api, "local-user")
    assert result["userErrors"] == []
    assert result["customer"]["country"] is None


async def test_the_ip_address_is_never_stored_or_logged(api: ApiClient) -> None:
    address_v4, address_v6 = "81.2.69.160", "2a00:1450:4001:82a::200e"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    previous_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        await open_app(api, "private-person", address_v4)
        await open_app(api, "private-person", address_v6)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)
    assert address_v4 not in stream.getvalue() and address_v6 not in stream.getvalue()

    async with api.db.read() as session:
        connection = await session.connection()
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        assert set(SQLModel.metadata.tables) <= set(tables)
        for table in tables:
            rows = (await session.exec(text(f'SELECT * FROM "{table}"'))).all()  # type: ignore[call-overload]
            dump = repr(rows)
            for needle in (address_v4, address_v6, "81.2.69", "2a00:1450"):
                assert needle not in dump, f"{needle} found in table {table}"


async def test_a_merge_keeps_everything_of_the_anonymous_customer(api: ApiClient, clock: Clock) -> None:
    clock.set(datetime(2026, 5, 1, tzinfo=UTC))
    await open_app(api, "known-gamer", "81.2.69.160")  # GB
    await api.gql(
        'mutation { adjustVirtualCurrency(input: {appUserId: "known-gamer", code: "GEMS", amount: 5}) { userErrors { code } } }'
    )
    clock.set(datetime(2026, 5, 2, tzinfo=UTC))
    await open_app(api, ANON, "2a00:1450:4001:82a::200e")  # IE, and later than the known one
    for code, amount in (("GEMS", 100), ("COINS", 7)):
        await api.gql(
            f'mutation {{ adjustVirtualCurrency(input: {{appUserId: "{ANON}", code: "{code}", amount: {amount}}}) {{ userErrors {{ code }} }} }}'
        )
    await api.gql(
        f'mutation {{ addNote(input: {{appUserId: "{ANON}", body: "met on the beta"}}) {{ userErrors {{ code }} }} }}'
    )
    result = await identify(api, ANON, "known-gamer")
    assert result["created"] is True
    data = await api.gql(
        '{ customer(appUserId: "known-gamer") { country virtualCurrencyBalances { code balance } notes { body } } }'
    )
    customer = data["customer"]
    assert customer["virtualCurrencyBalances"] == [
        {"code": "COINS", "balance": 7},
        {"code": "GEMS", "balance": 105},
    ]
    assert customer["notes"] == [{"body": "met on the beta"}]
    assert customer["country"] == "IE"  # the most recent open wins
    async with api.db.read() as session:
        rows = (
            await session.exec(
                text(
                    "SELECT customer_id FROM audit_record WHERE project_id = :p AND customer_id IS NOT NULL"
                ).bindparams(p=api.project_id)
            )
        ).all()  # type: ignore[call-overload]
    assert len({r[0] for r in rows}) == 1  # every audit record follows the merged customer


async def test_deleting_a_customer_after_a_merge_scrubs_transfers_that_named_its_old_id(
    api: ApiClient,
) -> None:
    await configure_catalog(api)
    now = datetime.now(UTC)
    await post_receipt(api, "carol", [txn("c-1", now - days(1), now + days(29), original="c")])
    await open_app(api, ANON)
    await api.gql(
        f'mutation {{ transferEntitlements(input: {{fromAppUserId: "carol", toAppUserId: "{ANON}"}}) {{ userErrors {{ code }} }} }}'
    )
    await open_app(api, "alice")
    await identify(api, ANON, "alice")
    deleted = await api.gql(
        'mutation { deleteCustomer(input: {appUserId: "alice"}) { deletedAppUserIds userErrors { code } } }'
    )
    assert sorted(deleted["deleteCustomer"]["deletedAppUserIds"]) == sorted(["alice", ANON])
    async with api.db.read() as session:
        rows = (
            await session.exec(
                text("SELECT * FROM customer_event WHERE project_id = :p").bindparams(p=api.project_id)
            )
        ).all()  # type: ignore[call-overload]
    dump = repr(rows)
    assert ANON not in dump and "alice" not in dump
    carol = await api.gql(
        '{ customer(appUserId: "carol") { history { edges { node { type transferredTo } } } } }'
    )
    transfer = carol["customer"]["history"]["edges"][0]["node"]
    assert transfer == {"type": "TRANSFERRED", "transferredTo": ["(deleted customer)"]}


async def test_a_merged_balance_stays_readable(api: ApiClient) -> None:
    big = 2_000_000_000
    await open_app(api, "rich")
    await open_app(api, ANON_2)
    for who in ("rich", ANON_2):
        await api.gql(
            f'mutation {{ adjustVirtualCurrency(input: {{appUserId: "{who}", code: "GEMS", amount: {big}}}) {{ userErrors {{ code }} }} }}'
        )
    await identify(api, ANON_2, "rich")
    data = await api.gql('{ customer(appUserId: "rich") { virtualCurrencyBalances { code balance } } }')
    assert data["customer"]["virtualCurrencyBalances"] == [{"code": "GEMS", "balance": 2**31 - 1}]
