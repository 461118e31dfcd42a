"""A quick reader for the plain YAML that briefs' front matter is made of.

Reading 10,000 briefs through PyYAML costs about 1 s of CPU even with the C parser, since it builds
its nodes and values in Python. Front matter as ingest writes it (and as people edit it) is simple:
`key: value` lines, block lists of values, and lists of flat mappings (quotes). This reads exactly
that subset, line by line, and answers None for anything else (comments, blank lines, flow
collections other than `[]`, double quotes, block scalars, anchors, tags, values YAML would read
as booleans or numbers, ...), which PyYAML then reads (yamlsafe.load_mapping). Where it answers, it
gives what PyYAML gives: the same values and the same positions (tests/test_yamlflat.py compares
the two on every case).
"""

from __future__ import annotations

import functools
import re
from typing import Any

Spot = tuple[int, int]  # (file line, column), both 1-based

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)")
_ITEM = re.compile(r"( *)- +")
# anything YAML would not read as plain text here: what it does not print (controls, surrogates,
# U+FFFE/U+FFFF), line breaks other than \n, a byte-order mark, a tab (its rules differ by place)
_UNSUPPORTED = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# PyYAML's implicit resolvers (yaml/resolver.py, YAML 1.1): what a plain value means, tried in this
# order among those listed for its first character. Copied so that reading a brief does not import
# PyYAML (about 14 ms of a one-brief rebuild); tests/test_yamlflat.py checks them against PyYAML's.
_IMPLICIT = (
    ("tag:yaml.org,2002:bool", r'''^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$''', re.X, "yYnNtTfFoO"),
    ("tag:yaml.org,2002:float", r'''^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$''', re.X, "-+0123456789."),
    ("tag:yaml.org,2002:int", r'''^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$''', re.X, "-+0123456789"),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", 0, "<"),
    ("tag:yaml.org,2002:null", r'''^(?: ~
                    |null|Null|NULL
                    | )$''', re.X, ("~", "n", "N", "")),
    ("tag:yaml.org,2002:timestamp", r'''^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$''', re.X, "0123456789"),
    ("tag:yaml.org,2002:value", r"^(?:=)$", 0, "="),
    ("tag:yaml.org,2002:yaml", r"^(?:!|&|\*)$", 0, "!&*"),
)


def _by_first_character() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """The resolvers keyed as PyYAML keys them: by first character, in the order they were added."""
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, flags, firsts in _IMPLICIT:
        for first in firsts:
            table.setdefault(first, []).append((tag, re.compile(pattern, flags)))
    return table


_RESOLVERS = _by_first_character()
_STR, _NULL, _TIMESTAMP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp"


class _Declined(Exception):
    """Outside the subset: PyYAML reads it."""


def read(text: str, line_offset: int = 0) -> tuple[dict[str, Any], dict[str, Spot]] | None:
    """The mapping and spots yamlsafe.load_mapping would give for `text`, or None to leave it to PyYAML."""
    if not text or _UNSUPPORTED.search(text):
        return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    try:
        return _Reader(lines, line_offset).mapping()
    except _Declined:
        return None


