"""Summary rule: the lede's first one or two sentences, split without breaking abbreviations."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import Paragraph
from ..text import clip

ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st no nos sr jr gen lt col capt cmdr adm maj sgt sen rep gov pres rev hon "
    "inc co corp ltd dept est fig vol vs etc approx ave blvd rd mt ft jan feb mar apr jun jul aug "
    "sep sept oct nov dec e.g i.e a.m p.m u.s u.k u.n".split()
)
_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\s+)(?=[\"“‘'(\[]?\w)")
LONG_SENTENCE = 35  # words
LONG_UNSPACED = 60  # characters, for a sentence written without spaces
MAX_WORDS = 120  # a runaway 'sentence' (no full stops) is cut
MAX_CHARS = 1000  # ... and so is one with no spaces (Chinese, Japanese, Thai), between graphemes
_WORD = re.compile(r"\S+")
_IDEOGRAPHIC_END = re.compile(r"[。！？]+[」』）”’]*")
_ENDS_IDEOGRAPHIC = re.compile(r"[。！？][」』）”’]*\Z")


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`; 'Mr.', 'U.S.', 'Sept.', initials and the like do not end one.

    The ideographic 。！？ (Chinese, Japanese) end a sentence whatever follows, space or not.
    """
    sentences: list[str] = []
    start = 0
    for match in _IDEOGRAPHIC_END.finditer(text):
        sentences += _split_spaced(text[start : match.end()])
        start = match.end()
    return sentences + _split_spaced(text[start:])


def _split_spaced(text: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        nxt = text[match.end() : match.end() + 2].lstrip("\"“‘'([")
        if not nxt[:1].isupper() and not nxt[:1].isdigit():
            continue
        if match.group(1) == "." and _is_abbreviation(text[max(start, match.start() - 40) : match.start()]):
            continue
        sentences.append(text[start : match.end(2)].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _is_abbreviation(before: str) -> bool:
    words = before.split()
    if not words:
        return False
    word = words[-1].lstrip("\"“‘'([")
    if word.casefold() in ABBREVIATIONS:
        return True
    if re.fullmatch(r"[^\W\d_]", word):  # an initial: "J. Smith"
        return True
    return re.fullmatch(r"(?:[^\W\d_]\.)+[^\W\d_]", word) is not None  # "U.S", "e.g"


def summarize(paragraphs: Sequence[Paragraph]) -> str:
    """The first one or two sentences of the first text paragraph (one when it is long)."""
    lede = next((p.text for p in paragraphs if p.kind == "text"), "")
    sentences = split_sentences(lede)
    if not sentences:
        return ""
    summary = sentences[0]
    short = len(summary.split()) <= LONG_SENTENCE and (" " in summary or len(summary) <= LONG_UNSPACED)
    if len(sentences) > 1 and short:
        space = "" if _ENDS_IDEOGRAPHIC.search(summary) else " "  # Chinese and Japanese join without one
        summary = f"{summary}{space}{sentences[1]}"
    return clip_summary(summary)


def clip_summary(text: str) -> str:
    """At most MAX_WORDS words and MAX_CHARS characters, cut between words and never inside a
    grapheme cluster; the text kept is the original, spacing and all."""
    words = _WORD.finditer(text)
    for count, word in enumerate(words, 1):
        if count == MAX_WORDS and word.end() < len(text.rstrip()):
            text = text[: word.end()] + " …"
            break
    return clip(text, MAX_CHARS, " …")
