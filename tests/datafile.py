"""Test cases kept in data files: a header line `=== <name> <expected>`, then the case's text up to
the next header. Read as bytes, so a case may hold a CR or a NUL."""

from __future__ import annotations

from pathlib import Path


def cases(path: Path) -> list[tuple[str, str, str]]:
    """(name, expected, text) of each case in the file, in file order."""
    text = path.read_bytes().decode("utf-8")
    found = []
    for block in text.split("=== ")[1:]:
        header, _, body = block.partition("\n")
        name, expected = header.split()
        found.append((name, expected, body))
    return found