class _Reader:
    """One pass over the lines; `at` is the next line to read."""

    def __init__(self, lines: list[str], line_offset: int) -> None:
        self.lines = lines
        self.offset = line_offset + 1  # file line of lines[0]
        self.at = 0
        self.spots: dict[str, Spot] = {}

    def mapping(self) -> tuple[dict[str, Any], dict[str, Spot]]:
        data: dict[str, Any] = {}
        lines = self.lines
        while self.at < len(lines):
            line = lines[self.at]
            match = _KEY.match(line)
            if match is None:
                raise _Declined
            key = _text_key(match.group(1))
            if key in data:
                raise _Declined  # PyYAML names the duplicate
            row = self.at
            self.spots[key] = (row + self.offset, 1)
            rest = line[match.end():]
            self.at += 1
            if rest == "":  # a block list follows (_KEY took any spaces after the colon)
                data[key] = self.sequence(key)
            elif rest.rstrip() == "[]":
                self.spots[key + "="] = (row + self.offset, match.end() + 1)
                data[key] = []
            else:
                self.spots[key + "="] = (row + self.offset, match.end() + 1)
                data[key] = self.scalar(rest, 0)
        return data, self.spots

    def sequence(self, key: str) -> list[Any]:
        """The block list after `key:` (its items at one indent), values or flat mappings."""
        lines = self.lines
        items: list[Any] = []
        indent = None
        while self.at < len(lines):
            line = lines[self.at]
            match = _ITEM.match(line)
            if match is None:
                if not line.startswith(" ") or indent is None:
                    break
                raise _Declined
            if indent is None:
                indent = len(match.group(1))
                self.spots[key + "="] = (self.at + self.offset, indent + 1)
            elif len(match.group(1)) != indent:
                raise _Declined
            start = match.end()
            self.spots[f"{key}.{len(items)}"] = (self.at + self.offset, start + 1)
            self.at += 1
            if _KEY.match(line, start):
                items.append(self.flat_mapping(line, start))
            else:
                items.append(self.scalar(line[start:], indent))
        if indent is None:
            raise _Declined  # `key:` and nothing: an empty value (PyYAML places it oddly)
        return items

    def flat_mapping(self, first: str, column: int) -> dict[str, Any]:
        """A list item `- key: value` with more `key: value` lines at the same column."""
        item: dict[str, Any] = {}
        line = first
        while True:
            match = _KEY.match(line, column)
            if match is None:
                raise _Declined
            key = _text_key(match.group(1))
            rest = line[match.end():]
            if key in item or rest == "" or rest.rstrip() == "[]":
                raise _Declined  # nested lists and empty values are PyYAML's
            item[key] = self.scalar(rest, column)
            if self.at >= len(self.lines):
                return item
            line = self.lines[self.at]
            if len(line) - len(line.lstrip(" ")) != column:
                return item
            self.at += 1

    def scalar(self, first: str, indent: int) -> Any:
        """A value starting on the line just read, and its continuation lines (indented more than `indent`)."""
        pieces = [first.rstrip(" ")]
        lines = self.lines
        while self.at < len(lines):
            line = lines[self.at]
            stripped = line.lstrip(" ")
            if len(line) - len(stripped) <= indent:
                break
            if not stripped.strip(" "):
                raise _Declined  # a blank line inside a value is a line break: PyYAML's
            pieces.append(stripped.rstrip(" "))
            self.at += 1
        if pieces[0].startswith("'"):
            return _single_quoted(pieces)
        return _plain(pieces)


def _text_key(key: str) -> str:
    if _resolve(key) != _STR:
        raise _Declined  # `yes:` or `1:` would be a boolean or a number
    return key


def _plain(pieces: list[str]) -> Any:
    """A plain (unquoted) value: its lines joined by spaces, read as YAML would read it."""
    for piece in pieces:
        if not piece or piece[0] in _INDICATORS or ": " in piece or " #" in piece or piece.endswith(":"):
            raise _Declined
    value = " ".join(pieces)
    tag = _resolve(value)
    if tag == _STR or tag == _TIMESTAMP:  # dates stay text (yamlsafe's loader)
        return value
    if tag == _NULL:
        return None
    raise _Declined  # booleans, numbers: PyYAML's constructors


def _single_quoted(pieces: list[str]) -> str:
    """A '...' value: lines joined by spaces, '' for a quote; it must end where its last line does."""
    out = []
    last = len(pieces) - 1
    for number, piece in enumerate(pieces):
        i = 1 if number == 0 else 0
        while True:
            quote = piece.find("'", i)
            if quote < 0:
                if number == last:
                    raise _Declined  # never closed
                out.append(piece[i:])
                out.append(" ")
                break
            out.append(piece[i:quote])
            if piece.startswith("'", quote + 1):
                out.append("'")
                i = quote + 2
                continue
            if number != last or quote != len(piece) - 1:
                raise _Declined  # text after the closing quote (a comment, more lines)
            return "".join(out)
    raise _Declined


@functools.lru_cache(maxsize=4096)  # keys, ids and dates recur in every brief
def _resolve(value: str) -> str:
    """The tag YAML 1.1 gives a plain value (as PyYAML's resolver does)."""
    for tag, pattern in _RESOLVERS.get(value[:1], ()):
        if pattern.match(value):
            return str(tag)
    return _STR
