"""Input objects built from graphql-core's coerced values (app/graphql/plain_inputs.py)
are exactly what Strawberry's own field-by-field conversion builds: a differential test
over the schema's real coercion, with every field set and with only the required ones."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from graphql import GraphQLInputObjectType, coerce_input_value
from strawberry.types.arguments import convert_argument

from app.graphql.mutations.sdk import StoreTransactionInput
from app.graphql.schema import build_schema
from app.graphql.types.common import CancelReason, PeriodType
from app.settings import Settings

FULL = {
    "transactionId": "t-2",
    "originalTransactionId": "t-1",
    "productId": "monthly",
    "purchasedAt": "2026-01-01T00:00:00Z",
    "expiresAt": "2026-02-01T00:00:00Z",
    "periodType": "TRIAL",
    "price": "9.99",
    "currency": "EUR",
    "willRenew": False,
    "cancelReason": "BILLING_ERROR",
    "renewalProductId": "yearly",
    "billingIssueDetectedAt": "2026-01-20T00:00:00Z",
    "gracePeriodExpiresAt": "2026-02-05T00:00:00Z",
    "refundedAt": None,
    "countryCode": "FR",
    "isFamilyShare": True,
    "offerCode": "WINTER",
    "presentedOfferingIdentifier": "default",
    "pausedAt": None,
    "autoResumeAt": None,
    "purchaseToken": "token",
    "packageName": "com.example",
    "stripeSubscriptionId": "sub_1",
    "stripePaymentId": "pi_1",
}
REQUIRED = {"transactionId": "t-1", "productId": "monthly", "purchasedAt": "2026-01-01T00:00:00Z"}


def convert(value: dict[str, Any], *, plain: bool) -> StoreTransactionInput:
    schema = build_schema(Settings(database_url="sqlite://", app_env="production"))
    graphql_type = schema._schema.type_map["StoreTransactionInput"]
    assert isinstance(graphql_type, GraphQLInputObjectType)
    coerced = coerce_input_value(value, graphql_type)
    definition = StoreTransactionInput.__strawberry_definition__  # type: ignore[attr-defined]
    hook = definition.from_input
    if not plain:
        definition.from_input = None
    try:
        converter = schema.schema_converter
        result = convert_argument(coerced, StoreTransactionInput, converter.scalar_registry, schema.config)
    finally:
        definition.from_input = hook
    assert isinstance(result, StoreTransactionInput)
    return result


@pytest.mark.parametrize("value", [FULL, REQUIRED], ids=["every field", "required fields"])
def test_the_plain_path_builds_what_strawberry_builds(value: dict[str, Any]) -> None:
    assert convert(value, plain=True) == convert(value, plain=False)


def test_values_arrive_as_python_values_and_defaults_as_declared() -> None:
    full = convert(FULL, plain=True)
    assert full.purchased_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert full.price == Decimal("9.99")
    assert full.period_type is PeriodType.TRIAL and full.cancel_reason is CancelReason.BILLING_ERROR
    minimal = convert(REQUIRED, plain=True)
    assert minimal.period_type is PeriodType.NORMAL and minimal.will_renew is True
    assert minimal.expires_at is None and minimal.original_transaction_id is None
