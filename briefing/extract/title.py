"""Title rule: the headline, else one generated from the lede's first sentence."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import Article, Registry
from ..text import clip
from .dates import find_dates
from .people import find_mentions
from .summary import split_sentences

MAX_WORDS = 16
MAX_SCAN = 120  # words of the lede sentence considered
MAX_CHARS = 200  # a sentence without spaces (Chinese, Japanese, Thai) is cut between graphemes
OPENERS = frozenset(
    "on in at as when while after before during following amid amidst upon earlier later "
    "meanwhile yesterday today tonight last this recently since despite according".split()
)
CONNECTORS = frozenset({"of", "the", "and", "for", "&"})
TRAILING = frozenset({"of", "the", "and", "for", "to", "a", "an", "in", "on", "at", "with", "by"})
_TOKEN = re.compile(r"\S+")


def make_title(
    article: Article, registry: Registry, titles: Sequence[str]
) -> tuple[str, tuple[str, ...]]:
    """The article's headline, or a generated title plus the `title-generated` review item."""
    if article.title and article.title.strip():
        return article.title.strip(), ()
    lede = next((p.text for p in article.paragraphs if p.kind == "text"), "")
    if not lede and article.paragraphs:
        lede = article.paragraphs[0].text
    sentences = split_sentences(lede)
    return generate_title(sentences[0] if sentences else "", registry, titles), ("title-generated",)


def generate_title(sentence: str, registry: Registry, titles: Sequence[str]) -> str:
    """Headline from a sentence: no leading clauses, no titles before names, <= 16 words."""
    text = _drop_clauses(" ".join(sentence.split()[:MAX_SCAN]))
    text = _drop_titles(text, registry, titles)
    words = text.split()[:MAX_WORDS]
    while words and (words[-1].casefold() in TRAILING or not words[-1].strip(",;:—–-")):
        words.pop()
    text = " ".join(words).rstrip(",;:—–- ")
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    text = clip(text.strip(), MAX_CHARS)
    return text[:1].upper() + text[1:] if text else "Untitled brief"


def _segments(sentence: str) -> list[str]:
    """Split at commas, except commas inside dates ('April 15, 2025') and numbers ('1,500')."""
    protected = [(d.start, d.end) for d in find_dates(sentence)]
    parts: list[str] = []
    start = 0
    for index, char in enumerate(sentence):
        if char != ",":
            continue
        if any(a <= index < b for a, b in protected):
            continue
        if sentence[index - 1 : index].isdigit() and sentence[index + 1 : index + 2].isdigit():
            continue
        parts.append(sentence[start:index].strip())
        start = index + 1
    parts.append(sentence[start:].strip())
    return [p for p in parts if p]


def _drop_clauses(sentence: str) -> str:
    """Drop leading adverbial clauses ('On Monday, ...') and 'who/which' asides."""
    parts = _segments(sentence)
    while len(parts) > 1 and parts[0].split()[0].casefold().strip("\"“") in OPENERS:
        parts.pop(0)
    if not parts:
        return ""
    text, aside = parts[0], False
    for index, part in enumerate(parts[1:], 1):
        if index < len(parts) - 1 and part.split()[0].casefold() in {"who", "which"}:
            aside = True
            continue
        text, aside = f"{text}{' ' if aside else ', '}{part}", False
    return text


def _drop_titles(text: str, registry: Registry, titles: Sequence[str]) -> str:
    """Remove runs of title words immediately before a registered person's full name."""
    mentions = [m for m in find_mentions(text, registry) if m.full]
    title_patterns = [
        re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in t.split()) + r"(?!\w)", re.I)
        for t in titles if t.strip()
    ]
    tokens = list(_TOKEN.finditer(text))
    cuts: list[tuple[int, int]] = []
    for mention in mentions:
        before = [t for t in tokens if t.end() <= mention.start]
        run: list[re.Match[str]] = []
        for token in reversed(before):
            word = token.group(0)
            if any(m.start < token.end() and token.start() < m.end for m in mentions):
                break
            if word[-1:] in ",;:.!?)" or not (word[:1].isupper() or word.casefold() in CONNECTORS):
                break
            run.insert(0, token)
        while run and run[0].group(0).casefold() in CONNECTORS - {"the"}:
            run.pop(0)
        if not run:
            continue
        span = text[run[0].start() : mention.start]
        if any(p.search(span) for p in title_patterns):
            cuts.append((run[0].start(), mention.start))
    for start, end in sorted(cuts, reverse=True):
        text = text[:start] + text[end:]
    return " ".join(text.split())
