"""The permission table is built from the roles each mutation declares on its decorator
(app/graphql/mutations/shell.py); a mutation that declares none is refused to every role."""

import pytest
import strawberry
from graphql import parse

from app.domain.enums import ApiKeyRole
from app.graphql.errors import ForbiddenError, UserError
from app.graphql.mutations.shell import mutation
from app.graphql.permissions import (
    APP_REPORTS,
    APP_REPORTS_AND_SUPPORT,
    CONFIGURATION,
    SUPPORT_ACTIONS,
    mutation_roles,
    refusal,
)
from app.graphql.queries import Query
from app.graphql.schema import Mutation


@strawberry.type
class DonePayload:
    done: bool = False
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ProbeMutation:
    @mutation(roles=CONFIGURATION)
    async def declared(self) -> DonePayload:
        return DonePayload(done=True)

    @strawberry.mutation
    async def undeclared(self) -> DonePayload:
        return DonePayload(done=True)


@strawberry.type
class ProbeQuery:
    ping: bool = True


PROBE = strawberry.Schema(query=ProbeQuery, mutation=ProbeMutation)._schema


def refused(schema: object, operation: str, role: ApiKeyRole) -> bool:
    error = refusal(schema, parse(operation), None, role)  # type: ignore[arg-type]
    assert error is None or isinstance(error, ForbiddenError)
    return error is not None


@pytest.mark.parametrize("role", list(ApiKeyRole), ids=str)
def test_a_mutation_that_declares_no_roles_is_refused_to_every_role(role: ApiKeyRole) -> None:
    assert refused(PROBE, "mutation { undeclared { done } }", role)
    assert refused(PROBE, "mutation { ... on ProbeMutation { undeclared { done } } }", role)


@pytest.mark.parametrize("role", list(ApiKeyRole), ids=str)
def test_a_declared_mutation_is_open_to_exactly_its_roles(role: ApiKeyRole) -> None:
    assert refused(PROBE, "mutation { declared { done } }", role) == (role is not ApiKeyRole.ADMIN)


def test_the_table_lists_only_declared_mutations() -> None:
    assert dict(mutation_roles(PROBE)) == {"declared": CONFIGURATION}


def test_the_shell_needs_roles_and_a_payload_with_user_errors() -> None:
    with pytest.raises(ValueError):
        mutation(roles=frozenset())

    async def no_payload(self: object) -> bool:  # pragma: no cover - never called
        return True

    with pytest.raises(TypeError):
        mutation(roles=CONFIGURATION)(no_payload)


# The README's role table, mutation by mutation.
EXPECTED = {
    **dict.fromkeys(
        ["recordStorePurchase", "recordReceipt", "identifyCustomer", "recordAppOpen"], APP_REPORTS
    ),
    "setAttributes": APP_REPORTS_AND_SUPPORT,
    **dict.fromkeys(
        [
            "addNote",
            "updateNote",
            "deleteNote",
            "grantEntitlement",
            "revokeGrantedEntitlement",
            "transferEntitlements",
            "refundPurchase",
            "cancelSubscription",
            "overrideOffering",
            "adjustVirtualCurrency",
            "deleteCustomer",
            "retryWebhookDelivery",
        ],
        SUPPORT_ACTIONS,
    ),
    **dict.fromkeys(
        [
            "createEntitlement",
            "createProduct",
            "createOffering",
            "setCurrentOffering",
            "setRestoreBehavior",
            "createApiKey",
            "revokeApiKey",
            "createWebhookEndpoint",
            "deleteWebhookEndpoint",
            "setReceiptTrust",
            "configureAppStoreApp",
            "configurePlayStoreApp",
            "configureWebBillingApp",
            "deleteStoreApp",
            "sendTestWebhook",
            "rotateWebhookSigningSecret",
        ],
        CONFIGURATION,
    ),
}


def test_every_mutation_of_the_api_declares_its_roles_as_the_readme_says() -> None:
    schema = strawberry.Schema(query=Query, mutation=Mutation)._schema
    assert schema.mutation_type is not None
    assert set(schema.mutation_type.fields) == set(EXPECTED)
    assert dict(mutation_roles(schema)) == EXPECTED


def test_the_role_check_is_cached_per_document_operation_and_role() -> None:
    """The verdict of a (document, operation, role) is reached once, then reused; other
    roles and operations of the same text get their own verdicts."""
    from app.graphql.permissions import RefusalCache, refusal
    from app.graphql.schema import build_schema
    from app.settings import Settings

    schema = build_schema(Settings(database_url="sqlite://", app_env="production"))._schema
    text = (
        "query Q { customers { totalCount } } "
        'mutation M { deleteCustomer(input: {appUserId: "x"}) { deletedAppUserIds } }'
    )
    document = parse(text)
    cache = RefusalCache(maxsize=2)
    first = cache.refusal(schema, text, document, "Q", ApiKeyRole.SDK)
    assert first is not None and first.message == refusal(schema, document, "Q", ApiKeyRole.SDK).message  # type: ignore[union-attr]
    # The document is not walked again: a different object under the same text gets the cached verdict.
    assert cache.refusal(schema, text, parse("{ __typename }"), "Q", ApiKeyRole.SDK) is not first
    assert cache.refusal(schema, text, parse("{ __typename }"), "Q", ApiKeyRole.SDK) is not None
    assert cache.refusal(schema, text, document, "Q", ApiKeyRole.VIEWER) is None
    assert cache.refusal(schema, text, document, "M", ApiKeyRole.VIEWER) is not None
    # Bounded: the least recently used verdict went, and is reached again when asked.
    assert len(cache._verdicts) == 2
    assert cache.refusal(schema, text, document, "Q", ApiKeyRole.SDK) is not None
