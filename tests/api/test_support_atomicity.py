"""Every support mutation is one transaction (DESIGN 2, "use cases in one transaction each").

An error is injected after the first write of each mutation (the timeline event of a
grant, whose purchase row is already flushed; the audit record, written last, of the
other actions). Rules checked: the client gets a top-level "Internal server error."
(never a stack trace nor the exception's text) and the customer is exactly as before:
no note, attributes unchanged, ownership unchanged, customer not deleted, balance
unchanged, no grant purchase.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.services.timeline import Timeline
from tests.api.helpers import configure_catalog, post_receipt, txn
from tests.api.test_support_common import (
    add_note,
    adjust,
    create_offering,
    customer,
    grant,
    open_app,
    raw,
    sql,
)
from tests.conftest import ApiClient, Clock

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
SECRET = "injected failure 7f3a"


class InjectedFailure(RuntimeError):
    pass


def fail(*args: Any, **kwargs: Any) -> None:
    raise InjectedFailure(SECRET)


async def fail_async(*args: Any, **kwargs: Any) -> None:
    raise InjectedFailure(SECRET)


@pytest.fixture
async def scene(api: ApiClient, clock: Clock) -> ApiClient:
    """alice: a store subscription, a pro grant, a note, an attribute and 100 GEMS; bob: nothing;
    an offering `promo`."""
    clock.set(T0)
    await configure_catalog(api)
    await create_offering(api, "promo")
    receipt = [txn("a-1", T0 - timedelta(days=1), T0 + timedelta(days=29), original="a")]
    assert (await post_receipt(api, "alice", receipt))["userErrors"] == []
    assert (await add_note(api, "alice", "existing note"))["userErrors"] == []
    result = await raw(
        api, "setAttributes", {"appUserId": "alice", "attributes": [{"key": "plan", "value": "gold"}]}
    )
    assert result["data"]["setAttributes"]["userErrors"] == []
    assert (await adjust(api, "alice", 100))["userErrors"] == []
    assert (await grant(api, "alice", "pro", "WEEKLY"))["userErrors"] == []
    await open_app(api, "bob")
    return api


async def state(api: ApiClient) -> tuple[Any, ...]:
    """Everything the mutations below could change, as the API and the tables show it."""
    counts = []
    for table in ("purchase", "store_transaction", "customer_event", "note", "attribute", "audit_record"):
        rows = await sql(api, f"SELECT count(*) FROM {table} WHERE project_id = :p", p=api.project_id)
        counts.append((table, rows[0][0]))
    return (
        await customer(api, "alice", sandbox=True),
        await customer(api, "bob", sandbox=True),
        counts,
    )


async def assert_internal_error_and_nothing_changed(
    api: ApiClient, mutation: str, input: dict[str, Any], before: tuple[Any, ...]
) -> None:
    response = await api.post(
        f"mutation($input: {mutation[0].upper()}{mutation[1:]}Input!) "
        f"{{ {mutation}(input: $input) {{ userErrors {{ code }} }} }}",
        {"input": input},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert [error["message"] for error in body["errors"]] == ["Internal server error."]
    for leak in (SECRET, "Traceback", "InjectedFailure", "site-packages", "sqlalchemy"):
        assert leak not in response.text
    assert await state(api) == before


async def test_grant_rolls_back_its_purchase_when_the_event_fails(
    scene: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await state(scene)
    monkeypatch.setattr(Timeline, "record", fail_async)
    await assert_internal_error_and_nothing_changed(
        scene,
        "grantEntitlement",
        {"appUserId": "alice", "entitlementIdentifier": "premium", "duration": "MONTHLY"},
        before,
    )
    monkeypatch.undo()
    # Without the failure the same call works: the rollback, not a refusal, kept it out.
    assert (await grant(scene, "alice", "premium", "MONTHLY"))["userErrors"] == []
    alice = await customer(scene, "alice")
    assert alice is not None and "rc_promo_premium_monthly" in [p["productId"] for p in alice["purchases"]]


FAILING_AUDITS = [
    ("notes", "addNote", {"appUserId": "alice", "body": "never stored"}),
    (
        "attributes",
        "setAttributes",
        {
            "appUserId": "alice",
            "attributes": [{"key": "plan", "value": "platinum"}, {"key": "new", "value": "x"}],
        },
    ),
    ("transfers", "transferEntitlements", {"fromAppUserId": "alice", "toAppUserId": "bob"}),
    ("deletion", "deleteCustomer", {"appUserId": "alice"}),
    ("virtual_currency", "adjustVirtualCurrency", {"appUserId": "alice", "code": "GEMS", "amount": -40}),
    (
        "grants",
        "grantEntitlement",
        {"appUserId": "alice", "entitlementIdentifier": "premium", "duration": "WEEKLY"},
    ),
    ("grants", "revokeGrantedEntitlement", {"appUserId": "alice", "entitlementIdentifier": "pro"}),
    ("offerings", "overrideOffering", {"appUserId": "alice", "offeringIdentifier": "promo"}),
]


@pytest.mark.parametrize(
    ("service", "mutation", "input"), FAILING_AUDITS, ids=[m for _, m, _ in FAILING_AUDITS]
)
async def test_a_failure_after_the_writes_rolls_everything_back(
    scene: ApiClient, monkeypatch: pytest.MonkeyPatch, service: str, mutation: str, input: dict[str, Any]
) -> None:
    """`audit` is patched where the service imported it, e.g. app.services.notes.audit."""
    before = await state(scene)
    monkeypatch.setattr(f"app.services.{service}.audit", fail)
    await assert_internal_error_and_nothing_changed(scene, mutation, input, before)
    monkeypatch.undo()
    # Without the failure the same call goes through and changes the customer.
    body = await raw(scene, mutation, input)
    assert body["data"][mutation]["userErrors"] == []
    assert await state(scene) != before
