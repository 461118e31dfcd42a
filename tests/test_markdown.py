"""markdown: js-default with raw HTML off, safe link schemes, author cross-references."""

from __future__ import annotations

import pytest

from briefing import urls
from briefing.markdown import MarkdownCache, make_markdown

KNOWN = {"person": {"to-lam"}, "topic": {"maritime"}, "brief": {"2025-04-14-x"}}


def render(text: str, page: str = "/briefs/a/") -> tuple[str, tuple[tuple[int, str], ...]]:
    cache = MarkdownCache(lambda kind, ident: urls.url_for(kind, ident) if ident in KNOWN[kind] else None,
                          urls.relative)
    result = cache.render(text, page)
    return result.html, result.unresolved


def test_raw_html_is_off() -> None:
    # bad-inputs row 29: md.options['html'] is False
    assert make_markdown().options["html"] is False


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "<iframe src=x></iframe>",
    "<style>p{}</style>", '<a href="javascript:alert(1)">x</a>',
])
def test_raw_html_comes_out_as_text(text: str) -> None:
    # bad-inputs row 29: raw HTML in article text is escaped
    html, _ = render(text)
    assert "<" + text[1:4] not in html and "&lt;" in html


@pytest.mark.parametrize("link", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "&#106;avascript:alert(1)", "java\tscript:x",
    "vbscript:x", "file:///etc/passwd", "data:text/html,x", "data:image/png;base64,AA",
])
def test_dangerous_schemes_are_not_links(link: str) -> None:
    # bad-inputs row 30: javascript:, vbscript:, file:, data: (images too) are not links
    html, _ = render(f"[x]({link}) <{link}>")
    assert "<a" not in html


@pytest.mark.parametrize("link", ["https://example.org/x", "mailto:desk@example.org", "../other/", "#frag"])
def test_safe_links_stay_links(link: str) -> None:
    # bad-inputs row 30: http, https, mailto and relative links pass
    html, _ = render(f"[x]({link})")
    assert f'href="{link}"' in html


def test_cross_references_become_relative_links() -> None:
    html, unresolved = render("[Lam](person:to-lam), [sea](topic:maritime), [b](brief:2025-04-14-x#related)")
    assert 'href="../../people/to-lam/"' in html
    assert 'href="../../topics/maritime/"' in html
    assert 'href="../2025-04-14-x/#related"' in html
    assert unresolved == ()


def test_unknown_cross_reference_is_recorded_with_its_line() -> None:
    html, unresolved = render("one\n\ntwo [x](person:xi)\n")
    assert unresolved == ((3, "person:xi"),)
    assert 'href="person:xi"' not in html


def test_entities_are_not_double_escaped() -> None:
    """bad-inputs row 32: entities round-trip once, '<' never reaches the HTML raw; typographer off (deterministic)."""
    html, _ = render("AT&amp;T, x < y, 5 > 3, a&nbsp;b, \"straight\" 'quotes'")
    assert "AT&amp;T" in html and "&amp;amp;" not in html and "x &lt; y" in html
    assert "a\u00a0b" in html and "&amp;nbsp;" not in html
    assert "&quot;straight&quot; 'quotes'" in html and "\u201c" not in html
    assert make_markdown().options["typographer"] is False


@pytest.mark.parametrize("text", ["a\r\nb\rc\n\nd", "x\0y *z*", "plain *em*\n\n- list\n- two", "\r\r\n\0\0", "",
                                  "line\r\n\r\n```\r\ncode\0\r\n```\r\n"])
def test_line_endings_and_nul_are_normalised_as_markdown_it_does(text: str) -> None:
    from markdown_it import MarkdownIt

    env = {"resolve": lambda kind, ident: None, "from_url": "/", "relative": urls.relative, "unresolved": []}
    assert make_markdown().render(text, env) == MarkdownIt("js-default", {"typographer": False}).render(text)
