"""Every row of the bad-inputs reference (docs/bad-inputs.md, 40 rows) has a test, or a reason it cannot have one.

A test claims a row with a marker inside its own body or docstring: `bad-inputs row 12`, or
`bad-inputs rows 2 and 3` / `bad-inputs rows 10, 16 and 20`. Markers outside a test function (a
module docstring, a helper) do not count: the marker must sit on the test that asserts the row.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROWS = {
    1: "non-UTF-8 text", 2: "UTF-8 BOM", 3: "CRLF and lone CR", 4: "NUL and C0/C1 controls",
    5: "empty or boilerplate-only file", 6: "huge or pathological file", 7: "emoji, RTL, NBSP, combining, quotes",
    8: "missing front matter", 9: "front matter never closed", 10: "malformed YAML",
    11: "Python object tags", 12: "alias bomb", 13: "deep nesting", 14: "not a mapping; several documents",
    15: "duplicate keys", 16: "YAML 1.1 implicit typing", 17: "missing or misspelt keys", 18: "invalid dates",
    19: "int max-str-digits", 20: "unknown person or topic", 21: "one person, several spellings",
    22: "duplicate slugs or output paths", 23: "slug empty after slugify", 24: "orphans and empties",
    25: "broken cross-links and fragments", 26: "traversal in slugs and ids", 27: "hostile source file names",
    28: "symlinks", 29: "raw HTML in article text", 30: "dangerous link schemes", 31: "front matter in attributes",
    32: "entities and typography", 33: "template syntax error", 34: "undefined variables",
    35: "runtime error on one page", 36: "build interrupted", 37: "output is a file, read-only, disk full",
    38: "dangerous output locations", 39: "concurrent edits while serving", 40: "dev server exposure; determinism",
}
NOT_APPLICABLE: dict[int, str] = {}  # row -> why no test can exercise it here
MARKER = re.compile(r"bad-inputs rows? (\d+(?:(?:, | and |, and )\d+)*)")


def markers_in(source: str) -> dict[int, list[str]]:
    """Row -> the test functions whose lines (decorators to last line) carry a marker for it."""
    lines = source.split("\n")
    found: dict[int, list[str]] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or not node.name.startswith("test_"):
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        last = node.end_lineno or node.lineno
        while last < len(lines) and lines[last].lstrip().startswith("#") and (
                len(lines[last]) - len(lines[last].lstrip()) > node.col_offset):
            last += 1  # comments after the last statement still belong to the function
        text = "\n".join(lines[first - 1: last])
        for match in MARKER.finditer(text):
            for row in map(int, re.findall(r"\d+", match.group(1))):
                found.setdefault(row, []).append(node.name)
    return found


def all_markers() -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for path in sorted(TESTS.glob("test_*.py")):
        if path.name == Path(__file__).name:
            continue  # this file's own examples are not tests of the rows
        for row, tests in markers_in(path.read_text(encoding="utf-8")).items():
            found.setdefault(row, []).extend(f"{path.name}::{t}" for t in tests)
    return found


def test_every_row_is_tested_or_explained() -> None:
    found = all_markers()
    missing = [f"row {row} ({title})" for row, title in ROWS.items() if row not in found and row not in NOT_APPLICABLE]
    assert missing == [], "no test carries a marker for: " + ", ".join(missing)
    assert sorted(set(found) - set(ROWS)) == [], "markers for rows the reference does not have"
    assert sorted(set(found) & set(NOT_APPLICABLE)) == [], "a row is both tested and declared not applicable"
    assert all(reason.strip() for reason in NOT_APPLICABLE.values())


def test_markers_count_only_inside_test_functions() -> None:
    source = (
        '"""Module docstring: bad-inputs row 1 does not count here."""\n'
        "def helper() -> None:\n    pass  # bad-inputs row 2: nor in a helper\n"
        "@decorated  # bad-inputs row 3, on the decorator line\n"
        'def test_x() -> None:\n    """bad-inputs rows 4, 5 and 6."""\n    # bad-inputs row 7: a comment\n'
    )
    assert markers_in(source) == {3: ["test_x"], 4: ["test_x"], 5: ["test_x"], 6: ["test_x"], 7: ["test_x"]}
