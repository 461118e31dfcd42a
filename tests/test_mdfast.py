"""mdfast: plain bodies come out byte for byte as markdown-it renders them, or are left to it."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from datafile import cases

from briefing import mdfast, urls
from briefing.briefs import split_front_matter
from briefing.markdown import PLAIN_XREF, MarkdownCache, Rendered, make_markdown

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
KNOWN = {"person": {"to-lam"}, "topic": {"maritime"}, "brief": {"2025-04-14-x"}}
PAGE = "/briefs/a/"


def _cases() -> list[tuple[str, str, str]]:
    return cases(FIXTURES / "markdown_plain.txt")


def _cache(fast: bool) -> MarkdownCache:
    def resolve(kind: str, ident: str) -> str | None:
        return urls.url_for(kind, ident) if ident in KNOWN[kind] else None
    return MarkdownCache(resolve, urls.relative, fast=fast)


def _both(text: str) -> tuple[bool, Rendered, Rendered]:
    """(whether mdfast rendered the text, the result with mdfast, markdown-it's result)."""
    fast = _cache(True)
    taken = mdfast.render(text, lambda target, line: fast._link(target, line, PAGE, [])) is not None
    return taken, fast.render_anew(text, PAGE), _cache(False).render_anew(text, PAGE)


@pytest.mark.parametrize(("name", "expected", "text"), _cases(), ids=[c[0] for c in _cases()])
def test_plain_bodies_match_markdown_it_and_others_are_declined(name: str, expected: str, text: str) -> None:
    taken, fast, slow = _both(text)
    assert taken == (expected == "fast"), name
    assert fast == slow
    assert (fast.html, fast.unresolved, fast.refused) == (slow.html, slow.unresolved, slow.refused)


def test_unresolved_references_keep_their_lines() -> None:
    text = "One.\n\nTwo\nthree [Xi](person:xi).\n\n## Four [t](topic:nope)\n"
    taken, fast, slow = _both(text)
    assert taken
    assert fast.unresolved == slow.unresolved == ((3, "person:xi"), (6, "topic:nope"))


def test_the_shipped_briefs_render_as_markdown_it_renders_them() -> None:
    bodies = [split_front_matter(p.read_text(encoding="utf-8"), p)[1]
              for p in sorted((ROOT / "content" / "briefs").glob("*.md"))]
    assert bodies
    for body in bodies:
        _, fast, slow = _both(body)
        assert fast == slow


WORDS = ["talks", "Hanoi", "Tô", "Lâm", "trade", "2025", "(AP)", "“ties”", "\"quote\"", "it's", "$5", "10%",
         "C#", "a+b", "—", "ok:", "x/y", "[To Lam](person:to-lam)", "[sea](topic:maritime)"]
EDITS = ["*", "_", "`", "~", "<", ">", "&", "|", "\\", "[", "]", "(", ")", "![", "!", "#", "# ", "## ", "- ", "+ ",
         "1. ", "1) ", "3.5", "> ", "```", "    ", "\n===", "\n---", '"', "'", "é", "\u00a0", "\u2028", "\r", "\0",
         "\t", " ", "  ", "\n", "\n\n", "\n ", "[a]: /x\n", "[x](person:to-lam)", "[y](topic:nope)",
         "[z](https://example.org/a)", "[w](javascript:x)", "[v](brief:2025-04-14-x#related)", "[]", "()", "]("]


def _plain_body(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(1, 5)):
        lines = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 9))).capitalize()
                 for _ in range(rng.randint(1, 3))]
        paragraphs.append(("## " if rng.random() < 0.2 else "") + "\n".join(lines))
    return "\n\n".join(paragraphs) + "\n"


def test_mutated_bodies_render_as_markdown_it_renders_them() -> None:
    # whatever mdfast takes must match markdown-it, and the mutations must leave it plenty to take
    rng = random.Random(8)
    taken = declined = 0
    for _ in range(3000):
        text = _plain_body(rng)
        for _ in range(rng.randint(0, 3)):
            at = rng.randint(0, len(text))
            text = text[:at] + rng.choice(EDITS) + text[at:]
        took, fast, slow = _both(text)
        assert fast == slow, text
        taken += took
        declined += not took
    assert taken > 400 and declined > 400, (taken, declined)


def test_plain_cross_references_are_what_markdown_it_makes_of_them() -> None:
    # `_link` takes such targets as they are, without importing markdown-it for normalizeLink
    md = make_markdown()
    rng = random.Random(3)
    alphabet = "abcxyz0189-"
    targets = ["person:to-lam", "topic:a", "brief:2025-04-14-x#related", "brief:x#", "person:-"]
    targets += [f"{rng.choice(['person', 'topic', 'brief'])}:{''.join(rng.choices(alphabet, k=rng.randint(1, 12)))}"
                + rng.choice(["", "#", "#" + "".join(rng.choices(alphabet, k=5))]) for _ in range(500)]
    for target in targets:
        assert PLAIN_XREF.match(target), target
        assert md.normalizeLink(target) == target
    for other in ["Person:x", "person:X", "person:a b", "person:é", "person:a%20b", "topic:a#B", "http://x"]:
        assert not PLAIN_XREF.match(other)


def test_a_plain_body_is_rendered_without_importing_markdown_it() -> None:
    # markdown-it's import (about 20 ms, most of it compiling its patterns) is part of every
    # one-brief rebuild's wait; a plain body must not need it
    code = ("import sys; from briefing.markdown import MarkdownCache; "
            "cache = MarkdownCache(lambda kind, ident: '/people/x/', lambda url, page: url); "
            "html = cache.render('Talks.\\n\\nSee [Lam](person:to-lam).\\n', '/briefs/a/').html; "
            "assert html == '<p>Talks.</p>\\n<p>See <a href=\"/people/x/\">Lam</a>.</p>\\n', html; "
            "assert 'markdown_it' not in sys.modules; "
            "cache.render('*a*', '/briefs/a/'); assert 'markdown_it' in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
