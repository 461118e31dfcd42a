"""`people`: the unregistered people found across briefs, and adding them to site.yaml."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .config import load_config
from .errors import Problem, ProblemsError
from .model import Brief, Person

SENTENCE = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z“\"])")
REVIEW_PREFIX = "unregistered-person: "


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person briefs name as a leader whom site.yaml does not list yet."""

    person: Person
    briefs: tuple[str, ...]  # slugs
    evidence: tuple[str, ...]  # sentences naming them, one per brief, at most three


def unregistered(briefs: Iterable[Brief], registered: Mapping[str, Person]) -> list[Candidate]:
    """Every auto-profiled leader missing from the registry, most briefs first."""
    found: dict[str, tuple[Person, list[str], list[str]]] = {}
    for brief in sorted(briefs, key=lambda b: b.slug):
        for profile in brief.people:
            if profile.id in registered:
                continue
            person, slugs, evidence = found.setdefault(profile.id, (profile, [], []))
            slugs.append(brief.slug)
            sentence = _sentence_naming(brief.body, person.name)
            if sentence and len(evidence) < 3:
                evidence.append(sentence)
    ranked = sorted(found.values(), key=lambda item: (-len(item[1]), item[0].id))
    return [Candidate(person, tuple(slugs), tuple(evidence)) for person, slugs, evidence in ranked]


def _sentence_naming(body: str, name: str) -> str | None:
    for paragraph in body.split("\n\n"):
        for sentence in SENTENCE.split(paragraph.replace("\\", "")):
            if name in sentence:
                return " ".join(sentence.split())
    return None


def is_settled(item: str, registered: Mapping[str, Person]) -> bool:
    """True for an `unregistered-person: X` review item whose X site.yaml now lists."""
    if not item.startswith(REVIEW_PREFIX):
        return False
    name = item[len(REVIEW_PREFIX):].strip().casefold()
    return any(name == n.casefold() for p in registered.values() if not p.auto for n in (p.name, *p.aliases))


def add_to_site_yaml(site_yaml: Path, person: Person) -> None:
    """Append `person` to the `people:` block of site.yaml, keeping every other line as written."""
    add_to_registry(site_yaml, "people", person.id, {"name": person.name, "aliases": [], "short": [],
                                                      "role": person.role, "country": person.country})


def add_to_registry(site_yaml: Path, section: str, ident: str, fields: Mapping[str, object]) -> None:
    """Append `ident: fields` to site.yaml's `section:` block (people, topics), keeping every other line.

    The file is re-read afterwards; if it no longer loads or lacks the entry, it is put back as it was.
    """
    text = site_yaml.read_text(encoding="utf-8")
    import yaml  # adding a person is rare: every build imports this module

    block = yaml.safe_dump({ident: dict(fields)}, sort_keys=False, allow_unicode=True, default_flow_style=None,
                           width=1000)
    indented = "".join(f"  {line}\n" for line in block.splitlines())
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(rf"{section}:\s*(#.*)?$", line)), None)
    if start is None:
        if re.search(rf"^{section}:", text, re.M):
            raise ProblemsError([Problem(site_yaml, None,
                                         f"{section}: is not a block mapping; add the entry by hand")])
        updated = text + ("" if text.endswith("\n") or not text else "\n") + f"{section}:\n" + indented
    else:
        end = start + 1
        while end < len(lines) and (not lines[end].strip() or lines[end][:1] in " \t#"):
            end += 1
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        head = "".join(lines[:end])
        updated = head + ("" if head.endswith("\n") else "\n") + indented + "".join(lines[end:])
    site_yaml.write_text(updated, encoding="utf-8")
    try:
        _, registry = load_config(site_yaml)
    except ProblemsError:
        site_yaml.write_text(text, encoding="utf-8")
        raise
    if ident not in getattr(registry, section):
        site_yaml.write_text(text, encoding="utf-8")
        raise ProblemsError([Problem(site_yaml, None, f"could not add '{ident}' to {section}:; add it by hand")])
