"""Plain bodies without markdown-it: paragraphs of text, ATX headings and `[text](target)` links.

Most brief bodies are scraped prose: paragraphs of plain text, now and then a heading or a
cross-reference link. markdown-it spends about 300 µs on a 6 KB body of that kind, in its
general machinery; this reader renders such a body in about 30 µs, byte for byte as markdown-it's
js-default preset would.

It declines (returns None) everything else, and markdown-it renders it: any character with a
Markdown meaning (`\\ ` * _ ~ < > & |`, `![`), control characters and tabs, a line that starts
with anything but a letter, a digit that does not open a list, a quote, `(` or a link, a line
that starts or ends with white space, brackets that are not a plain inline link, and a link the
caller does not accept. `tests/test_mdfast.py` compares the two readers on data files, the
shipped briefs and randomly mutated bodies.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# (target, line within the body) -> href to write, or None to let markdown-it render the body
Link = Callable[[str, int], str | None]

# bytes with a Markdown meaning, and control characters but LF; multi-byte ones are looked for
# in the text (deleting bytes with `bytes.translate` is two times faster than a regex search)
_REFUSED_BYTES = bytes(range(0x0A)) + bytes(range(0x0B, 0x20)) + b"\\`*_~<>&|"
_REFUSED_TEXT = ("![", "\x85", "\u2028", "\u2029")
_HEADING = re.compile(r"(#{1,6}) ([^\s#][^#]*)\Z")
_LIST_NUMBER = re.compile(r"[0-9]+[.)]")
_LINK = re.compile(r"\[([^\[\]\n]+)\]\(([A-Za-z0-9:/._#?=%+@,;$!-]+)\)")
_LINE_START = frozenset("\"'([\u201c\u2018")


def _escape(text: str) -> str:
    # markdown-it's escapeHtml; the other three characters it replaces never get this far
    return text.replace('"', "&quot;")


def _inline(text: str, line: int, link: Link) -> str | None:
    """HTML of a paragraph's or heading's text, or None when it holds more than links."""
    if "[" not in text and "]" not in text:
        return _escape(text)
    parts: list[str] = []
    pos = 0
    for found in _LINK.finditer(text):
        between = text[pos:found.start()]
        if "[" in between or "]" in between:
            return None
        href = link(found.group(2), line)
        if href is None:
            return None
        parts.append(_escape(between))
        parts.append(f'<a href="{_escape(href)}">{_escape(found.group(1))}</a>')
        pos = found.end()
    tail = text[pos:]
    if "[" in tail or "]" in tail:
        return None
    parts.append(_escape(tail))
    return "".join(parts)


def _starts_block(line: str) -> bool:
    """True when the line may begin a construct other than a paragraph (or is not sure)."""
    first = line[0]
    if first.isalpha() or first in _LINE_START:
        return False
    if "0" <= first <= "9":
        return _LIST_NUMBER.match(line) is not None
    return True


def _refused(text: str) -> bool:
    """True when the text holds a character this reader leaves to markdown-it."""
    try:
        data = text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return True
    if len(data.translate(None, _REFUSED_BYTES)) != len(data):
        return True
    return any(needle in text for needle in _REFUSED_TEXT)


def render(text: str, link: Link) -> str | None:
    """markdown-it's HTML for a plain body, or None when the body needs markdown-it."""
    if _refused(text):
        return None
    blocks = _blocks(text)
    if blocks is None:
        return None
    out: list[str] = []
    for tag, content, line in blocks:
        html = _inline(content, line, link)
        if html is None:
            return None
        out.append(f"<{tag}>{html}</{tag}>\n")
    return "".join(out)


def _blocks(text: str) -> list[tuple[str, str, int]] | None:
    """(tag, text, first line) of each paragraph and heading; None when a line may begin anything else."""
    blocks: list[tuple[str, str, int]] = []
    para: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), 1):
        if not line or line[0] == "#":  # a blank line or a heading ends a paragraph
            if para:
                blocks.append(("p", "\n".join(para), start))
                para = []
            if not line:
                continue
            heading = _HEADING.match(line)
            if heading is None or line[-1].isspace():
                return None
            blocks.append((f"h{len(heading.group(1))}", heading.group(2), number))
            continue
        if line[0].isspace() or line[-1].isspace() or _starts_block(line):
            return None
        if not para:
            start = number
        para.append(line)
    if para:
        blocks.append(("p", "\n".join(para), start))
    return blocks
