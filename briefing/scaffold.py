"""`new brief|person|topic NAME`: start a file or registry entry that already builds."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from slugify import slugify

from .briefs import SLUG_PATTERN, dump_brief, parse_brief
from .config import ID_PATTERN, load_config
from .errors import Problem, ProblemsError
from .ingest import write_atomic
from .model import Brief
from .people import add_to_registry

log = logging.getLogger(__name__)

KINDS = ("brief", "person", "topic")
BODY = "Write the brief here. Link a person as `[Name](person:id)` and a topic as `[Name](topic:id)`."


def slug_of(name: str, max_length: int = 60) -> str:
    """A file-name and id slug for NAME: lowercase ASCII letters, digits and hyphens."""
    slug = slugify(name, max_length=max_length, word_boundary=True, separator="-", lowercase=True)
    return "-".join(part for part in slug.split("-") if part)


def new_brief(root: Path, name: str) -> Path:
    """Write content/briefs/<slug>.md with front matter that parses (date: null until known)."""
    slug = slug_of(name)
    if not slug or not SLUG_PATTERN.match(slug):
        raise ProblemsError([Problem("NAME", None, f"'{name}' gives no usable file name; use letters or digits")])
    path = root / "content" / "briefs" / f"{slug}.md"
    taken = path.parent.is_dir() and any(p.stem.casefold() == slug for p in path.parent.glob("*.md"))
    if path.exists() or taken:
        raise ProblemsError([Problem(path, None, "already exists; choose another name or edit that brief")])
    brief = Brief(slug=slug, title=" ".join(name.split()), date=None, source=None, author=None, leaders=(),
                  topics=(), summary="", seed=None, seed_sha256=None, review=(), body=BODY)
    text = dump_brief(brief)
    parse_brief(text, path)  # what we write must read back
    write_atomic(path, text.encode("utf-8"))
    return path


def new_entry(root: Path, kind: str, name: str) -> str:
    """Append a person or topic named NAME to site.yaml's people: or topics: block; return its id."""
    section = {"person": "people", "topic": "topics"}[kind]
    ident = slug_of(name, max_length=80)
    if not ID_PATTERN.match(ident):
        raise ProblemsError([Problem("NAME", None, f"'{name}' gives no usable id; use letters or digits")])
    site_yaml = root / "site.yaml"
    _, registry = load_config(site_yaml)
    if ident in getattr(registry, section):
        message = f"{kind} '{ident}' is already in {section}:"
        raise ProblemsError([Problem(site_yaml, _line_of(site_yaml, ident), message)])
    display = " ".join(name.split())
    fields: dict[str, object] = (
        {"name": display, "aliases": [], "short": [], "role": "", "country": ""} if kind == "person"
        else {"name": display, "description": "", "keywords": {}}
    )
    add_to_registry(site_yaml, section, ident, fields)
    return ident


def new(root: Path, kind: str, name: str) -> str:
    """Scaffold one brief, person or topic; return a line saying what was created."""
    if kind not in KINDS:
        raise ProblemsError([Problem("new", None, f"unknown kind '{kind}'; expected one of {', '.join(KINDS)}")])
    if kind == "brief":
        path = new_brief(root, name)
        return f"created {path.relative_to(root).as_posix() if path.is_relative_to(root) else path}"
    ident = new_entry(root, kind, name)
    what = "aliases, short forms, role and country" if kind == "person" else "description and keywords"
    return f"added {kind} '{ident}' to site.yaml; fill in its {what}"


def _line_of(path: Path, ident: str) -> int | None:
    pattern = re.compile(rf"^\s+{re.escape(ident)}:")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if pattern.match(line):
            return number
    return None
