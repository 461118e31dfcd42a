"""Clean stage: raw seed bytes -> Article (normalised text, head vs body, captions). Pure."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

from .extract.dates import is_date_line
from .model import Article, IngestRules, Paragraph

_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029]")
_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_ZERO_WIDTH = re.compile(r"[\u200b\u2060\ufeff\u00ad\u180e]")
_STRAY_JOINER = re.compile(r"(?:(?<=[\x00-\x7f])|^)[\u200c\u200d]|[\u200c\u200d](?=[\x00-\x7f]|$)",
                           re.MULTILINE)
_CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_SLUG_LINE = re.compile(r"[^\W_][^\s_]*(?:_[^\s_]+){2,}")
_BANNER = re.compile(r"(?=[^a-z]*[A-Z])[A-Z0-9][A-Z0-9&.'’-]{1,40}")
_BYLINE = re.compile(r"[Bb]y\s+([^\W\d_][^|,;•]{1,80}?)\s*(?:[|,;•].*)?")
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’.-]*(?:['’.-][^\W\d_]+)*\.?")
_CREDIT = re.compile(r"\s*\(([^()]{1,80})\)\s*$")
_CREDIT_WORDS = re.compile(r"/|\bphotos?\b", re.IGNORECASE)
_OUTLET = re.compile(r"\(([^()]{2,40})\)\s*[—–-]+\s*")
_DATELINE = re.compile(
    r"[A-Z][A-Z .'’-]{1,40}(?:,\s*[^()—–\n]{1,40}?)?\s*\(([^()]{2,40})\)\s*[—–-]+\s*"
)
_BARE_DATELINE = re.compile(r"[A-Z][A-Z.'’-]{2,}(?: [A-Z][A-Z.'’-]+)*(?:\s+[—–]|(?<=[A-Z]{4}):)\s+")
_DATED_DATELINE = re.compile(  # MANILA, Sept. 5 — / MANILA, Sept. 5, 2022 - (no outlet)
    r"[A-Z][A-Z .'’-]{1,40},\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?\s*(?:[—–]|\s-{1,2})\s+"
)
_SENTENCE_END = re.compile(r"[.!?…][\"”’)]?$")
FUNCTION_WORDS = frozenset("a an and at by for from in of on the to with".split())
MAX_HEAD_LINES = 8
SHORT_LINE = 8


def decode(raw: bytes) -> tuple[str, tuple[str, ...]]:
    """UTF-8 (BOM dropped), else cp1252 with a note."""
    try:
        return raw.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="ignore"), ("decoded as cp1252",)


def normalise(text: str) -> list[str]:
    """Normalised, whitespace-collapsed lines (NFC, LF, no controls or zero-width characters)."""
    text = _BREAKS.sub("\n", text)
    if text.isascii():  # the common case: none of the Unicode rules below can match
        text = text.replace("\t", " ")
    else:
        text = unicodedata.normalize("NFC", text)
        text = _SPACES.sub(" ", text)
        text = _ZERO_WIDTH.sub("", text)
        if "\u200c" in text or "\u200d" in text:
            text = _STRAY_JOINER.sub("", text)
    text = _CONTROLS.sub("", text)
    text = text.replace('\\"', '"').replace("\\'", "'")
    return [" ".join(line.split()) for line in text.split("\n")]


def clean(raw: bytes, seed: str, rules: IngestRules) -> Article:
    """Decode, normalise and structure a raw seed article."""
    text, notes = decode(raw)
    lines = _filter_lines(normalise(text), rules)
    head_count = _head_length(lines)
    head, body = lines[:head_count], lines[head_count:]
    source, author, title, rest = _read_head(head, rules.titles)
    if not body:
        body = [line for line in rest if not is_date_line(line)]
        rest = [line for line in rest if is_date_line(line)]
    body = _drop_trailing_junk(body)
    paragraphs = [p for p in (_paragraph(line) for line in body) if p is not None]
    outlet = None
    for index, paragraph in enumerate(paragraphs):
        if paragraph.kind == "text":
            outlet, dateline, stripped = split_dateline(paragraph.text)
            paragraphs[index] = Paragraph(stripped, "text")
            if dateline and any(c.isdigit() for c in dateline):
                rest.append(dateline)  # "JAKARTA, March 3 (AFP)": its date is for the date rule
            break
    return Article(
        seed=seed,
        sha256=hashlib.sha256(raw).hexdigest(),
        title=title,
        source=outlet or source,
        author=author,
        head=tuple(rest),
        paragraphs=tuple(p for p in paragraphs if p.text),
        notes=notes,
    )


def _filter_lines(lines: Sequence[str], rules: IngestRules) -> list[str]:
    """Drop empty, boilerplate and slug lines; stop at a tail marker once the body has begun."""
    boilerplate = [re.compile(p, re.IGNORECASE) for p in rules.boilerplate]
    tails = [re.compile(p, re.IGNORECASE) for p in rules.tail_markers]
    kept: list[str] = []
    in_body = False
    for line in lines:
        if not line or _SLUG_LINE.fullmatch(line):
            continue
        if any(t.fullmatch(line) for t in tails):
            if in_body:
                break
            continue
        if any(b.fullmatch(line) for b in boilerplate):
            continue
        kept.append(line)
        in_body = in_body or _is_body_line(line)
    return kept


def _is_body_line(line: str) -> bool:
    """A real paragraph: long, or a sentence, or a photo caption, or an outlet-prefixed lede."""
    words = len(line.split())
    if words >= 25 or _caption_credit(line) is not None:
        return True
    if _OUTLET.match(line) or _DATELINE.match(line) or _DATED_DATELINE.match(line):
        return True
    return words >= 6 and line.endswith(".") and not is_date_line(line)


def _head_length(lines: Sequence[str]) -> int:
    """How many leading lines are head (headline, banner, byline, dates)."""
    for index, line in enumerate(lines[:MAX_HEAD_LINES]):
        if _is_body_line(line):
            return index
    return min(len(lines), MAX_HEAD_LINES)


def _read_head(
    head: Sequence[str], titles: Sequence[str]
) -> tuple[str | None, str | None, str | None, list[str]]:
    """(banner source, byline author, headline, remaining head lines) from the head."""
    source = author = title = None
    title_words = {w.casefold() for t in titles for w in t.split()}
    rest: list[str] = []
    for line in head:
        byline = _BYLINE.fullmatch(line)
        if title is None and source is None and not rest and _BANNER.fullmatch(line):
            source = line
        elif author is None and byline and _is_name(byline.group(1), title_words, allow_and=True):
            author = byline.group(1).strip()
            tail = line[byline.end(1) :].strip(" |,;•")
            if is_date_line(tail):
                rest.append(tail)  # "By Jane Doe | March 8, 2022"
        elif author is None and title is not None and _is_name(line, title_words):
            author = line
        elif is_date_line(line):
            rest.append(line)
        elif title is None and len(line.split()) >= 3:
            title = line
        else:
            rest.append(line)
    return source, author, title, rest


def _is_name(text: str, title_words: set[str], allow_and: bool = False) -> bool:
    """2-4 capitalised name words (no title keyword, no function word except 'and' in bylines)."""
    words = text.split()
    names = [w for w in words if not (allow_and and w == "and")]
    if not 2 <= len(names) <= (8 if allow_and else 4):
        return False
    return all(
        _NAME_WORD.fullmatch(w) and w[:1].isupper()
        and w.casefold() not in title_words and w.casefold() not in FUNCTION_WORDS
        for w in names
    )


def _drop_trailing_junk(body: list[str]) -> list[str]:
    """Drop short trailing lines that are not sentences (taglines, sign-offs, handles)."""
    body = list(body)
    while len(body) > 1 and _is_junk(body[-1]):
        body.pop()
    return body


def _is_junk(line: str) -> bool:
    words = line.split()
    if len(words) >= SHORT_LINE:
        return False
    sentence = (len(words) >= 2 and (line[:1].isupper() or line[:1] in "\"“‘'")
                and _SENTENCE_END.search(line) is not None and not line.endswith(".."))
    return not sentence


def _caption_credit(line: str) -> re.Match[str] | None:
    match = _CREDIT.search(line)
    if match and _CREDIT_WORDS.search(match.group(1)):
        return match
    return None


def _paragraph(line: str) -> Paragraph | None:
    """A text paragraph, or a caption with its photo credit removed (None if only a credit)."""
    credit = _caption_credit(line)
    if credit is None:
        return Paragraph(line, "text")
    text = line[: credit.start()].rstrip()
    return Paragraph(text, "caption") if text else None


def split_dateline(text: str) -> tuple[str | None, str | None, str]:
    """(outlet, dateline, text) for a paragraph opening with `(Outlet) — ` or a `CITY, Month D (Outlet) -` dateline."""
    for pattern in (_OUTLET, _DATELINE):
        match = pattern.match(text)
        if match:
            dateline = text[: match.end()].strip().rstrip("—–-").strip()
            return match.group(1).strip(), dateline, text[match.end() :]
    for pattern in (_DATED_DATELINE, _BARE_DATELINE):
        match = pattern.match(text)
        if match:
            return None, text[: match.end()].strip().rstrip("—–-").strip(), text[match.end() :]
    return None, None, text

