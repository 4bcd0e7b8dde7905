import unicodedata
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from app.domain.errors import DomainError, ErrorCode
from app.domain.notes import (
    ALLOWED_TAGS,
    MAX_NOTE_LENGTH,
    MAX_NOTES_PER_CUSTOMER,
    normalize_note_body,
    render_note_html,
)

LINK_REL = 'rel="noopener noreferrer nofollow"'


def test_limits() -> None:
    assert MAX_NOTE_LENGTH == 255
    assert MAX_NOTES_PER_CUSTOMER == 10


class TestNormalizeNoteBody:
    def test_trims(self) -> None:
        assert normalize_note_body("  hello **world**\n\n") == "hello **world**"

    def test_keeps_inner_line_breaks_and_normalizes_crlf(self) -> None:
        assert normalize_note_body("a\r\nb\rc\n") == "a\nb\nc"

    @pytest.mark.parametrize("body", ["", " ", "\n\t \r\n", "\u3000"])
    def test_blank(self, body: str) -> None:
        self._assert_refused(body, ErrorCode.NOTE_BLANK)

    def test_255_characters_fit(self) -> None:
        assert normalize_note_body("x" * 255) == "x" * 255

    def test_256_characters_are_too_long(self) -> None:
        self._assert_refused("x" * 256, ErrorCode.NOTE_TOO_LONG)

    def test_length_is_counted_after_trimming(self) -> None:
        assert normalize_note_body("  " + "x" * 255 + "  ") == "x" * 255

    def test_single_code_point_emoji_count_one_each(self) -> None:
        body = "\U0001f600" * 255
        assert normalize_note_body(body) == body
        self._assert_refused("\U0001f600" * 256, ErrorCode.NOTE_TOO_LONG)

    def test_composed_emoji_count_each_code_point(self) -> None:
        family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 5 code points
        assert normalize_note_body(family * 51) == family * 51
        self._assert_refused(family * 51 + "x", ErrorCode.NOTE_TOO_LONG)

    def test_counts_after_nfc(self) -> None:
        decomposed = "e\u0301" * 255  # 510 code points, 255 once composed
        result = normalize_note_body(decomposed)
        assert result == "\u00e9" * 255
        assert unicodedata.is_normalized("NFC", result)

    @pytest.mark.parametrize("body", ["\x00", "a\x00b", " \x00 "])
    def test_nul_is_invalid_input(self, body: str) -> None:
        self._assert_refused(body, ErrorCode.INVALID_INPUT)

    @staticmethod
    def _assert_refused(body: str, code: ErrorCode) -> None:
        with pytest.raises(DomainError) as caught:
            normalize_note_body(body)
        assert caught.value.code == code
        assert caught.value.field == ("input", "body")


