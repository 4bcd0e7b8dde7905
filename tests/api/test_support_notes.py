"""Notes (DESIGN 4.4): addNote, updateNote, deleteNote.

Rules checked: 1 to 255 characters after trimming, counted as characters (code points of
the NFC text) and not bytes (NOTE_BLANK, NOTE_TOO_LONG); at most 10 notes per customer
(NOTE_LIMIT_REACHED), also under 20 concurrent requests; bodyHtml is rendered Markdown
with every script, event handler and unsafe URL removed; the author is the acting key's
name; edit and delete by note id, never another project's note (NOTE_NOT_FOUND).
"""

import asyncio
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlmodel import col, select, update

from app.db.models import Note
from app.domain.enums import ApiKeyRole
from app.domain.notes import render_note_html
from app.graphql.ids import encode_id
from tests.api.test_support_common import NOTE_FIELDS, add_note, codes, customer, mutate, open_app
from tests.conftest import ApiClient, Clock, new_api_client

BODY = ["input", "body"]


async def update_note(api: ApiClient, note_id: str, body: str) -> dict:
    return await mutate(api, "updateNote", {"noteId": note_id, "body": body}, f"note {{ {NOTE_FIELDS} }}")


async def delete_note(api: ApiClient, note_id: str) -> dict:
    return await mutate(api, "deleteNote", {"noteId": note_id}, "deletedNoteId")


async def notes_of(api: ApiClient, app_user_id: str) -> list[dict]:
    data = await api.gql(
        f"query($id: String!) {{ customer(appUserId: $id) {{ notes {{ {NOTE_FIELDS} }} }} }}",
        {"id": app_user_id},
    )
    return data["customer"]["notes"]  # type: ignore[no-any-return]


# -- length and blank ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "a" * 255,
        "😀" * 255,  # 255 characters, 1020 bytes in UTF-8
        "e\u0301" * 255,  # 510 code points typed, 255 characters once composed (NFC)
        "  " + "b" * 255 + "\n\t ",  # surrounding whitespace does not count
    ],
    ids=["ascii", "emoji", "combining-marks", "trimmed"],
)
async def test_a_note_of_255_characters_is_accepted(api: ApiClient, body: str) -> None:
    await open_app(api, "writer")
    result = await add_note(api, "writer", body)
    assert result["userErrors"] == []
    stored = result["note"]["body"]
    assert len(stored) == 255
    assert stored == body.strip().replace("e\u0301", "\u00e9")
    assert [n["body"] for n in await notes_of(api, "writer")] == [stored]


@pytest.mark.parametrize(
    "body", ["a" * 256, "😀" * 256, "e\u0301" * 256], ids=["ascii", "emoji", "combining-marks"]
)
async def test_a_note_of_256_characters_is_too_long(api: ApiClient, body: str) -> None:
    await open_app(api, "writer")
    result = await add_note(api, "writer", body)
    assert codes(result) == [("NOTE_TOO_LONG", BODY)]
    assert result["note"] is None
    assert await notes_of(api, "writer") == []


@pytest.mark.parametrize("body", ["", " ", "   \n\t  ", "\r\n"])
async def test_a_blank_note_is_refused(api: ApiClient, body: str) -> None:
    await open_app(api, "writer")
    result = await add_note(api, "writer", body)
    assert codes(result) == [("NOTE_BLANK", BODY)]
    assert await notes_of(api, "writer") == []


async def test_add_note_to_an_unknown_customer(api: ApiClient) -> None:
    result = await add_note(api, "nobody-here", "hello")
    assert codes(result) == [("CUSTOMER_NOT_FOUND", ["input", "appUserId"])]


# -- limit ----------------------------------------------------------------------------------


async def test_at_most_ten_notes_per_customer(api: ApiClient) -> None:
    await open_app(api, "chatty")
    ids = []
    for index in range(10):
        result = await add_note(api, "chatty", f"note {index}")
        assert result["userErrors"] == [], index
        ids.append(result["note"]["id"])
    refused = await add_note(api, "chatty", "the eleventh")
    assert codes(refused) == [("NOTE_LIMIT_REACHED", ["input", "appUserId"])]
    assert refused["note"] is None
    assert len(await notes_of(api, "chatty")) == 10

    # Deleting one makes room for exactly one more.
    assert (await delete_note(api, ids[0]))["userErrors"] == []
    assert (await add_note(api, "chatty", "the new tenth"))["userErrors"] == []
    assert codes(await add_note(api, "chatty", "again too many")) == [
        ("NOTE_LIMIT_REACHED", ["input", "appUserId"])
    ]


