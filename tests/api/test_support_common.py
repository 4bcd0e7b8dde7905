"""Shared GraphQL snippets for the support-action tests (tests/api/test_support_*.py).

This module holds no tests; it is named test_support_* only so that it sits with the
modules that use it. Every helper returns plain response data so a test reads as the
exact values it expects.
"""

import json
from typing import Any

from sqlalchemy import text

from tests.conftest import ApiClient

ANON = "$RCAnonymousID:" + "0123456789abcdef" * 2

ERRORS = "userErrors { field message code }"

NOTE_FIELDS = "id body bodyHtml author createdAt updatedAt"

EVENT_FIELDS = """type description webhookEventType purchasedAt eventTimestamp environment store productId
  entitlementIds periodType transactionId cancelReason price { amount currency } priceUsd { amount currency }
  transferredFrom transferredTo virtualCurrency { code amount } actor reason payload"""

CUSTOMER_FIELDS = f"""
  id appUserId originalAppUserId
  aliases {{ appUserId }}
  totalSpent {{ amount currency }}
  notes {{ id body author }}
  attributes {{ key value updatedAt }}
  entitlements(sandbox: $sandbox) {{ entitlement {{ identifier }} isActive source productId store environment
                 periodType purchasedAt expiresAt willRenew purchase {{ id }} }}
  purchases(sandbox: $sandbox) {{ id store environment productId type status willRenew expiresAt periodType
              originalTransactionId price {{ amount currency }} priceUsd {{ amount currency }} }}
  virtualCurrencyBalances {{ code balance }}
  offeringOverride {{ identifier }}
  currentOffering {{ identifier }}
  history(first: 100, sandbox: $sandbox) {{ edges {{ node {{ {EVENT_FIELDS} }} }} }}
"""

CUSTOMER = f"query($id: String!, $sandbox: Boolean) {{ customer(appUserId: $id) {{ {CUSTOMER_FIELDS} }} }}"


def input_type(mutation: str) -> str:
    return mutation[0].upper() + mutation[1:] + "Input"


def document(mutation: str, selection: str = "") -> str:
    """`mutation($input: XInput!) { x(input: $input) { <selection> userErrors {...} } }`."""
    return (
        f"mutation($input: {input_type(mutation)}!) "
        f"{{ {mutation}(input: $input) {{ {selection} {ERRORS} }} }}"
    )


async def mutate(
    api: ApiClient, mutation: str, input: dict[str, Any], selection: str = "", key: str | None = None
) -> dict[str, Any]:
    """Run a support mutation that must not fail at the GraphQL level; returns its payload."""
    data = await api.gql(document(mutation, selection), {"input": input}, key=key)
    return data[mutation]  # type: ignore[no-any-return]


async def raw(
    api: ApiClient, mutation: str, input: dict[str, Any], selection: str = "", key: str | None = None
) -> dict[str, Any]:
    """The whole response body of a mutation, top-level errors included."""
    response = await api.post(document(mutation, selection), {"input": input}, key=key)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    """The payload's userErrors as (code, field) pairs."""
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def customer(api: ApiClient, app_user_id: str, sandbox: bool = False) -> dict[str, Any] | None:
    data = await api.gql(CUSTOMER, {"id": app_user_id, "sandbox": sandbox})
    return data["customer"]  # type: ignore[no-any-return]


async def profile(api: ApiClient, app_user_id: str, sandbox: bool = False) -> dict[str, Any]:
    """The customer, which must exist."""
    state = await customer(api, app_user_id, sandbox)
    assert state is not None, f"no customer {app_user_id!r}"
    return state


def history(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The customer's events, newest first."""
    return [edge["node"] for edge in state["history"]["edges"]]


def event_of(state: dict[str, Any], event_type: str) -> dict[str, Any]:
    matches = [event for event in history(state) if event["type"] == event_type]
    assert len(matches) == 1, [e["type"] for e in history(state)]
    return matches[0]


def entitlement(state: dict[str, Any], identifier: str) -> dict[str, Any]:
    matches = [e for e in state["entitlements"] if e["entitlement"]["identifier"] == identifier]
    assert len(matches) == 1, state["entitlements"]
    return matches[0]


async def open_app(api: ApiClient, app_user_id: str) -> None:
    """Create the customer (if new) the way an app does: recordAppOpen."""
    data = await api.gql(
        "mutation($id: String!) { recordAppOpen(input: {appUserId: $id}) { userErrors { code } } }",
        {"id": app_user_id},
    )
    assert data["recordAppOpen"]["userErrors"] == []


async def identify(api: ApiClient, current: str, new: str) -> None:
    data = await api.gql(
        """mutation($c: String!, $n: String!) {
             identifyCustomer(input: {appUserId: $c, newAppUserId: $n}) { userErrors { code } } }""",
        {"c": current, "n": new},
    )
    assert data["identifyCustomer"]["userErrors"] == []


async def add_note(api: ApiClient, app_user_id: str, body: str, key: str | None = None) -> dict[str, Any]:
    return await mutate(
        api, "addNote", {"appUserId": app_user_id, "body": body}, f"note {{ {NOTE_FIELDS} }}", key
    )


async def grant(
    api: ApiClient,
    app_user_id: str,
    entitlement_identifier: str = "pro",
    duration: str | None = "MONTHLY",
    ends_at: str | None = None,
    reason: str | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    return await mutate(
        api,
        "grantEntitlement",
        {
            "appUserId": app_user_id,
            "entitlementIdentifier": entitlement_identifier,
            "duration": duration,
            "endsAt": ends_at,
            "reason": reason,
        },
        "customer { id }",
        key,
    )


async def adjust(
    api: ApiClient,
    app_user_id: str,
    amount: int,
    code: str = "GEMS",
    reason: str | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    return await mutate(
        api,
        "adjustVirtualCurrency",
        {"appUserId": app_user_id, "code": code, "amount": amount, "reason": reason},
        "customer { virtualCurrencyBalances { code balance } }",
        key,
    )


async def create_offering(api: ApiClient, identifier: str, is_current: bool = False) -> None:
    data = await api.gql(
        """mutation($input: CreateOfferingInput!) { createOffering(input: $input) { userErrors { code } } }""",
        {"input": {"identifier": identifier, "isCurrent": is_current}},
    )
    assert data["createOffering"]["userErrors"] == []


async def sql(api: ApiClient, statement: str, **params: Any) -> list[Any]:
    async with api.db.read() as session:
        result = await session.exec(text(statement).bindparams(**params))  # type: ignore[call-overload]
        return list(result.all())


async def audit_rows(api: ApiClient, action: str) -> list[dict[str, Any]]:
    """The project's audit records of one action, oldest first."""
    rows = await sql(
        api,
        "SELECT customer_id, actor, action, reason, details FROM audit_record"
        " WHERE project_id = :p AND action = :a ORDER BY id",
        p=api.project_id,
        a=action,
    )
    return [
        {
            "customer_id": row[0],
            "actor": row[1],
            "action": row[2],
            "reason": row[3],
            "details": json.loads(row[4]) if isinstance(row[4], str) else row[4],
        }
        for row in rows
    ]
