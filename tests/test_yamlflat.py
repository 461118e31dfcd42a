"""yamlflat: the quick front-matter reader gives exactly what PyYAML gives, or leaves the text to it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from datafile import cases

from briefing import yamlflat
from briefing.briefs import split_front_matter
from briefing.errors import ProblemsError
from briefing.yamlsafe import load_mapping

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


def _cases() -> list[tuple[str, str, str]]:
    return cases(FIXTURES / "front_matter.txt")


def _pyyaml(text: str) -> tuple[dict, dict] | None:
    """What PyYAML makes of `text` (None: an error it reports)."""
    try:
        return load_mapping(text, Path("x.md"), 1, quick=False)
    except ProblemsError:
        return None


def _typed(value: object) -> object:
    """The value with each leaf's type beside it: 'None' and None, or '1' and 1, must not compare equal."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def _same_as_pyyaml(text: str) -> bool:
    """Check the quick reader against PyYAML on `text`; True when it read the text itself."""
    quick = yamlflat.read(text, 1)
    if quick is None:
        return False
    slow = _pyyaml(text)
    assert slow is not None, f"read text PyYAML refuses:\n{text}"
    assert _typed(quick[0]) == _typed(slow[0])
    assert list(quick[0]) == list(slow[0])  # key order too
    assert quick[1] == slow[1]  # the same file positions for every key, value and list item
    return True


@pytest.mark.parametrize(("name", "expected", "text"), _cases(), ids=[c[0] for c in _cases()])
def test_quick_reader_matches_pyyaml_or_declines(name: str, expected: str, text: str) -> None:
    assert _same_as_pyyaml(text) == (expected == "read"), name


def _briefs() -> list[str]:
    """Front matter of the briefs shipped in content/ (ingest's own output)."""
    return [split_front_matter(p.read_text(encoding="utf-8"), p)[0] for p in sorted((ROOT / "content" / "briefs").glob("*.md"))]


def test_the_shipped_briefs_are_read_quickly() -> None:
    briefs = _briefs()
    assert briefs
    assert all(_same_as_pyyaml(text) for text in briefs)


EDITS = [" ", "'", "''", ":", ": ", " #", "#", "-", "- ", "\n", "\n  ", "\n- ", "yes", "null", "~", "1", "[]", "\"",
         "&a", "*a", "!", "|", ">", "\t", "é", "\u2028", "\r", "{}", "[a]", "?", "%", "@", "`", ",", "0o7", "1e3"]


def test_mutated_briefs_are_read_as_pyyaml_reads_them() -> None:
    # every edit lands somewhere in a real brief; whatever the quick reader accepts must match PyYAML
    rng = random.Random(8)
    briefs = _briefs()
    read = declined = 0
    for _ in range(3000):
        text = rng.choice(briefs)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(EDITS) + text[at + rng.choice((0, 0, 1, 2)):]
        if _same_as_pyyaml(text):
            read += 1
        else:
            declined += 1
    assert read > 300 and declined > 300  # both paths were exercised


def test_the_resolver_table_is_pyyaml_s() -> None:
    # yamlflat carries a copy of PyYAML's implicit resolvers (so reading a brief needs no PyYAML):
    # the same tags and patterns, for the same first characters, in the same order
    import yaml

    def table(resolvers: dict) -> dict:
        return {first: [(tag, p.pattern, p.flags) for tag, p in entries] for first, entries in resolvers.items()}

    theirs = yaml.resolver.Resolver.yaml_implicit_resolvers
    assert table(yamlflat._RESOLVERS) == table(theirs)
    assert list(yamlflat._RESOLVERS) == list(theirs)


def test_a_plain_brief_is_read_without_importing_pyyaml() -> None:
    # PyYAML's import (about 14 ms) is part of every one-brief rebuild's wait; a plain brief must not need it
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from briefing.load import parse_file; "
            "brief, problems = parse_file(Path(sys.argv[1])); assert brief.title, brief; "
            "assert 'yaml' not in sys.modules; "
            "from briefing.yamlsafe import load_mapping; load_mapping('a: &x 1', Path('x.yaml')); "
            "assert 'yaml' in sys.modules")
    brief = next((ROOT / "content" / "briefs").glob("*.md"))
    subprocess.run([sys.executable, "-c", code, str(brief)], cwd=ROOT, check=True)
