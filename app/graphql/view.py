"""The /graphql endpoint: authenticates the key, then builds the request's context.

Rate limits are applied here, where the key is known (app/http/rate_limit.py), and a
database that cannot be reached becomes `Unavailable` (503) wherever it shows.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from cross_web import HTTPException
from sqlalchemy import case
from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.async_base_view import AsyncHTTPRequestAdapter
from strawberry.types import ExecutionResult

from app.db.engine import Database
from app.db.models import Project
from app.db.reads import RequestReads
from app.db.types import utcnow
from app.domain.enums import ApiKeyRole
from app.graphql.compiled import CompiledReads
from app.graphql.context import Context
from app.graphql.dataloaders.base import release_loaders
from app.graphql.graphiql import graphiql_page
from app.http.client_address import is_loopback
from app.http.rate_limit import RateLimited, RateLimiter
from app.http.unavailable import Unavailable, is_unavailable, outage
from app.observability.requests import record_key_prefix
from app.services.keys import PREFIX_LENGTH, Principal, authenticate
from app.services.projects import DEMO_PROJECT_NAME
from app.settings import Settings
from app.stores.registry import StoreAdapters

DEVELOPMENT_KEY_NAME = "development (no key)"


class GraphQLView(GraphQL[Context, None]):
    def __init__(
        self,
        schema: Any,
        db: Database,
        settings: Settings,
        stores: StoreAdapters,
        clock: Callable[[], datetime] = utcnow,
        limiter: RateLimiter | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=False,
        )
        self.db = db
        self.settings = settings
        self.clock = clock
        self.stores = stores
        self.limiter = limiter
        self.compiled = (
            CompiledReads(schema._schema, settings.max_response_nodes) if settings.compiled_reads else None
        )

    def encode_json(self, data: object) -> bytes:
        # orjson: the standard library's encoder was 5 % of a page's CPU (issue 14). The
        # same JSON, with UTF-8 text as itself rather than as \u escapes.
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our own page with the project's copies of GraphiQL: strawberry's loads a CDN.
        return HTMLResponse(graphiql_page())

    async def get_context(self, request: Any, response: Any) -> Context:
        # Opened by the key check, used by every read of the request, and given back
        # when the request ends however it ends (the /graphql endpoint: `end_reads`).
        reads = request.state.reads = RequestReads(self.db.autocommit, self.db.prepared_reads)
        principal = await self.principal_for(request, reads)
        context = request.state.context = Context(
            reads=reads,
            request=request,
            response=response,
            db=self.db,
            settings=self.settings,
            principal=principal,
            now=self.clock(),
            stores=self.stores,
        )
        return context

    async def principal_for(self, request: Request, reads: RequestReads | None = None) -> Principal:
        try:
            principal = await self._authenticated(request, reads)
        except (HTTPException, Unavailable, RateLimited):
            raise
        except Exception as error:
            if is_unavailable(error):
                outage.failed(error)
                raise Unavailable from None
            raise
        outage.answered()
        return principal

    async def _authenticated(self, request: Request, reads: RequestReads | None) -> Principal:
        address = self.limiter.address(_client_host(request)) if self.limiter else ""
        header = request.headers.get("authorization")
        if header:
            if self.limiter:
                await self.limiter.check_failures(address)
            scheme, _, secret = header.partition(" ")
            principal = None
            if scheme.lower() == "bearer" and secret.strip():
                principal = await authenticate(self.db, secret.strip(), reads)
            if principal is None:
                if self.limiter:
                    await self.limiter.record_failure(address)
                if scheme.lower() != "bearer" or not secret.strip():
                    raise HTTPException(401, "Authorization must be 'Bearer <API key>'.")
                raise HTTPException(401, "Invalid API key.")
            if self.limiter:
                await self.limiter.hit_key(principal.api_key_id, principal.role is ApiKeyRole.SDK, address)
            # The stored, public part of a valid key (as listed by apiKeys), for the log line.
            record_key_prefix(secret.strip()[:PREFIX_LENGTH])
            return principal
        if self.limiter:
            await self.limiter.hit_address(address)
        if self.settings.is_production:
            raise HTTPException(401, "An API key is required: 'Authorization: Bearer <API key>'.")
        if not is_loopback(_client_host(request)):
            raise HTTPException(
                401, "Without a key, development mode serves loopback clients only: send a key."
            )
        return await self.development_principal()

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """From the document's plan when it has one (app/graphql/compiled/), else by
        graphql-core's executor, which also teaches the plans: only POST reads, the
        only method that runs queries here."""
        compiled = self.compiled
        key = None
        if compiled is not None and request_adapter.method == "POST" and isinstance(request_data.query, str):
            key = (request_data.query, request_data.operation_name, context.principal.role)
            plan = compiled.plan(key)
            if plan is not None:
                variables = request_data.variables if isinstance(request_data.variables, dict) else {}
                data = await compiled.answer(plan, context, variables)
                if data is not None:
                    return ExecutionResult(data=data, errors=None)
        result = await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        if key is not None and compiled is not None and not result.errors and not compiled.knows(key):
            compiled.learn(key)
        return result

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        if getattr(request.state, "database_unavailable", False):
            raise Unavailable
        return await super().process_result(request, result)

    async def development_principal(self) -> Principal:
        """Without a key in development, act as the admin of the demo project (or, when
        there is none, of the first project)."""
        demo_first = case((col(Project.name) == DEMO_PROJECT_NAME, 0), else_=1)
        async with self.db.read() as session:
            project_id = (
                await session.exec(select(Project.id).order_by(demo_first, col(Project.id)).limit(1))
            ).first()
        if project_id is None:
            raise HTTPException(401, "No project yet: run `python -m app seed-demo` or send a key.")
        return Principal(project_id, ApiKeyRole.ADMIN, DEVELOPMENT_KEY_NAME, None)


async def end_reads(request: Request) -> None:
    """The request's read connection back to the pool (a no-op when it has none, or
    when its operation already gave it back)."""
    reads = getattr(request.state, "reads", None)
    if reads is not None:
        await reads.end()
    context = getattr(request.state, "context", None)
    if context is not None:
        release_loaders(context)
        request.state.context = None


def _client_host(request: Request) -> str | None:
    return request.client.host if request.client else None
