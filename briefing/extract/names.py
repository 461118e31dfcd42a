"""Name folding: diacritics, NFC/NFD, no-break and zero-width spaces, with offsets into the original."""

from __future__ import annotations

import unicodedata

ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_LETTERS = {"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O"}


def _fold_char(char: str) -> str:
    if char < "\x80":
        return char
    if char in _LETTERS:
        return _LETTERS[char]
    if char.isspace():
        return " "
    bare = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return bare if len(bare) == 1 else char


def fold_map(text: str) -> tuple[str, list[int]]:
    """Folded text (no diacritics or zero-width characters, spaces plain) and each character's source index.

    `starts[i]` is where folded character i begins in `text`; `starts[len(folded)]` is `len(text)`, so a
    folded span (a, b) is `text[starts[a]:starts[b]]`, combining marks and all.
    """
    if text.isascii():  # nothing to fold: the common case, in C
        return text, list(range(len(text) + 1))
    out: list[str] = []
    starts: list[int] = []
    for index, char in enumerate(text):
        if char in ZERO_WIDTH:
            continue
        if unicodedata.combining(char) and out:
            continue  # a decomposed accent (NFD) belongs to the character before it
        out.append(_fold_char(char))
        starts.append(index)
    starts.append(len(text))
    return "".join(out), starts


def fold(text: str) -> str:
    """Diacritics removed character by character (đ -> d), zero-width characters dropped, case kept."""
    return fold_map(text)[0]


def clean_name(name: str) -> str:
    """A name folded and with its whitespace collapsed, for comparing spellings."""
    return " ".join(fold(name).split())


def name_keys(name: str) -> set[str]:
    """The words a short reference may use for a full name: its first and its last (suffixes skipped)."""
    words = [w for w in clean_name(name).split() if w.casefold() not in SUFFIXES]
    if len(words) < 2:
        return set()
    return {words[0], words[-1]}
