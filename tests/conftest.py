"""Test fixtures: every database test runs on SQLite and, when TEST_DATABASE_URL is set,
on PostgreSQL too.

Each backend is migrated once per session with Alembic (the real migrations), and each
test gets a project of its own: everything is scoped by project, so tests never see
each other's data and need no truncation.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from app.db.engine import Database, create_engine
from app.db.migrate import upgrade
from app.domain.enums import ApiKeyRole
from app.main import create_app
from app.services import projects
from app.settings import Settings

# TEST_BACKENDS=postgres leaves SQLite out: .ci/run has already run the SQLite half in a
# fresh clone (`make test-fast`) and does not pay for it twice.
BACKENDS = [
    backend
    for backend in ["sqlite"] + (["postgres"] if os.environ.get("TEST_DATABASE_URL") else [])
    if backend in os.environ.get("TEST_BACKENDS", "sqlite,postgres").split(",")
]


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    urls = {"sqlite": f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"}
    if "postgres" in BACKENDS:
        urls["postgres"] = os.environ["TEST_DATABASE_URL"]
    for url in urls.values():
        upgrade(url)
    return urls


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    marker = request.node.get_closest_marker("postgres_only")
    if marker and request.param != "postgres":
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL)")
    return str(request.param)


class StatementCounter:
    """Counts the SQL statements an engine runs (transaction control excluded)."""

    IGNORED = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(self.IGNORED):
            self.count += 1
            self.statements.append(statement)

    def reset(self) -> None:
        self.count = 0
        self.statements = []


@pytest.fixture
async def db(backend: str, database_urls: dict[str, str]) -> AsyncIterator[Database]:
    database = Database(create_engine(database_urls[backend]))
    try:
        yield database
    finally:
        # A function-scoped event loop needs its own engine, disposed after each test.
        await database.dispose()


@pytest.fixture
def statements(db: Database) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    event.listen(db.engine.sync_engine, "before_cursor_execute", counter)
    yield counter
    event.remove(db.engine.sync_engine, "before_cursor_execute", counter)


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "app_env": "production",
        "enforce_limits": True,
        "webhook_dispatcher": "off",
        # Test receivers listen on loopback; the address rule has tests of its own.
        "webhook_allow_private_urls": True,
        # Store apps seal their credentials with it (tests of its absence override it).
        "secret_key": "tests-only-secret-key-0123456789abcdef",
    }
    values.update(overrides)
    return Settings(**values)


class Clock:
    """The service's clock in tests: real time unless a test sets it."""

    def __init__(self) -> None:
        self.frozen: datetime | None = None

    def __call__(self) -> datetime:
        return self.frozen or datetime.now(UTC)

    def set(self, moment: datetime) -> None:
        self.frozen = moment


@pytest.fixture
def clock() -> Clock:
    return Clock()


@dataclass
class ApiClient:
    """A project of one's own and an HTTP client to the ASGI app."""

    http: httpx.AsyncClient
    db: Database
    project_id: int
    admin_key: str
    keys: dict[ApiKeyRole, str] = field(default_factory=dict)

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, key: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key or self.admin_key}"} if (key or self.admin_key) else {}
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, key: str | None = None
    ) -> dict[str, Any]:
        """Runs a query that must succeed: HTTP 200 and no top-level errors."""
        response = await self.post(query, variables, key)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]  # type: ignore[no-any-return]

    async def key(self, role: ApiKeyRole) -> str:
        if role not in self.keys:
            created = await projects.create_api_key(
                self.db, self.project_id, f"{role.value.lower()} key", role
            )
            self.keys[role] = created.secret
        return self.keys[role]


async def new_api_client(db: Database, app: Any, name: str = "test") -> ApiClient:
    project, secret = await projects.create_project(db, name)
    assert project.id is not None
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    return ApiClient(http=http, db=db, project_id=project.id, admin_key=secret)


@pytest.fixture
async def api(
    db: Database, database_urls: dict[str, str], backend: str, clock: Clock
) -> AsyncIterator[ApiClient]:
    app = create_app(make_settings(database_urls[backend]), db, clock)
    client = await new_api_client(db, app)
    try:
        yield client
    finally:
        await client.http.aclose()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
