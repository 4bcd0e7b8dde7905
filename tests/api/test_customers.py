"""The customer read model: lookup by any App User ID, the list with search, filters and
keyset pages, and a constant number of SQL statements per query (DESIGN 4.1, 4.4, 5)."""

from datetime import UTC, datetime, timedelta

from app.db.models import AppUserId, Attribute, Customer, Note
from app.domain.notes import render_note_html
from tests.api.helpers import configure_catalog, days, post_receipt, txn
from tests.conftest import ApiClient, StatementCounter

NOW = datetime.now(UTC)


async def add_customer(
    api: ApiClient,
    original: str,
    aliases: tuple[str, ...] = (),
    seen: datetime = NOW,
    country: str | None = None,
    email: str | None = None,
    notes: int = 0,
) -> int:
    """Rows as earlier issues' mutations would leave them (notes and attributes)."""
    async with api.db.transaction() as session:
        customer = Customer(
            project_id=api.project_id,
            first_seen_at=seen,
            last_seen_at=seen,
            last_opened_at=seen,
            country=country,
        )
        session.add(customer)
        await session.flush()
        assert customer.id is not None
        for index, app_user_id in enumerate((original, *aliases)):
            session.add(
                AppUserId(
                    project_id=api.project_id,
                    customer_id=customer.id,
                    app_user_id=app_user_id,
                    is_original=index == 0,
                    created_at=seen + timedelta(seconds=index),
                )
            )
        if email:
            session.add(
                Attribute(project_id=api.project_id, customer_id=customer.id, key="$email", value=email)
            )
        session.add(
            Attribute(
                project_id=api.project_id, customer_id=customer.id, key="$mediaSource", value="Facebook"
            )
        )
        session.add(Attribute(project_id=api.project_id, customer_id=customer.id, key="plan", value="gold"))
        for index in range(notes):
            session.add(
                Note(
                    project_id=api.project_id,
                    customer_id=customer.id,
                    body=f"**note {index}**",
                    body_html=render_note_html(f"**note {index}**"),
                    author="agent",
                )
            )
        return customer.id


async def test_lookup_by_original_id_or_any_alias(api: ApiClient) -> None:
    await add_customer(api, "orig", aliases=("alias-a", "alias-b"), email="o@example.com", notes=2)
    query = """query($id: String!) { customer(appUserId: $id) {
        id originalAppUserId aliases { appUserId isAnonymous }
        notes { body bodyHtml author } attributes { key value isReserved }
        attribution { network campaign } } }"""
    results = [(await api.gql(query, {"id": i}))["customer"] for i in ("orig", "alias-a", "alias-b")]
    assert results[0] == results[1] == results[2]
    customer = results[0]
    assert customer["originalAppUserId"] == "orig"
    assert [a["appUserId"] for a in customer["aliases"]] == ["alias-a", "alias-b"]
    assert customer["notes"][0]["bodyHtml"] == "<p><strong>note 0</strong></p>\n"
    assert {(a["key"], a["isReserved"]) for a in customer["attributes"]} == {
        ("$email", True),
        ("$mediaSource", True),
        ("plan", False),
    }
    assert customer["attribution"] == {"network": "Facebook", "campaign": None}
    assert (await api.gql('{ customer(appUserId: "nobody") { id } }'))["customer"] is None


async def test_node_finds_a_customer_by_global_id(api: ApiClient) -> None:
    await add_customer(api, "node-me")
    customer_id = (await api.gql('{ customer(appUserId: "node-me") { id } }'))["customer"]["id"]
    data = await api.gql(
        "query($id: ID!) { node(id: $id) { id ... on Customer { originalAppUserId } } }", {"id": customer_id}
    )
    assert data["node"] == {"id": customer_id, "originalAppUserId": "node-me"}
    assert (await api.gql('{ node(id: "garbage!") { id } }'))["node"] is None


LIST = """query($search: String, $filter: CustomerFilter, $first: Int, $after: String) {
  customers(search: $search, filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { originalAppUserId } } } }"""


async def list_ids(api: ApiClient, **variables: object) -> tuple[list[str], dict]:
    data = (await api.gql(LIST, variables))["customers"]
    return [edge["node"]["originalAppUserId"] for edge in data["edges"]], data


async def test_list_is_most_recently_seen_first_in_keyset_pages(api: ApiClient) -> None:
    for index in range(7):
        await add_customer(api, f"c{index}", seen=NOW - timedelta(hours=index))
    await add_customer(api, "tie-a", seen=NOW - timedelta(hours=3))  # same time as c3
    ids, page = await list_ids(api, first=3)
    assert ids == ["c0", "c1", "c2"] and page["totalCount"] == 8 and page["pageInfo"]["hasNextPage"]
    seen: list[str] = list(ids)
    while page["pageInfo"]["hasNextPage"]:
        ids, page = await list_ids(api, first=3, after=page["pageInfo"]["endCursor"])
        assert page["pageInfo"]["hasPreviousPage"] is True
        seen += ids
    assert seen[:3] == ["c0", "c1", "c2"]
    assert sorted(seen[3:5]) == ["c3", "tie-a"]
    assert seen[5:] == ["c4", "c5", "c6"]
    assert len(set(seen)) == 8


