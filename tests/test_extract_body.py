"""Body rule: scraped text becomes Markdown that renders literally; captions are italic."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from briefing.extract.body import escape_markdown, to_markdown
from briefing.model import Paragraph

LITERAL = [
    "# not a heading",
    "## not a heading either",
    "> not a quote",
    "- not a list",
    "+ not a list",
    "* not a list",
    "1. not a list",
    "12) not a list",
    "***",
    "---",
    "___",
    "* * *",
    "Inline *stars*, **bold**, _under_ and __double__",
    "A [link](http://example.org) and ![img](x.png)",
    "Some `code` and a back\\slash and ~~strike~~",
    "<script>alert(1)</script> and <b>bold</b>",
    "AT&amp;T and &#106; and a plain & sign",
    "Price: $5 | 10% off {braces} \"quotes\" 'single'",
]


def rendered_text(markdown: str) -> str:
    out = MarkdownIt("js-default").render(markdown)
    return html.unescape(re.sub(r"</?p>", "", out)).strip()


@pytest.mark.parametrize("text", LITERAL)
def test_renders_literally(text: str) -> None:
    out = MarkdownIt("js-default").render(escape_markdown(text))
    assert re.fullmatch(r"<p>.*</p>\n", out, re.DOTALL), out
    assert rendered_text(escape_markdown(text)) == text


def test_captions_are_italic_paragraphs() -> None:
    body = to_markdown((Paragraph("First text."), Paragraph("Leaders *meet* in Hanoi.", "caption")))
    assert body == "First text.\n\n*Leaders \\*meet\\* in Hanoi.*"
    assert MarkdownIt("js-default").render(body) == (
        "<p>First text.</p>\n<p><em>Leaders *meet* in Hanoi.</em></p>\n"
    )


def test_plain_text_is_untouched() -> None:
    assert escape_markdown("Xi Jinping met To Lam on April 14, 2025.") == "Xi Jinping met To Lam on April 14, 2025."
