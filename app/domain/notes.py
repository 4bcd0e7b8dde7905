"""Customer notes: what a note body may be, and how it is shown as HTML.

Notes are written by support staff and read in dashboards, so the rendered HTML is the
service's one place where user text becomes markup: it must never carry a script, an
event handler or an unsafe URL (DESIGN 4.4).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.domain.errors import DomainError, ErrorCode

MAX_NOTE_LENGTH = 255
MAX_NOTES_PER_CUSTOMER = 10
BODY_FIELD = ("input", "body")

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "del",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: Mapping[str, frozenset[str]] = MappingProxyType({"a": frozenset({"href", "title"})})
ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"


def normalize_note_body(body: str) -> str:
    """The body as stored, or a refusal.

    The text is put in Unicode NFC (so an accented letter typed as letter + combining
    accent is one character, as the user sees it), line endings become `\\n` (a Windows
    client must not pay two characters per line break), and surrounding whitespace is
    trimmed. The limit of 255 counts the code points of that text (Python `len`): an
    emoji that is one code point counts 1, a composed one (flag, skin tone, ZWJ family)
    counts each of its code points. Code points are what the database column measures,
    so the check and the storage can never disagree. NUL is refused because PostgreSQL
    cannot store it.
    """
    if "\x00" in body:
        raise DomainError(ErrorCode.INVALID_INPUT, "Note must not contain NUL.", BODY_FIELD)
    text = unicodedata.normalize("NFC", body).replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    if not text:
        raise DomainError(ErrorCode.NOTE_BLANK, "Note must not be blank.", BODY_FIELD)
    if len(text) > MAX_NOTE_LENGTH:
        raise DomainError(
            ErrorCode.NOTE_TOO_LONG,
            f"Note must be at most {MAX_NOTE_LENGTH} characters (got {len(text)}).",
            BODY_FIELD,
        )
    return text


def render_note_html(body: str) -> str:
    """Markdown to HTML that is safe to insert into a dashboard page.

    Two layers. markdown-it (CommonMark, plus ~~strikethrough~~) turns the Markdown into
    HTML; raw HTML in the note is not allowed through: it is recognised only so that its
    tags can be dropped, since escaping it would leave e.g. `<img onerror=...>` visible
    as text. Then nh3 keeps only the allow-listed tags and attributes and the http,
    https and mailto URL schemes, and marks every link `rel="noopener noreferrer
    nofollow"`. URL checks are left entirely to nh3 (markdown-it's own check is turned
    off): a refused link then renders as its text without an `href`, instead of showing
    the raw `javascript:` source.
    """
    return _SANITIZER.clean(_MARKDOWN.render(body))


def _build_markdown() -> MarkdownIt:
    markdown = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    markdown.enable("strikethrough")
    markdown.validateLink = lambda url: True  # type: ignore[method-assign]
    markdown.add_render_rule("html_block", _drop_raw_html_tags)
    markdown.add_render_rule("html_inline", _drop_raw_html_tags)
    markdown.add_render_rule("s_open", lambda *_: "<del>")
    markdown.add_render_rule("s_close", lambda *_: "</del>")
    return markdown


def _drop_raw_html_tags(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    # Keeps the text between tags; <script> and <style> go with their content.
    return _TEXT_ONLY.clean(tokens[idx].content)


_TEXT_ONLY = nh3.Cleaner(tags=set(), attributes={})
_SANITIZER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel=LINK_REL,
)
_MARKDOWN = _build_markdown()