async def test_search_by_id_prefix_alias_and_exact_email(api: ApiClient) -> None:
    await add_customer(api, "team_alpha", aliases=("Zed",), email="alpha@example.com")
    await add_customer(api, "team_beta", email="beta@example.com")
    await add_customer(api, "other%_id")
    assert sorted((await list_ids(api, search="team_"))[0]) == ["team_alpha", "team_beta"]
    assert (await list_ids(api, search="Ze"))[0] == ["team_alpha"]
    assert (await list_ids(api, search="ze"))[0] == []  # App User IDs are case-sensitive
    assert (await list_ids(api, search="beta@example.com"))[0] == ["team_beta"]
    assert (await list_ids(api, search="beta@example"))[0] == []  # email is exact
    assert (await list_ids(api, search="other%"))[0] == ["other%_id"]  # wildcards are literal
    assert (await list_ids(api, search="%"))[0] == []


async def test_filters_by_attribute_country_store_entitlement_and_transaction(api: ApiClient) -> None:
    await configure_catalog(api)
    await add_customer(api, "de-user", country="DE")
    await add_customer(api, "fr-user", country="FR")
    await post_receipt(
        api,
        "fr-user",
        [txn("GPA.9", NOW - days(1), NOW + days(29), product_id="play_monthly", original="GPA.9")],
        store="PLAY_STORE",
    )
    await post_receipt(api, "de-user", [txn("old-1", NOW - days(60), NOW - days(30), original="old")])
    assert (await list_ids(api, filter={"country": "DE"}))[0] == ["de-user"]
    assert (await list_ids(api, filter={"attribute": {"key": "plan", "value": "gold"}}))[1]["totalCount"] == 2
    assert (await list_ids(api, filter={"attribute": {"key": "plan", "value": "silver"}}))[0] == []
    assert (await list_ids(api, filter={"store": "PLAY_STORE"}))[0] == ["fr-user"]
    assert (await list_ids(api, filter={"activeEntitlement": "pro"}))[0] == ["fr-user"]  # de-user's expired
    assert (await list_ids(api, filter={"transactionId": "old-1"}))[0] == ["de-user"]
    assert (await list_ids(api, search="GPA.9"))[0] == ["fr-user"]
    assert (await list_ids(api, filter={"country": "DE", "store": "PLAY_STORE"}))[0] == []


FULL_PAGE = """query($first: Int) { customers(first: $first) { totalCount edges { node {
  id appUserId originalAppUserId country lastOpenedAt firstSeenAt
  aliases { appUserId isAnonymous createdAt lastSeenAt }
  notes { id body bodyHtml author createdAt updatedAt }
  attributes { key value updatedAt isReserved }
  attribution { network campaign adGroup keywords creative }
  currentOffering { identifier packages { identifier product { identifier entitlements { identifier } } } }
  offeringOverride { identifier }
  totalSpent { amount currency }
  entitlements { entitlement { identifier } isActive productId expiresAt purchase { id } }
  purchases { id productId status price { amount } priceUsd { amount } product { identifier } entitlements { identifier } }
  history(first: 20) { pageInfo { hasNextPage } edges { cursor node { id type description payload } } }
} } } }"""


async def customers_with_everything(api: ApiClient, count: int) -> None:
    await configure_catalog(api)
    await api.gql(
        'mutation { createOffering(input: {identifier: "main", isCurrent: true, packages: [{identifier: "$rc_monthly", productIdentifier: "monthly"}]}) { userErrors { code } } }'
    )
    for index in range(count):
        await add_customer(
            api,
            f"full-{index}",
            aliases=(f"alias-{index}",),
            email=f"u{index}@example.com",
            notes=2,
            seen=NOW - timedelta(minutes=index),
        )
        await post_receipt(
            api,
            f"full-{index}",
            [
                txn(f"f{index}-1", NOW - days(40), NOW - days(10), original=f"f{index}"),
                txn(f"f{index}-2", NOW - days(10), NOW + days(20), original=f"f{index}"),
            ],
        )


async def test_statement_count_does_not_grow_with_the_page(
    api: ApiClient, statements: StatementCounter
) -> None:
    await customers_with_everything(api, 50)
    counts = {}
    for first in (5, 50):
        statements.reset()
        data = await api.gql(FULL_PAGE, {"first": first})
        assert len(data["customers"]["edges"]) == first
        counts[first] = statements.count
    # Authentication, the page, its count and one statement per batched loader (the
    # offering's packages, products and their entitlements, the payloads by id); the
    # profile's own part is fixed in tests/api/test_read_path.py. Was at most 20.
    assert counts[5] == counts[50], statements.statements
    assert counts[50] <= 15
    node = data["customers"]["edges"][0]["node"]
    assert len(node["history"]["edges"]) == 2 and len(node["notes"]) == 2 and len(node["purchases"]) == 1
    assert node["currentOffering"]["identifier"] == "main"


ENTITLEMENTS = """query($id: String!) { customer(appUserId: $id) {
  entitlements { entitlement { identifier products { identifier } } isActive purchase { product { identifier } entitlements { identifier } } }
  purchases { product { identifier } entitlements { identifier } } } }"""


async def test_statements_do_not_grow_with_a_customers_purchases(
    api: ApiClient, statements: StatementCounter
) -> None:
    await configure_catalog(api)
    for count, user in ((2, "two-purchases"), (20, "twenty-purchases")):
        await post_receipt(
            api, user,
            [txn(f"{user}-{i}", NOW - days(1), NOW + days(29 + i), product_id=("monthly", "yearly", "play_monthly")[i % 2], original=f"{user}-{i}") for i in range(count)],
        )  # fmt: skip
    counts = []
    for user in ("two-purchases", "twenty-purchases"):
        statements.reset()
        data = await api.gql(ENTITLEMENTS, {"id": user})
        assert data["customer"]["entitlements"]
        counts.append(statements.count)
    assert counts[0] == counts[1], statements.statements