class _Markup(HTMLParser):
    """Collects every tag and attribute of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)


def assert_safe_markup(html: str) -> None:
    markup = _Markup()
    markup.feed(html)
    markup.close()
    assert set(markup.tags) <= ALLOWED_TAGS, html
    for tag, name, value in markup.attributes:
        assert (tag, name) in {("a", "href"), ("a", "title"), ("a", "rel")}, html
        if name == "href":
            assert value is not None
            assert urlsplit(value).scheme in {"", "http", "https", "mailto"}, html


FORBIDDEN = ("script", "javascript:", "onerror", "onload", "onclick", "<iframe", "<svg", "<style")

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "before <script>alert(document.cookie)</script> after",
    "[click](javascript:alert(1))",
    "[click](jAvAsCrIpT:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;vascript:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](<javascript:alert(1)>)",
    '[click](javascript:alert(1) "title")',
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="jAvAsCrIpT:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="#" onclick="alert(1)">click</a>',
    "<b onclick=alert(1)>bold?</b>",
    "<img src=x onerror=alert(1)>",
    "text <img src=x onerror=alert(1)> text",
    '<img src="javascript:alert(1)">',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "![pic](javascript:alert(1))",
    '![pic](x "t") <img src=1 onerror=alert(1)>',
    "<style>body{display:none}</style>",
    "<style>@import 'https://evil.example/x.css';</style>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![data](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "[vb](vbscript:msgbox(1))",
    "x <!-- <script>alert(1)</script> --> y",
    "<div onmouseover=alert(1)>\nhover\n</div>",
    "<details open ontoggle=alert(1)>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "*<script>alert(1)</script>*",
    "> <script>alert(1)</script>",
    "- <img src=x onerror=alert(1)>",
]

# Payloads whose refused text legitimately stays visible as escaped text (no markup).
TEXT_ONLY_PAYLOADS = [
    "<javascript:alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "`<script>alert(1)</script>`",
    "```\n<img src=x onerror=alert(1)>\n```",
    "[x](java\tscript:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "Do not click javascript: links",
]


class TestRenderNoteHtmlSafety:
    @pytest.mark.parametrize("payload", XSS_PAYLOADS)
    def test_payload_leaves_nothing_dangerous(self, payload: str) -> None:
        html = render_note_html(payload)
        lowered = html.lower()
        for needle in FORBIDDEN:
            assert needle not in lowered, (payload, html)
        assert "data:" not in lowered, (payload, html)
        assert_safe_markup(html)

    @pytest.mark.parametrize("payload", XSS_PAYLOADS + TEXT_ONLY_PAYLOADS)
    def test_markup_is_always_allow_listed(self, payload: str) -> None:
        assert_safe_markup(render_note_html(payload))

    def test_code_shows_html_as_text(self) -> None:
        assert render_note_html("`<script>`") == "<p><code>&lt;script&gt;</code></p>\n"

    def test_refused_link_keeps_its_text(self) -> None:
        assert render_note_html("[click](javascript:alert(1))") == (f"<p><a {LINK_REL}>click</a></p>\n")

    def test_raw_html_tags_are_dropped_but_text_kept(self) -> None:
        assert render_note_html('<a href="#" onclick="alert(1)">click</a>') == "<p>click</p>\n"

    def test_script_content_is_dropped(self) -> None:
        assert render_note_html("a <script>alert(1)</script> b") == "<p>a alert(1) b</p>\n"
        assert render_note_html("<script>\nalert(1)\n</script>") == ""


class TestRenderNoteHtmlMarkdown:
    def test_bold_and_emphasis(self) -> None:
        assert render_note_html("**bold** and *em*") == ("<p><strong>bold</strong> and <em>em</em></p>\n")

    def test_links_get_rel(self) -> None:
        assert render_note_html('[docs](https://example.com/a?b=1 "Docs")') == (
            f'<p><a href="https://example.com/a?b=1" title="Docs" {LINK_REL}>docs</a></p>\n'
        )

    def test_mailto_and_relative_links(self) -> None:
        html = render_note_html("[mail](mailto:a@example.com) [here](/customers/1)")
        assert f'<a href="mailto:a@example.com" {LINK_REL}>mail</a>' in html
        assert f'<a href="/customers/1" {LINK_REL}>here</a>' in html

    def test_autolink(self) -> None:
        assert render_note_html("<https://example.com>") == (
            f'<p><a href="https://example.com" {LINK_REL}>https://example.com</a></p>\n'
        )

    def test_bare_urls_are_not_linkified(self) -> None:
        assert render_note_html("see https://example.com") == "<p>see https://example.com</p>\n"

    def test_lists(self) -> None:
        assert render_note_html("- one\n- two") == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        assert render_note_html("1. one\n2. two") == "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n"

    def test_blocks(self) -> None:
        assert render_note_html("# Title") == "<h1>Title</h1>\n"
        assert render_note_html("> quoted") == "<blockquote>\n<p>quoted</p>\n</blockquote>\n"
        assert render_note_html("```\nx = 1\n```") == "<pre><code>x = 1\n</code></pre>\n"
        assert render_note_html("a\n\n---\n\nb") == "<p>a</p>\n<hr>\n<p>b</p>\n"

    def test_code_span_line_break_and_strikethrough(self) -> None:
        assert render_note_html("`code`") == "<p><code>code</code></p>\n"
        assert render_note_html("a  \nb") == "<p>a<br>\nb</p>\n"
        assert render_note_html("~~gone~~") == "<p><del>gone</del></p>\n"

    def test_images_are_dropped(self) -> None:
        assert render_note_html("![pic](https://example.com/a.png)") == "<p></p>\n"

    def test_text_is_escaped(self) -> None:
        assert render_note_html("1 < 2 & 3 > 2") == "<p>1 &lt; 2 &amp; 3 &gt; 2</p>\n"
