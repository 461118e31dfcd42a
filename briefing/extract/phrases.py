"""Whole-word phrase patterns: every phrase at every word start, longest first, overlaps all counted."""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = ""  # a trie node's key for "a phrase ends here" (no character is empty)


def phrase_pattern(phrases: Iterable[str], gap: str) -> re.Pattern[str] | None:
    """One case-insensitive pattern finding each phrase as whole words, `gap` (a regex) between its words.

    Group 1 of each match is the text of the longest phrase starting at that word (phrases are tried
    longest first, then in order); a lookahead, so a phrase inside or overlapping another counts too.
    The alternation runs only where a trie of the same phrases (one character test per letter, not
    one per phrase) has found that some phrase matches, so a position no phrase fits costs a few
    tests whatever the number of phrases: the matches are the alternation's own. None without phrases.
    """
    ordered = sorted({" ".join(p.split()) for p in phrases if p.split()}, key=lambda p: (-len(p), p))
    if not ordered:
        return None
    words = [p.split(" ") for p in ordered]
    body = "|".join(gap.join(re.escape(w) for w in phrase) for phrase in words)
    try:
        return re.compile(rf"(?<!\w)(?={_trie(words, gap)}(?!\w))(?=({body})(?!\w))", re.IGNORECASE)
    except (RecursionError, re.error, OverflowError):  # a trie too deep for re: the alternation alone
        return re.compile(rf"(?<!\w)(?=({body})(?!\w))", re.IGNORECASE)


_Node = dict[str, "_Node"]


def _trie(phrases: list[list[str]], gap: str) -> str:
    """A regex matching exactly the phrases' texts, sharing their common beginnings."""
    root: _Node = {}
    for phrase in phrases:
        node = root
        for n, word in enumerate(phrase):
            for char in (" " if n else "") + word:  # " " stands for the gap between words
                node = node.setdefault(char, {})
        node[_END] = {}
    return _emit(root, gap)


def _emit(node: _Node, gap: str) -> str:
    branches = [(gap if char == " " else re.escape(char)) + _emit(child, gap)
                for char, child in sorted(node.items()) if char != _END]
    if not branches:
        return ""
    inner = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END not in node:
        return inner
    return ("(?:" + inner + ")" if len(branches) == 1 else inner) + "?"
