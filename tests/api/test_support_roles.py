"""Who may run the support actions (DESIGN 4.4-4.8, roles in app/graphql/permissions.py).

Rules checked, for each support mutation (addNote, updateNote, deleteNote,
grantEntitlement, revokeGrantedEntitlement, transferEntitlements, overrideOffering,
adjustVirtualCurrency, deleteCustomer, setAttributes): a VIEWER key gets a top-level
FORBIDDEN error with data null and nothing changes; an SDK key likewise, except for
setAttributes which apps may call; a SUPPORT key is allowed and the change happens.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.domain.enums import ApiKeyRole
from tests.api.helpers import configure_catalog, post_receipt, txn
from tests.api.test_support_common import add_note, adjust, create_offering, customer, grant, open_app, raw
from tests.conftest import ApiClient, Clock

T0 = datetime(2026, 5, 5, 12, 0, tzinfo=UTC)


@dataclass
class Scene:
    api: ApiClient
    note_id: str


@dataclass(frozen=True)
class Action:
    mutation: str
    input: Callable[[Scene], dict[str, Any]]


ACTIONS = [
    Action("addNote", lambda s: {"appUserId": "alice", "body": "new note"}),
    Action("updateNote", lambda s: {"noteId": s.note_id, "body": "edited"}),
    Action("deleteNote", lambda s: {"noteId": s.note_id}),
    Action(
        "grantEntitlement",
        lambda s: {"appUserId": "alice", "entitlementIdentifier": "premium", "duration": "WEEKLY"},
    ),
    Action("revokeGrantedEntitlement", lambda s: {"appUserId": "alice", "entitlementIdentifier": "pro"}),
    Action("transferEntitlements", lambda s: {"fromAppUserId": "alice", "toAppUserId": "bob"}),
    Action("overrideOffering", lambda s: {"appUserId": "alice", "offeringIdentifier": "promo"}),
    Action("adjustVirtualCurrency", lambda s: {"appUserId": "alice", "code": "GEMS", "amount": -5}),
    Action("deleteCustomer", lambda s: {"appUserId": "alice"}),
    Action(
        "setAttributes", lambda s: {"appUserId": "alice", "attributes": [{"key": "plan", "value": "gold"}]}
    ),
]
BY_NAME = {action.mutation: action for action in ACTIONS}


@pytest.fixture
async def scene(api: ApiClient, clock: Clock) -> Scene:
    """alice: a store subscription, a pro grant, a note, 100 GEMS; bob: nothing yet."""
    clock.set(T0)
    await configure_catalog(api)
    await create_offering(api, "promo")
    receipt = [txn("r-1", T0 - timedelta(days=1), T0 + timedelta(days=29), original="r")]
    assert (await post_receipt(api, "alice", receipt))["userErrors"] == []
    assert (await grant(api, "alice", "pro", "MONTHLY"))["userErrors"] == []
    note = await add_note(api, "alice", "first note")
    assert (await adjust(api, "alice", 100))["userErrors"] == []
    await open_app(api, "bob")
    return Scene(api=api, note_id=note["note"]["id"])


async def snapshot(api: ApiClient) -> tuple[Any, Any]:
    return await customer(api, "alice", sandbox=True), await customer(api, "bob", sandbox=True)


async def assert_refused(scene: Scene, action: Action, role: ApiKeyRole) -> None:
    api = scene.api
    before = await snapshot(api)
    body = await raw(api, action.mutation, action.input(scene), key=await api.key(role))
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert action.mutation in body["errors"][0]["message"]
    assert await snapshot(api) == before


@pytest.mark.parametrize("action", ACTIONS, ids=[a.mutation for a in ACTIONS])
async def test_a_viewer_key_may_not_act(scene: Scene, action: Action) -> None:
    await assert_refused(scene, action, ApiKeyRole.VIEWER)


@pytest.mark.parametrize(
    "action", [a for a in ACTIONS if a.mutation != "setAttributes"], ids=lambda a: a.mutation
)
async def test_an_sdk_key_may_not_act(scene: Scene, action: Action) -> None:
    await assert_refused(scene, action, ApiKeyRole.SDK)


@pytest.mark.parametrize("action", ACTIONS, ids=[a.mutation for a in ACTIONS])
async def test_a_support_key_may_act(scene: Scene, action: Action) -> None:
    api = scene.api
    before = await snapshot(api)
    body = await raw(api, action.mutation, action.input(scene), key=await api.key(ApiKeyRole.SUPPORT))
    assert "errors" not in body, body
    assert body["data"][action.mutation]["userErrors"] == []
    assert await snapshot(api) != before


async def test_an_sdk_key_may_set_attributes(scene: Scene) -> None:
    api = scene.api
    action = BY_NAME["setAttributes"]
    body = await raw(api, action.mutation, action.input(scene), key=await api.key(ApiKeyRole.SDK))
    assert "errors" not in body, body
    assert body["data"]["setAttributes"]["userErrors"] == []
    state = await customer(api, "alice")
    assert state is not None and {a["key"]: a["value"] for a in state["attributes"]} == {"plan": "gold"}
