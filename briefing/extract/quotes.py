"""Quotes rule: direct quotations with a speaker who is a leader of the brief, verified verbatim.

Attributions understood (straight or curly quotes): `"...," Xi said`, `"..." said Xi`, `Xi said: "..."`,
`Xi told reporters, "..."`, `according to Xi, "..."`, `Xi wrote in the book: "..."`. The speaker
phrase must name exactly one leader (a full name or a short reference the people rule resolved).
"he"/"she" resolves only when the paragraph so far, or (for a quotation opening its paragraph) the
paragraph before, names exactly one leader and introduces nobody else after it ("spokesman Lin
Jian"). Fragments (a quotation starting in lower case) and quotations under four words are skipped.
`verified` keeps only quotations found verbatim in the cleaned article, whatever produced them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from ..model import Article, Quote
from .people import Mention

MAX_QUOTES = 5
MIN_WORDS = 4
_VERB = (r"(?:said|says|stated|states|added|adds|noted|notes|stressed|emphasi[sz]ed|affirmed|declared|remarked"
         r"|insisted|underlined|underscored|pointed\s+out|wrote|asserted|explained|continued|urged|recalled"
         r"|warned|highlighted|announced|replied|responded|observed|concluded|told\s+(?:reporters|journalists"
         r"|the\s+(?:press|media|audience|meeting|conference|gathering)|[A-Z][\w-]+))")
_WORD = r"(?:(?:Mr|Mrs|Ms|Dr|Jr|Sr|Mme)\.|(?:[A-Z]\.)+|[A-Z][\w'’-]*)"  # "Lam." ends a sentence: no word
_SPEAKER = rf"(?P<spk>(?:{_WORD}[^\S\n]+){{0,5}}{_WORD}|he|she)"
_QUOTE = re.compile(r"(?P<open>[\"“])(?P<text>[^\"“”\n]+?)[\"”]")
_AFTER = (re.compile(rf",?[^\S\n]*{_SPEAKER}[^\S\n]+{_VERB}\b"), re.compile(rf",?[^\S\n]*{_VERB}[^\S\n]+{_SPEAKER}\b"))
_BEFORE = (re.compile(rf"{_SPEAKER}[^\S\n]+{_VERB}(?:[^\S\n]+that)?[^\S\n]*[:,]?[^\S\n]*$"),
           re.compile(rf"(?i:according[^\S\n]+to)[^\S\n]+{_SPEAKER}[^\S\n]*,[^\S\n]*$"),
           re.compile(rf"{_SPEAKER}[^\S\n]+{_VERB}(?:[^\S\n]+[^\s:\"“”]+){{1,6}}?[^\S\n]*:[^\S\n]*$"))
_PRONOUNS = ("he", "she")


def _block(text: str, pos: int) -> tuple[int, int]:
    """The paragraph of the joined text holding `pos`: (start, end)."""
    start = text.rfind("\n\n", 0, pos)
    start = 0 if start < 0 else start + 2
    end = text.find("\n\n", pos)
    return start, len(text) if end < 0 else end


_OTHER_PERSON = re.compile(  # someone else "he" may mean: "spokesman Lin Jian", "Mr. Smith"
    r"\b(?i:spokes(?:man|woman|person)|officials?|analysts?|experts?|professor|advis[eo]r|aide|director|chief|envoy"
    r"|lawmaker|researcher|editor|reporter|correspondent|diplomat|ambassador|deputy|representative|chairman"
    r"|secretary|minister)[^\S\n]+(?:[A-Z][\w'’-]+[^\S\n]+){0,2}[A-Z][\w'’-]+|\b(?:Mr|Mrs|Ms|Dr)\.?[^\S\n]+[A-Z]"
)


def _sole_leader(text: str, mentions: Sequence[Mention], start: int, end: int,
                 leaders: Collection[str]) -> str | None:
    """The one leader text[start:end] names, if nobody else is introduced after the last mention."""
    named = [m for m in mentions if start <= m.start and m.end <= end and m.person_id in leaders]
    if len({m.person_id for m in named}) != 1 or _OTHER_PERSON.search(text, named[-1].end, end):
        return None
    return named[-1].person_id


def _speaker(text: str, match: re.Match[str], offset: int, quote_start: int,
             mentions: Sequence[Mention], leaders: Collection[str]) -> str | None:
    """The leader id the speaker phrase names, or None when it names nobody or several."""
    phrase = match.group("spk")
    start, end = match.start("spk") + offset, match.end("spk") + offset
    if phrase.lower() not in _PRONOUNS:
        named = {m.person_id for m in mentions if start <= m.start and m.end <= end and m.person_id in leaders}
        return named.pop() if len(named) == 1 else None
    block_start, _ = _block(text, quote_start)
    if text[block_start:quote_start].strip():  # "To Lam smiled. "...," he said."
        return _sole_leader(text, mentions, block_start, min(start, quote_start), leaders)
    if block_start > 2:  # the quotation opens its paragraph: the paragraph before must be about one leader
        previous_start, _ = _block(text, block_start - 3)
        return _sole_leader(text, mentions, previous_start, block_start - 2, leaders)
    return None


def find_quotes(text: str, mentions: Sequence[Mention], leaders: Collection[str]) -> tuple[Quote, ...]:
    """Attributed direct quotations in `text` (paragraphs joined by blank lines), in order, deduplicated."""
    quotes: dict[str, Quote] = {}
    for match in _QUOTE.finditer(text):
        body = match.group("text").strip()
        if body.endswith(","):
            body = body[:-1].rstrip()
        if len(body.split()) < MIN_WORDS or not (body[:1].isupper() or body[:1].isdigit()):
            continue
        line_end = text.find("\n", match.end())
        end = len(text) if line_end < 0 else line_end
        line_start = text.rfind("\n", 0, match.start()) + 1
        speaker = None
        for pattern in _AFTER:
            after = pattern.match(text, match.end(), end)
            if speaker is None and after is not None:
                speaker = _speaker(text, after, 0, match.start(), mentions, leaders)
        for pattern in _BEFORE:
            before = pattern.search(text[line_start : match.start()])
            if speaker is None and before is not None:
                speaker = _speaker(text, before, line_start, match.start(), mentions, leaders)
        key = " ".join(body.split()).casefold()
        if speaker is not None and key not in quotes:
            quotes[key] = Quote(speaker, body)
    return tuple(quotes.values())


def verified(quotes: Sequence[Quote], article: Article, leaders: Collection[str]) -> tuple[Quote, ...]:
    """The quotes whose text appears verbatim in the cleaned article and whose speaker is a leader."""
    texts = [article.title or "", *(p.text for p in article.paragraphs)]
    kept: dict[str, Quote] = {}
    for quote in quotes:
        text = quote.text
        if text.strip() and text == text.strip() and quote.speaker in leaders and any(text in t for t in texts):
            kept.setdefault(text, quote)
    return tuple(kept.values())[:MAX_QUOTES]
