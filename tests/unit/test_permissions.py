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
