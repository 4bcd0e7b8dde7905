"""The GraphQL schema: queries, mutations and the extensions that guard them."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from app.graphql.limits import make_cost_rule
from app.graphql.mutations.configuration import ConfigurationMutations
from app.graphql.mutations.sdk import SdkMutations
from app.graphql.permissions import RolePermissions
from app.graphql.queries import BadArgument, Query
from app.graphql.scalars import DateTimeScalar
from app.settings import Settings


@strawberry.type
class Mutation(SdkMutations, ConfigurationMutations):
    pass


def _shown_to_client(error: GraphQLError) -> bool:
    """Keep syntax, validation, permission and argument errors; mask everything else."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError | BadArgument)


def build_schema(settings: Settings) -> strawberry.Schema:
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        RolePermissions,
    ]
    if settings.limits_enabled:
        extensions += [
            lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
            lambda: MaxAliasesLimiter(max_alias_count=settings.max_query_aliases),
            lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
            lambda: AddValidationRules([make_cost_rule(settings.max_query_cost)]),
        ]
    if settings.is_production:
        extensions.append(DisableIntrospection)
    extensions.append(
        lambda: MaskErrors(
            should_mask_error=lambda error: not _shown_to_client(error),
            error_message="Internal server error.",
        )
    )
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(scalar_map={datetime: DateTimeScalar}),
    )


def schema_sdl(schema: Any) -> str:
    return str(schema.as_str()) + "\n"
