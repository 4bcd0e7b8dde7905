"""Validation cannot be made expensive (DESIGN 4.11, issue 13 item 2), through HTTP.

Rules checked: the 7 KB document of 490 repeated `purchases { id }` fields, which took
graphql-core's validation 1.6 s or more, is refused with QUERY_TOO_COMPLEX in well under
that, before validation runs and before anything touches the database; the same holds in
development (no production limits) and through fragments; a document at the limits runs.
"""

from app.db.engine import Database
from app.main import create_app
from tests.conftest import ApiClient, StatementCounter, make_settings, new_api_client
from tests.timing import stopwatch

ABUSE = '{ customer(appUserId: "x") { ' + "purchases { id } " * 490 + "} }"
FRAGMENT_ABUSE = (
    '{ customer(appUserId: "x") { '
    + " ".join(f"...F{i}" for i in range(200))
    + " } }\n"
    + "\n".join(f"fragment F{i} on Customer {{ purchases {{ id }} }}" for i in range(200))
)


def codes(body: dict) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in body["errors"]]


async def test_repeated_field_document_is_refused_fast_and_runs_nothing(
    api: ApiClient, statements: StatementCounter
) -> None:
    await api.gql("{ __typename }")
    statements.reset()
    await api.gql("{ __typename }")
    authentication_only = statements.count
    statements.reset()

    with stopwatch() as watch:
        response = await api.post(ABUSE)

    assert response.status_code == 200
    body = response.json()
    assert body.get("data") is None and codes(body) == ["QUERY_TOO_COMPLEX"]
    assert watch.seconds < 0.5, watch.seconds
    assert statements.count == authentication_only


async def test_repeats_through_fragments_are_refused_in_development_too(
    db: Database, database_urls: dict[str, str], backend: str
) -> None:
    app = create_app(make_settings(database_urls[backend], app_env="development", enforce_limits=False), db)
    client = await new_api_client(db, app)
    try:
        await client.post("{ __typename }")  # the app's first request, not the one timed
        for query in (ABUSE, FRAGMENT_ABUSE):
            with stopwatch() as watch:
                body = (await client.post(query)).json()
            assert codes(body) == ["QUERY_TOO_COMPLEX"]
            assert watch.seconds < 0.5, watch.seconds
    finally:
        await client.http.aclose()


async def test_a_document_at_the_repeat_limit_runs(api: ApiClient) -> None:
    data = await api.gql('{ customer(appUserId: "nobody") { ' + "purchases { id } " * 50 + "} }")
    assert data == {"customer": None}


async def test_a_big_valid_document_is_validated_and_runs(api: ApiClient) -> None:
    # Over the size at which parsing and validation move to a worker thread.
    query = "{ project { " + "...P " * 990 + "} } fragment P on Project { name }"
    assert len(query) > 4096
    assert (await api.gql(query))["project"]["name"] == "test"


async def test_a_big_document_with_a_syntax_error_is_a_client_error(api: ApiClient) -> None:
    query = "{ project { " + "name " * 1000 + "} "
    body = (await api.post(query)).json()
    assert body.get("data") is None
    assert "Syntax Error" in body["errors"][0]["message"]
