"""The support console in a real browser (Debian's Chromium through Playwright) against
the real server on SQLite with the demo seed.

Each test works on its own demo customer, so the tests do not depend on their order.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.console_server import ConsoleServer, chromium, console_server, require_chromium
from tests.e2e.processes import ROOT

pytestmark = pytest.mark.e2e

SCREENSHOT = ROOT / "docs" / "console-profile.png"
CUSTOMER_PURCHASES = """
query($id: String!) { customer(appUserId: $id) { purchases { productId } entitlements { entitlement { identifier } isActive } } }
"""
ADD_NOTE = """
mutation($id: String!, $body: String!) { addNote(input: {appUserId: $id, body: $body}) { userErrors { code } } }
"""


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    require_chromium()
    with console_server(tmp_path_factory.mktemp("console-dev"), "development", seed=True) as server:
        yield server


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    require_chromium()
    with chromium(tmp_path_factory.mktemp("chromium")) as context:
        yield context


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    page.close()
    assert errors == [], errors


def open_profile(page: Any, server: ConsoleServer, app_user_id: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.url}/console/customers/{app_user_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(app_user_id)


def card(page: Any, title: str) -> Any:
    return page.get_by_role("region", name=title)


def dialog(page: Any) -> Any:
    return page.get_by_role("dialog")


def test_search_finds_a_demo_customer_by_email(page: Any, dev_server: ConsoleServer) -> None:
    from playwright.sync_api import expect

    page.goto(f"{dev_server.url}/console")
    expect(page.get_by_test_id("result-count")).to_contain_text("customers, most recently seen first")
    page.get_by_label("Search customers").fill("ana@example.com")
    page.get_by_label("Search customers").press("Enter")
    expect(page.get_by_test_id("result-count")).to_have_text("1 customer, most recently seen first")
    row = page.locator("table.results tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("ana@example.com")
    expect(row).to_contain_text("BR")
    row.get_by_role("link", name="ana.silva").click()
    expect(page).to_have_url(f"{dev_server.url}/console/customers/ana.silva")
    expect(page.get_by_role("heading", level=1)).to_have_text("ana.silva")
    # A filter narrows the list: one demo customer is in Japan.
    page.goto(f"{dev_server.url}/console?country=JP")
    expect(page.locator("table.results tbody tr")).to_have_count(1)
    expect(page.locator("table.results")).to_contain_text("hana.sato")


def test_search_results_page_by_cursor(page: Any, dev_server: ConsoleServer) -> None:
    from playwright.sync_api import expect

    for n in range(10):
        dev_server.graphql(
            "mutation($id: String!) { recordAppOpen(input: {appUserId: $id}) { userErrors { code } } }",
            id=f"pager.{n:02d}",
        )
    page.goto(f"{dev_server.url}/console?q=pager.")
    rows = page.locator("table.results tbody tr")
    expect(page.get_by_test_id("result-count")).to_contain_text("10 customers")
    page.goto(f"{dev_server.url}/console")
    expect(rows).to_have_count(20)
    # Most recently seen first: the customers that just opened the app lead the list.
    expect(rows.first).to_contain_text("pager.09")
    total = int(page.get_by_test_id("result-count").inner_text().split()[0])
    page.get_by_role("button", name="Next").click()
    expect(rows).to_have_count(total - 20)
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    page.get_by_role("button", name="Previous").click()
    expect(rows).to_have_count(20)
    expect(rows.first).to_contain_text("pager.09")


def test_profile_shows_the_seeded_notes_timeline_and_entitlements(
    page: Any, dev_server: ConsoleServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    open_profile(page, dev_server, "ana.silva")
    details = card(page, "Customer details")
    expect(details).to_contain_text("$RCAnonymousID:0a1b2c3d4e5f60718293a4b5c6d7e8f9")
    expect(details).to_contain_text("BR")
    # Markdown rendered from bodyHtml: **family sharing** is bold text, not asterisks.
    notes = card(page, "Notes")
    expect(notes.locator(".note-body strong")).to_have_text("family sharing")
    expect(notes).not_to_contain_text("**")
    timeline = card(page, "Customer history")
    expect(timeline.locator("li")).to_have_count(4)
    expect(timeline.locator("li").last).to_contain_text("Started a trial")
    expect(timeline).to_contain_text("Converted from a trial")
    expect(timeline.locator(".estimated").first).to_have_text("estimated")
    entitlements = card(page, "Entitlements")
    expect(entitlements.locator("[data-entitlement=pro]")).to_contain_text("Active")
    expect(entitlements.locator("[data-purchase=pro_monthly]")).to_contain_text("App store")
    # Apple purchases cannot be refunded or cancelled from here: no such buttons.
    expect(entitlements.get_by_role("button", name="Refund")).to_have_count(0)
    expect(entitlements.get_by_role("button", name="Cancel subscription")).to_have_count(0)
    expect(card(page, "App User IDs")).to_contain_text("ana.silva")
    expect(card(page, "Attributes")).to_contain_text("ana@example.com")
    expect(card(page, "Attribution")).to_contain_text("Apple Search Ads")
    expect(card(page, "Current offering")).to_contain_text("default")
    # An event opens its detail: the webhook body as sent.
    timeline.get_by_role("button", name="Started a trial").click()
    expect(timeline.locator(".payload")).to_contain_text('"type": "INITIAL_PURCHASE"')

    shot = tmp_path / "profile.png"
    timeline.get_by_role("button", name="Started a trial").click()
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG")
    if os.environ.get("UPDATE_CONSOLE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)


def test_adding_a_note_shows_it_rendered_then_edit_and_delete(page: Any, dev_server: ConsoleServer) -> None:
    from playwright.sync_api import expect

    open_profile(page, dev_server, "hana.sato")
    notes = card(page, "Notes")
    expect(notes.get_by_test_id("note-count")).to_have_text("0 of 10 notes")
    notes.get_by_role("button", name="+ Add note").click()
    body = dialog(page).locator("textarea[name=body]")
    # The 255-character limit is shown before the server would refuse.
    body.fill("x" * 256)
    expect(dialog(page).get_by_test_id("note-length")).to_contain_text("256 / 255 characters: too long")
    expect(dialog(page).get_by_role("button", name="Save note")).to_be_disabled()
    body.fill("Called about **billing**; see _ticket 42_.")
    dialog(page).get_by_role("button", name="Save note").click()
    expect(dialog(page)).to_have_count(0)
    expect(notes.locator(".note-body strong")).to_have_text("billing")
    expect(notes.locator(".note-body em")).to_have_text("ticket 42")
    expect(notes.get_by_test_id("note-count")).to_have_text("1 of 10 notes")
    expect(notes).to_contain_text("development (no key)")

    notes.get_by_role("button", name="Edit").click()
    dialog(page).locator("textarea[name=body]").fill("Solved: **refund** declined.")
    dialog(page).get_by_role("button", name="Save note").click()
    expect(notes.locator(".note-body strong")).to_have_text("refund")
    notes.get_by_role("button", name="Delete").click()
    dialog(page).get_by_role("button", name="Delete note").click()
    expect(notes.get_by_test_id("note-count")).to_have_text("0 of 10 notes")
    expect(notes.locator(".note")).to_have_count(0)


def test_the_eleventh_note_is_refused_with_the_message_shown(page: Any, dev_server: ConsoleServer) -> None:
    from playwright.sync_api import expect

    for n in range(9):
        assert dev_server.graphql(ADD_NOTE, id="ivan.petrov", body=f"note {n}")["addNote"]["userErrors"] == []
    open_profile(page, dev_server, "ivan.petrov")
    notes = card(page, "Notes")
    expect(notes.get_by_test_id("note-count")).to_have_text("9 of 10 notes")
    # Someone else writes the tenth note while this page is open: the server refuses the 11th.
    assert dev_server.graphql(ADD_NOTE, id="ivan.petrov", body="the tenth")["addNote"]["userErrors"] == []
    notes.get_by_role("button", name="+ Add note").click()
    dialog(page).locator("textarea[name=body]").fill("one too many")
    dialog(page).get_by_role("button", name="Save note").click()
    # The refusal names the customer (input.appUserId), not a field of this form: it shows
    # above the buttons, and the dialog stays open with the text kept.
    refusal = dialog(page).locator(".form-errors")
    expect(refusal).to_contain_text("A customer has at most 10 notes; delete one first.")
    expect(refusal).to_contain_text("NOTE_LIMIT_REACHED")
    expect(dialog(page).locator("textarea[name=body]")).to_have_value("one too many")
    dialog(page).get_by_role("button", name="Cancel").click()
    # Read again, the page shows the limit and offers no add button that would fail.
    page.reload()
    expect(notes.get_by_test_id("note-count")).to_contain_text("10 of 10 notes · the limit is reached")
    expect(notes.get_by_role("button", name="+ Add note")).to_be_disabled()
    expect(notes).not_to_contain_text("one too many")


def test_a_grant_appears_in_entitlements_and_timeline_and_can_be_revoked(
    page: Any, dev_server: ConsoleServer
) -> None:
    from playwright.sync_api import expect

    open_profile(page, dev_server, "kofi.mensah")
    entitlements = card(page, "Entitlements")
    expect(entitlements).to_contain_text("No entitlements.")
    entitlements.get_by_role("button", name="Grant").click()
    dialog(page).locator("select[name=entitlementIdentifier]").select_option("premium")
    dialog(page).locator("select[name=duration]").select_option("WEEKLY")
    dialog(page).locator("textarea[name=reason]").fill("Goodwill after outage")
    dialog(page).get_by_role("button", name="Grant").click()
    expect(dialog(page)).to_have_count(0)
    granted = entitlements.locator("[data-entitlement=premium]")
    expect(granted).to_contain_text("Active")
    expect(granted).to_contain_text("granted")
    expect(granted).to_contain_text("rc_promo_premium_")
    timeline = card(page, "Customer history")
    event = timeline.get_by_role("button", name="Was granted the premium Entitlement")
    expect(event).to_be_visible()
    event.click()
    expect(timeline.locator(".event-detail")).to_contain_text("Goodwill after outage")
    expect(timeline.locator(".payload")).to_contain_text("NON_RENEWING_PURCHASE")

    granted.get_by_role("button", name="Revoke grant").click()
    dialog(page).get_by_role("button", name="Revoke").click()
    expect(granted).to_contain_text("Inactive")
    expect(timeline).to_contain_text("Had their granted Entitlement removed")
    state = dev_server.graphql(CUSTOMER_PURCHASES, id="kofi.mensah")["customer"]
    assert state["entitlements"] == [{"entitlement": {"identifier": "premium"}, "isActive": False}]


def test_a_transfer_previews_with_a_dry_run_then_moves_the_purchases(
    page: Any, dev_server: ConsoleServer
) -> None:
    from playwright.sync_api import expect

    open_profile(page, dev_server, "emma.johnson")
    card(page, "Entitlements").get_by_role("button", name="Transfer").click()
    destination = dialog(page).locator("input[name=toAppUserId]")
    destination.fill("nobody.here")
    dialog(page).get_by_role("button", name="Find and preview").click()
    expect(dialog(page).locator(".field-errors")).to_contain_text("CUSTOMER_NOT_FOUND")

    destination.fill("dmitri.ivanov")
    dialog(page).get_by_role("button", name="Find and preview").click()
    preview = dialog(page).get_by_label("Transfer preview")
    expect(preview).to_contain_text("These 1 purchases would move to dmitri.ivanov")
    expect(preview).to_contain_text("web_pro_monthly")
    # The preview moved nothing.
    before = dev_server.graphql(CUSTOMER_PURCHASES, id="emma.johnson")["customer"]["purchases"]
    assert before == [{"productId": "web_pro_monthly"}]

    dialog(page).locator("textarea[name=reason]").fill("Customer changed accounts")
    dialog(page).get_by_role("button", name="Transfer entitlements").click()
    expect(page).to_have_url(f"{dev_server.url}/console/customers/dmitri.ivanov")
    expect(card(page, "Entitlements").locator("[data-purchase=web_pro_monthly]")).to_be_visible()
    expect(card(page, "Customer history")).to_contain_text("Transferred purchases")
    assert dev_server.graphql(CUSTOMER_PURCHASES, id="emma.johnson")["customer"]["purchases"] == []
    moved = dev_server.graphql(CUSTOMER_PURCHASES, id="dmitri.ivanov")["customer"]["purchases"]
    assert moved == [{"productId": "web_pro_monthly"}]


def test_timeline_pages_by_cursor_and_the_sandbox_toggle_shows_sandbox_data(
    page: Any, dev_server: ConsoleServer
) -> None:
    from playwright.sync_api import expect

    for _ in range(12):
        dev_server.graphql(
            """mutation { adjustVirtualCurrency(input: {appUserId: "lena.berg", code: "GEMS", amount: 5}) {
                 userErrors { code } } }"""
        )
    dev_server.graphql(
        """mutation { recordReceipt(input: {appUserId: "lena.berg", store: APP_STORE, environment: SANDBOX,
             transactions: [{transactionId: "sbx-1", productId: "premium_lifetime",
                             purchasedAt: "2026-01-02T00:00:00Z", price: "0.99", currency: "USD"}]}) {
             userErrors { code } } }"""
    )
    open_profile(page, dev_server, "lena.berg")
    expect(card(page, "Virtual currency").locator("[data-balance=GEMS]")).to_have_text("60")
    timeline = card(page, "Customer history")
    events = timeline.locator("ol.timeline > li")
    expect(events).to_have_count(10)
    timeline.get_by_role("button", name="Older events").click()
    expect(events).to_have_count(12)
    expect(timeline.get_by_role("button", name="Older events")).to_have_count(0)
    expect(timeline).not_to_contain_text("Made a purchase")
    expect(card(page, "Entitlements")).not_to_contain_text("premium_lifetime")

    timeline.get_by_label("Sandbox data").check()
    # The toggle reads the timeline again from the first page; the purchase is the oldest.
    expect(events).to_have_count(10)
    timeline.get_by_role("button", name="Older events").click()
    expect(events).to_have_count(13)
    expect(timeline.locator("li", has_text="Made a purchase").locator(".badge.sandbox")).to_be_visible()
    expect(card(page, "Entitlements").locator("[data-purchase=premium_lifetime]")).to_contain_text("sandbox")


def test_virtual_currency_and_attributes_show_user_errors_next_to_their_fields(
    page: Any, dev_server: ConsoleServer
) -> None:
    from playwright.sync_api import expect

    open_profile(page, dev_server, "julia.rossi")
    currency = card(page, "Virtual currency")
    currency.get_by_role("button", name="Adjust").click()
    dialog(page).locator("input[name=code]").fill("COINS")
    dialog(page).locator("input[name=amount]").fill("-5")
    dialog(page).get_by_role("button", name="Adjust balance").click()
    expect(dialog(page).locator(".field-errors")).to_contain_text("INSUFFICIENT_BALANCE")
    dialog(page).locator("input[name=amount]").fill("25")
    dialog(page).locator("textarea[name=reason]").fill("Compensation")
    dialog(page).get_by_role("button", name="Adjust balance").click()
    expect(currency.locator("[data-balance=COINS]")).to_have_text("25")
    expect(card(page, "Customer history")).to_contain_text("Granted 25 COINS")

    attributes = card(page, "Attributes")
    attributes.get_by_role("button", name="+ New").click()
    dialog(page).locator("input[name=key]").fill("$notReserved")
    expect(dialog(page)).to_contain_text("Keys starting with $ are reserved")
    expect(dialog(page).get_by_role("button", name="Save attribute")).to_be_disabled()
    dialog(page).locator("input[name=key]").fill("$email")
    dialog(page).locator("input[name=value]").fill("not an email")
    dialog(page).get_by_role("button", name="Save attribute").click()
    expect(dialog(page).locator(".field-errors[data-field=value]")).to_contain_text("INVALID_INPUT")
    dialog(page).locator("input[name=value]").fill("julia.rossi@example.org")
    dialog(page).get_by_role("button", name="Save attribute").click()
    expect(attributes).to_contain_text("julia.rossi@example.org")


def test_delete_is_confirmed_by_typing_the_app_user_id(page: Any, dev_server: ConsoleServer) -> None:
    from playwright.sync_api import expect

    open_profile(page, dev_server, "farah.khan")
    card(page, "Manage").get_by_role("button", name="Delete customer").click()
    confirm = dialog(page).get_by_role("button", name="Delete customer")
    expect(confirm).to_be_disabled()
    dialog(page).locator("input[name=confirmAppUserId]").fill("farah.kha")
    expect(confirm).to_be_disabled()
    dialog(page).locator("input[name=confirmAppUserId]").fill("farah.khan")
    dialog(page).locator("textarea[name=reason]").fill("GDPR erasure request")
    confirm.click()
    expect(page.get_by_role("status")).to_contain_text("Customer farah.khan was deleted.")
    assert dev_server.graphql(CUSTOMER_PURCHASES, id="farah.khan")["customer"] is None
    open_profile_missing = page.goto(f"{dev_server.url}/console/customers/farah.khan")
    assert open_profile_missing is not None
    expect(page.get_by_role("heading", level=1)).to_have_text("No customer found")


def test_refund_is_offered_only_where_the_store_allows_and_its_refusal_is_shown(
    page: Any, dev_server: ConsoleServer
) -> None:
    from playwright.sync_api import expect

    open_profile(page, dev_server, "ben.okafor")
    purchase = card(page, "Entitlements").locator('[data-purchase="pro_monthly_play:monthly"]')
    expect(purchase).to_contain_text("In grace period")
    # Google Play: refundable; not in a trial, so not cancellable from here.
    expect(purchase.get_by_role("button", name="Cancel subscription")).to_have_count(0)
    purchase.get_by_role("button", name="Refund").click()
    dialog(page).locator("textarea[name=reason]").fill("Charged twice")
    dialog(page).get_by_role("button", name="Refund").click()
    # The demo has no Google credentials: the store refuses, and nothing changes.
    expect(dialog(page).locator(".field-errors")).to_contain_text("STORE_NOT_CONFIGURED")
    dialog(page).get_by_role("button", name="Cancel").click()
    expect(purchase).to_contain_text("In grace period")


def test_event_detail_lists_deliveries_and_retries_one(page: Any, dev_server: ConsoleServer) -> None:
    from playwright.sync_api import expect

    created = dev_server.graphql(
        """mutation { createWebhookEndpoint(input: {url: "http://127.0.0.1:9/console-test"}) {
             webhookEndpoint { id } userErrors { code message } } }"""
    )["createWebhookEndpoint"]
    assert created["userErrors"] == [], created
    try:
        dev_server.graphql(
            """mutation { grantEntitlement(input: {appUserId: "george.li", entitlementIdentifier: "premium",
                 duration: DAILY}) { userErrors { code } } }"""
        )
        open_profile(page, dev_server, "george.li")
        timeline = card(page, "Customer history")
        timeline.get_by_role("button", name="Was granted the premium Entitlement").click()
        row = timeline.locator(".event-detail tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("http://127.0.0.1:9/console-test")
        expect(row).to_contain_text("PENDING")
        row.get_by_role("button", name="Retry").click()
        expect(row).to_contain_text("RETRYING")
    finally:
        endpoint = created["webhookEndpoint"]["id"]
        dev_server.graphql(
            "mutation($id: ID!) { deleteWebhookEndpoint(input: {webhookEndpointId: $id}) { userErrors { code } } }",
            id=endpoint,
        )


def test_offering_override_is_confirmed_and_shown(page: Any, dev_server: ConsoleServer) -> None:
    from playwright.sync_api import expect

    open_profile(page, dev_server, "chloe.martin")
    offering = card(page, "Current offering")
    expect(offering.locator("strong")).to_have_text("default")
    offering.locator("select[name=offering]").select_option("support_discount")
    expect(dialog(page)).to_contain_text("This customer will be shown support_discount.")
    dialog(page).locator("textarea[name=reason]").fill("Retention offer")
    dialog(page).get_by_role("button", name="Save override").click()
    expect(offering.locator("strong")).to_have_text("support_discount")
    expect(offering).to_contain_text("override")
    expect(offering).to_contain_text("premium_lifetime")


CREATE_KEY = """
mutation($role: ApiKeyRole!) { createApiKey(input: {name: "console test", role: $role}) { secret userErrors { code } } }
"""


@pytest.fixture(scope="module")
def production_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    require_chromium()
    with console_server(tmp_path_factory.mktemp("console-prod"), "production", seed=False) as server:
        server.graphql('mutation { recordAppOpen(input: {appUserId: "ana.silva"}) { userErrors { code } } }')
        server.graphql(ADD_NOTE, id="ana.silva", body="Seen in **production**")
        yield server


def test_production_asks_for_a_key_and_a_viewer_sees_no_action_buttons(
    page: Any, production_server: ConsoleServer
) -> None:
    from playwright.sync_api import expect

    server = production_server
    viewer = server.graphql(CREATE_KEY, role="VIEWER")["createApiKey"]["secret"]
    support = server.graphql(CREATE_KEY, role="SUPPORT")["createApiKey"]["secret"]
    page.goto(f"{server.url}/console/customers/ana.silva")
    key_field = page.get_by_label("API key")
    expect(key_field).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("ana.silva")

    key_field.fill("not-a-key")
    page.get_by_role("button", name="Open the console").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid API key.")

    page.get_by_label("API key").fill(viewer)
    page.get_by_role("button", name="Open the console").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ana.silva")
    expect(page.get_by_test_id("role")).to_contain_text("VIEWER")
    expect(page.get_by_test_id("role")).to_contain_text("no actions")
    expect(card(page, "Notes").locator(".note-body strong")).to_have_text("production")
    assert page.evaluate("Object.values(sessionStorage)") == [viewer]
    main = page.get_by_role("main")
    for name in ("+ Add note", "Edit", "Delete", "Grant", "Transfer", "Adjust", "+ New", "Delete customer"):
        expect(main.get_by_role("button", name=name, exact=True)).to_have_count(0)
    expect(card(page, "Manage")).to_have_count(0)
    expect(main.locator("select[name=offering]")).to_have_count(0)

    # The same page with a SUPPORT key offers the actions: the difference is the role.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("API key").fill(support)
    page.get_by_role("button", name="Open the console").click()
    expect(page.get_by_test_id("role")).to_contain_text("SUPPORT")
    expect(main.get_by_role("button", name="+ Add note")).to_be_enabled()
    expect(main.get_by_role("button", name="Delete customer")).to_be_visible()
