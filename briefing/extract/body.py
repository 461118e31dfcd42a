"""Body rule: paragraphs -> Markdown that renders the scraped text literally."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import Paragraph

_INLINE = re.compile(r"([\\`*_\[\]~<])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_BLOCK = re.compile(
    r"^(?:(#|>|[-+*=](?=\s|$)|[-*_](?=(?:\s*[-*_]){2,}\s*$))|(\d{1,9})([.)])(?=\s|$))"
)


def escape_markdown(text: str) -> str:
    """Escape Markdown-active characters so `text` renders as itself."""
    text = _ENTITY.sub(r"\\&", _INLINE.sub(r"\\\1", text))
    match = _BLOCK.match(text)
    if match is None:
        return text
    if match.group(1):
        return "\\" + text
    return f"{match.group(2)}\\{text[len(match.group(2)):]}"


def to_markdown(paragraphs: Sequence[Paragraph]) -> str:
    """Text paragraphs as paragraphs, captions as italic paragraphs, headings as `##`."""
    blocks: list[str] = []
    for paragraph in paragraphs:
        text = escape_markdown(" ".join(paragraph.text.split()))
        if not text:
            continue
        if paragraph.kind == "caption":
            blocks.append(f"*{text}*")
        elif paragraph.kind == "heading":
            blocks.append(f"## {text}")
        else:
            blocks.append(text)
    return "\n\n".join(blocks)
