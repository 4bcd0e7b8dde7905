"""The GraphQL schema: queries, mutations and the extensions that guard them."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.extensions.max_aliases import create_validator as create_alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as create_depth_rule
from strawberry.schema.config import StrawberryConfig

from app.graphql.document_guard import GuardedParseAndValidate
from app.graphql.input_guard import GuardVariables, NoUnstorableLiterals
from app.graphql.limits import make_cost_rule
from app.graphql.mutations.configuration import ConfigurationMutations
from app.graphql.mutations.sdk import SdkMutations
from app.graphql.mutations.store_actions import StoreActionMutations
from app.graphql.mutations.store_apps import StoreAppMutations
from app.graphql.mutations.support import SupportMutations
from app.graphql.mutations.webhooks import WebhookMutations
from app.graphql.observe import RecordOperationName
from app.graphql.pagination import BadArgument
from app.graphql.permissions import RolePermissions
from app.graphql.queries import Query
from app.graphql.reads import ReleaseReads
from app.graphql.response_limit import node_limited_context
from app.graphql.scalars import DateTimeScalar
from app.http.unavailable import is_unavailable, outage
from app.logging import log
from app.observability.metrics import count_graphql_error
from app.settings import Settings


@strawberry.type
class Mutation(
    SdkMutations,
    SupportMutations,
    StoreActionMutations,
    ConfigurationMutations,
    StoreAppMutations,
    WebhookMutations,
):
    pass


def _shown_to_client(error: GraphQLError) -> bool:
    """Keep syntax, validation, permission and argument errors; mask everything else."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError | BadArgument)


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Log errors without the query text or the client's values.

        Strawberry's default logs the query source, which may hold an App User ID or an
        IP address sent inline; a client error is logged by kind only, an unexpected
        one with its exception (never containing a key or an address: neither reaches SQL).
        """
        for error in errors:
            if is_unavailable(error.original_error):
                # The HTTP layer answers 503; the outage is logged once, not per error.
                outage.failed(error.original_error or error)
                _mark_unavailable(execution_context)
            elif _shown_to_client(error):
                code = (error.extensions or {}).get("code", "GRAPHQL_ERROR")
                log.info("graphql_client_error", code=code, path=error.path)
                count_graphql_error(str(code))
            else:
                count_graphql_error("INTERNAL_SERVER_ERROR")
                log.error("graphql_internal_error", path=error.path, exc_info=error.original_error)


def _mark_unavailable(execution_context: Any) -> None:
    request = getattr(getattr(execution_context, "context", None), "request", None)
    if request is not None:
        request.state.database_unavailable = True


ALWAYS_RULES: list[type[ASTValidationRule]] = [NoUnstorableLiterals]


@dataclass(frozen=True)
class SchemaOptions:
    """The settings a schema is built from: apps with equal options share one schema."""

    is_production: bool
    limits_enabled: bool
    max_query_fields: int
    max_repeated_fields: int
    max_query_depth: int
    max_query_aliases: int
    max_query_cost: int
    max_query_tokens: int
    max_response_nodes: int

    @classmethod
    def of(cls, settings: Settings) -> "SchemaOptions":
        return cls(**{name: getattr(settings, name) for name in cls.__dataclass_fields__})


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema for these settings, built once per process: building one costs about
    50 ms (Strawberry converts every type), and the parse and validation caches key on
    the schema object, so apps of equal settings also share what those caches hold."""
    return _schema_of(SchemaOptions.of(settings))


@lru_cache(maxsize=16)
def _schema_of(settings: SchemaOptions) -> strawberry.Schema:
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: GuardedParseAndValidate(
            settings.max_query_fields, settings.max_repeated_fields, hide_suggestions=settings.is_production
        ),
        lambda: AddValidationRules(ALWAYS_RULES),
        RolePermissions,
        GuardVariables,
        RecordOperationName,
        ReleaseReads,
    ]
    if settings.limits_enabled:
        # The rule classes are built once: the validation cache keys on them, and
        # strawberry's QueryDepthLimiter/MaxAliasesLimiter build a new class per
        # request, which would make every request validate again.
        limit_rules: list[type[ASTValidationRule]] = [
            create_depth_rule(settings.max_query_depth, None),
            create_alias_rule(settings.max_query_aliases),
            make_cost_rule(settings.max_query_cost),
        ]
        extensions += [
            lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
            lambda: AddValidationRules(limit_rules),
        ]
    if settings.is_production:
        extensions.append(DisableIntrospection)
    extensions.append(
        lambda: MaskErrors(
            should_mask_error=lambda error: not _shown_to_client(error),
            error_message="Internal server error.",
        )
    )
    return Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(scalar_map={datetime: DateTimeScalar}),
        execution_context_class=node_limited_context(settings.max_response_nodes, settings.is_production),
    )


def schema_sdl(schema: Any) -> str:
    return str(schema.as_str()) + "\n"