async def test_twenty_concurrent_notes_leave_exactly_ten(api: ApiClient) -> None:
    await open_app(api, "stampede")
    results = await asyncio.gather(*(add_note(api, "stampede", f"concurrent {i}") for i in range(20)))
    accepted = [r for r in results if r["userErrors"] == []]
    refused = [r for r in results if r["userErrors"]]
    assert len(accepted) == 10
    assert len(refused) == 10
    assert all(codes(r) == [("NOTE_LIMIT_REACHED", ["input", "appUserId"])] for r in refused)
    stored = await notes_of(api, "stampede")
    assert len(stored) == 10
    assert sorted(n["id"] for n in stored) == sorted(r["note"]["id"] for r in accepted)


# -- rendering ------------------------------------------------------------------------------


class Markup(HTMLParser):
    """Every tag and attribute of an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    handle_startendtag = handle_starttag


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)" onclick="x()">y</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
    "hello <script>alert(1)</script> **world** <img src=x onerror=alert(1)>",
    "[click](JaVaScRiPt:alert(1)) and <a href='  javascript:alert(1)'>z</a>",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
async def test_body_html_carries_no_script_handler_or_unsafe_url(api: ApiClient, payload: str) -> None:
    await open_app(api, "target")
    result = await add_note(api, "target", payload)
    assert result["userErrors"] == []
    html = result["note"]["bodyHtml"]
    assert result["note"]["body"] == payload  # the Markdown source is kept as written
    assert [n["bodyHtml"] for n in await notes_of(api, "target")] == [html]

    markup = Markup(html)
    assert not {"script", "iframe", "svg", "img", "object", "embed"} & set(markup.tags), html
    for tag, name, value in markup.attributes:
        assert not name.startswith("on"), (tag, name)
        if name in {"href", "src"}:
            assert "javascript:" not in value.strip().lower(), value
    lowered = html.lower()
    for needle in ("<script", "<iframe", "<svg", "onerror", "onload", "onclick"):
        assert needle not in lowered, (needle, html)
    assert 'href="javascript:' not in lowered


async def test_markdown_renders_to_html(api: ApiClient) -> None:
    await open_app(api, "reader")
    result = await add_note(api, "reader", "**bold** and *soft* [docs](https://example.com/a)")
    html = result["note"]["bodyHtml"]
    assert "<strong>bold</strong>" in html
    assert "<em>soft</em>" in html
    markup = Markup(html)
    links = dict((name, value) for tag, name, value in markup.attributes if tag == "a")
    assert links["href"] == "https://example.com/a"
    assert set(links["rel"].split()) == {"noopener", "noreferrer", "nofollow"}


# -- author, edit, delete -------------------------------------------------------------------


async def test_author_is_the_name_of_the_acting_key(api: ApiClient) -> None:
    await open_app(api, "authored")
    support = await api.key(ApiKeyRole.SUPPORT)
    by_support = await add_note(api, "authored", "from support", key=support)
    by_admin = await add_note(api, "authored", "from admin")
    assert by_support["note"]["author"] == "support key"
    assert by_admin["note"]["author"] == "admin"
    assert [(n["body"], n["author"]) for n in await notes_of(api, "authored")] == [
        ("from support", "support key"),
        ("from admin", "admin"),
    ]


async def test_update_note_changes_body_and_updated_at(api: ApiClient, clock: Clock) -> None:
    written = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    clock.set(written)
    await open_app(api, "editable")
    note = (await add_note(api, "editable", "first *draft*"))["note"]
    assert note["createdAt"] == note["updatedAt"] == "2026-03-01T09:00:00Z"

    clock.set(written + timedelta(hours=2))
    result = await update_note(api, note["id"], "  final **text**  ")
    assert result["userErrors"] == []
    updated = result["note"]
    assert updated["id"] == note["id"]
    assert updated["body"] == "final **text**"
    assert "<strong>text</strong>" in updated["bodyHtml"]
    assert updated["createdAt"] == "2026-03-01T09:00:00Z"
    assert updated["updatedAt"] == "2026-03-01T11:00:00Z"
    assert [(n["body"], n["updatedAt"]) for n in await notes_of(api, "editable")] == [
        ("final **text**", "2026-03-01T11:00:00Z")
    ]


async def test_update_note_applies_the_same_body_rules(api: ApiClient) -> None:
    await open_app(api, "editable")
    note = (await add_note(api, "editable", "keep me"))["note"]
    assert codes(await update_note(api, note["id"], "   ")) == [("NOTE_BLANK", BODY)]
    assert codes(await update_note(api, note["id"], "x" * 256)) == [("NOTE_TOO_LONG", BODY)]
    assert [n["body"] for n in await notes_of(api, "editable")] == ["keep me"]


async def test_delete_note_removes_it(api: ApiClient) -> None:
    await open_app(api, "tidy")
    keep = (await add_note(api, "tidy", "keep"))["note"]
    drop = (await add_note(api, "tidy", "drop"))["note"]
    result = await delete_note(api, drop["id"])
    assert result == {"deletedNoteId": drop["id"], "userErrors": []}
    assert [n["id"] for n in await notes_of(api, "tidy")] == [keep["id"]]
    assert codes(await delete_note(api, drop["id"])) == [("NOTE_NOT_FOUND", ["input", "noteId"])]


@pytest.mark.parametrize(
    "bogus",
    ["bogus", "", encode_id("Note", 2_000_000_000), encode_id("Customer", 1)],
    ids=["garbage", "empty", "unknown-pk", "other-type"],
)
async def test_update_and_delete_of_an_unknown_note(api: ApiClient, bogus: str) -> None:
    await open_app(api, "someone")
    await add_note(api, "someone", "untouched")
    assert codes(await update_note(api, bogus, "x")) == [("NOTE_NOT_FOUND", ["input", "noteId"])]
    assert codes(await delete_note(api, bogus)) == [("NOTE_NOT_FOUND", ["input", "noteId"])]
    assert [n["body"] for n in await notes_of(api, "someone")] == ["untouched"]


async def test_another_projects_note_cannot_be_edited_or_deleted(api: ApiClient) -> None:
    other = await new_api_client(api.db, api.http._transport.app, "other project")  # type: ignore[attr-defined]
    try:
        await open_app(other, "theirs")
        foreign = (await add_note(other, "theirs", "their secret"))["note"]
        assert codes(await update_note(api, foreign["id"], "hijacked")) == [
            ("NOTE_NOT_FOUND", ["input", "noteId"])
        ]
        assert codes(await delete_note(api, foreign["id"])) == [("NOTE_NOT_FOUND", ["input", "noteId"])]
        assert [n["body"] for n in await notes_of(other, "theirs")] == ["their secret"]
        # The other project's own key can of course edit it.
        assert (await update_note(other, foreign["id"], "edited"))["userErrors"] == []
        state = await customer(other, "theirs")
        assert state is not None and [n["body"] for n in state["notes"]] == ["edited"]
    finally:
        await other.http.aclose()


async def test_two_mutations_in_one_request_each_see_what_came_before(api: ApiClient) -> None:
    await api.gql('mutation { recordAppOpen(input: {appUserId: "twice"}) { userErrors { code } } }')
    data = await api.gql(
        """mutation {
          a: addNote(input: {appUserId: "twice", body: "one"}) { customer { notes { body } } }
          b: addNote(input: {appUserId: "twice", body: "two"}) { customer { notes { body } } }
        }"""
    )
    assert [n["body"] for n in data["a"]["customer"]["notes"]] == ["one"]
    assert [n["body"] for n in data["b"]["customer"]["notes"]] == ["one", "two"]


async def test_note_html_is_rendered_when_written_and_read_as_stored(api: ApiClient) -> None:
    """bodyHtml is rendered once, by addNote / updateNote, and stored: reads show the
    stored HTML and render nothing (issue 14: a page shows hundreds of notes)."""
    await open_app(api, "stored")
    note = (await add_note(api, "stored", "a **bold** start"))["note"]
    (note_id,) = await _stored_note_ids(api)
    assert await _stored_html(api, note_id) == render_note_html("a **bold** start") == note["bodyHtml"]

    await update_note(api, note["id"], "now *soft*")
    assert await _stored_html(api, note_id) == render_note_html("now *soft*")

    # A read shows the column, not a fresh rendering of the body.
    async with api.db.transaction() as session:
        await session.exec(update(Note).where(col(Note.id) == note_id).values(body_html="<p>as stored</p>"))
    assert [n["bodyHtml"] for n in await notes_of(api, "stored")] == ["<p>as stored</p>"]


async def _stored_note_ids(api: ApiClient) -> list[int]:
    async with api.db.read() as session:
        return list((await session.exec(select(Note.id).where(Note.project_id == api.project_id))).all())


async def _stored_html(api: ApiClient, note_id: int) -> str:
    async with api.db.read() as session:
        return (await session.exec(select(Note.body_html).where(Note.id == note_id))).one()
