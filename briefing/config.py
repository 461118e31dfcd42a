"""site.yaml -> SiteConfig and Registry, with every problem collected and located."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path
from typing import Any

from .briefs import WINDOWS_RESERVED, decode_brief
from .errors import Problem, ProblemsError, did_you_mean
from .model import IngestRules, Person, Registry, SiteConfig, Topic
from .yamlsafe import load_mapping

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}\Z")  # \Z: `$` would also accept a final newline
SITE_KEYS = ("title", "description", "base_url", "language", "search", "ingest", "people", "topics")
INGEST_KEYS = ("boilerplate", "tail_markers", "titles", "topic_threshold", "max_topics", "date_order",
               "nationalities", "borrow_event_dates")
DATE_ORDERS = ("auto", "dmy", "mdy")
PERSON_KEYS = ("name", "aliases", "short", "role", "country")
TOPIC_KEYS = ("name", "description", "keywords")


class _Checker:
    """Collects problems while reading typed values out of plain YAML data."""

    def __init__(self, path: Path, spots: dict[str, tuple[int, int]]) -> None:
        self.path = path
        self.spots = spots
        self.problems: list[Problem] = []

    def add(self, key: str, message: str, severity: str = "error") -> None:
        parts = key.split(".")
        spot = None
        while parts and spot is None:
            spot = self.spots.get(".".join(parts))
            parts.pop()
        line, column = spot or (None, None)
        self.problems.append(Problem(self.path, line, message, column, severity=severity))

    def text(self, data: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if value is None:
            self.add(f"{where}.{key}", f"missing required field '{where}.{key}'".lstrip("."))
            return ""
        if not isinstance(value, str):
            name = f"{where}.{key}".lstrip(".")
            self.add(name + "=", f"'{name}' must be a string, got {type(value).__name__} (quote it)")
            return str(value)
        return value

    def texts(self, data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(f"{where}.{key}=", f"'{where}.{key}' must be a list of strings (quote each item)")
            return ()
        return tuple(value)

    def number(self, data: dict[str, Any], key: str, where: str, default: float) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(f"{where}.{key}=", f"'{where}.{key}' must be a number, got {type(value).__name__}")
            return default
        return float(value)

    def flag(self, data: dict[str, Any], key: str, where: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            name = f"{where}.{key}".lstrip(".")
            self.add(name + "=", f"'{name}' must be true or false, got {type(value).__name__}")
            return default
        return value

    def unknown(self, data: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in data:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed)
                self.add(f"{where}.{key}".lstrip("."), f"unknown key '{key}' in {where or 'site.yaml'}{hint}",
                         severity="warning")

    def mapping(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key) or {}
        if not isinstance(value, dict):
            self.add(key, f"'{key}' must be a mapping")
            return {}
        return value


def normalise_base_url(value: str) -> str | None:
    """base_url with a trailing slash, or None when it is neither a path nor an http(s) URL."""
    value = value.strip()
    if not value.endswith("/"):
        value += "/"
    if value.startswith("/") and not value.startswith("//") or re.match(r"^https?://[^/\s]+/\S*$", value):
        return value
    return None


def load_config(path: Path) -> tuple[SiteConfig, Registry]:
    """Read site.yaml at `path`; raise ProblemsError listing every error; warnings go in the config."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProblemsError([Problem(path, None, "site.yaml not found (is --root the project folder?)")]) from None
    return parse_config(raw, path)


def parse_config(raw: bytes, path: Path) -> tuple[SiteConfig, Registry]:
    """site.yaml's bytes, read from `path`, as the config and registry (see load_config)."""
    text = decode_brief(raw, path)
    data, spots = load_mapping(text, path)
    check = _Checker(path, spots)
    check.unknown(data, SITE_KEYS, "")

    base_url = normalise_base_url(check.text(data, "base_url", "", "/"))
    if base_url is None:
        check.add("base_url=", "base_url must start with '/' or 'http(s)://', e.g. https://example.org/briefs/")
        base_url = "/"

    config = SiteConfig(
        title=check.text(data, "title", ""),
        description=check.text(data, "description", "", ""),
        base_url=base_url,
        language=check.text(data, "language", "", "en"),
        search=check.flag(data, "search", "", True),
        ingest=_ingest_rules(check, check.mapping(data, "ingest")),
        path=path,
    )
    registry = Registry(
        people=_people(check, check.mapping(data, "people")),
        topics=_topics(check, check.mapping(data, "topics")),
    )
    errors = [p for p in check.problems if p.severity == "error"]
    if errors:
        raise ProblemsError(errors)
    warnings = tuple(p for p in check.problems if p.severity != "error")
    return dataclasses.replace(config, warnings=warnings), registry


def _ingest_rules(check: _Checker, data: dict[str, Any]) -> IngestRules:
    check.unknown(data, INGEST_KEYS, "ingest")
    patterns = check.texts(data, "boilerplate", "ingest") + check.texts(data, "tail_markers", "ingest")
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            check.add("ingest.boilerplate", f"invalid regex '{pattern}' in ingest: {exc}")
    return IngestRules(
        boilerplate=check.texts(data, "boilerplate", "ingest"),
        tail_markers=check.texts(data, "tail_markers", "ingest"),
        titles=check.texts(data, "titles", "ingest"),
        topic_threshold=check.number(data, "topic_threshold", "ingest", 3.0),
        max_topics=int(check.number(data, "max_topics", "ingest", 3)),
        date_order=_date_order(check, data),
        nationalities=_nationalities(check, data),
        borrow_event_dates=check.flag(data, "borrow_event_dates", "ingest"),
    )


def _date_order(check: _Checker, data: dict[str, Any]) -> str:
    order = check.text(data, "date_order", "ingest", "auto")
    if order not in DATE_ORDERS:
        check.add("ingest.date_order=", f"ingest.date_order must be one of {', '.join(DATE_ORDERS)}, got '{order}'")
        return "auto"
    return order


def _nationalities(check: _Checker, data: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    table = check.mapping(data, "nationalities")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in table.items()):
        check.add("ingest.nationalities=", "ingest.nationalities must map adjectives to countries (Japanese: Japan)")
        return ()
    return tuple(table.items())


def _entry(check: _Checker, section: str, key: object, value: object) -> dict[str, Any] | None:
    if not isinstance(key, str) or not ID_PATTERN.match(key):
        message = f"{section} id '{key}' must be lowercase letters, digits and hyphens (e.g. 'xi-jinping')"
        check.add(f"{section}.{key}", message)
        return None
    if key in WINDOWS_RESERVED:  # its page folder (people/con/) could not be created on Windows
        check.add(f"{section}.{key}", f"{section} id '{key}' is a reserved device name on Windows; add a word")
        return None
    if not isinstance(value, dict):
        check.add(f"{section}.{key}", f"{section}.{key} must be a mapping with at least 'name'")
        return None
    return value


def same_name_key(name: str) -> str:
    """A name as one person's spellings compare: NFC, casefolded, one space, straight quotes."""
    text = unicodedata.normalize("NFC", name).replace("’", "'").replace("‘", "'")
    return " ".join(text.casefold().split())


def _people(check: _Checker, data: dict[str, Any]) -> dict[str, Person]:
    people: dict[str, Person] = {}
    owners: dict[str, str] = {}
    for pid, raw in data.items():
        entry = _entry(check, "people", pid, raw)
        if entry is None:
            continue
        where = f"people.{pid}"
        check.unknown(entry, PERSON_KEYS, where)
        people[pid] = Person(
            id=pid,
            name=check.text(entry, "name", where),
            aliases=check.texts(entry, "aliases", where),
            short=check.texts(entry, "short", where),
            role=check.text(entry, "role", where, ""),
            country=check.text(entry, "country", where, ""),
        )
        for name in dict.fromkeys(same_name_key(n) for n in (people[pid].name, *people[pid].aliases)):
            other = owners.setdefault(name, pid)
            if other != pid:
                check.add(f"{where}.name=", f"people '{other}' and '{pid}' share the name '{name}': "
                                            "merge them into one entry (add the spelling to aliases)")
    return dict(sorted(people.items()))


def _topics(check: _Checker, data: dict[str, Any]) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for tid, raw in data.items():
        entry = _entry(check, "topics", tid, raw)
        if entry is None:
            continue
        where = f"topics.{tid}"
        check.unknown(entry, TOPIC_KEYS, where)
        keywords = entry.get("keywords") or {}
        if isinstance(keywords, list):
            keywords = {k: 1 for k in keywords}
        pairs: list[tuple[str, float]] = []
        if not isinstance(keywords, dict):
            check.add(f"{where}.keywords=", f"{where}.keywords must be a mapping of phrase: weight")
        else:
            for phrase, weight in keywords.items():
                if not isinstance(phrase, str) or isinstance(weight, bool) or not isinstance(weight, int | float):
                    check.add(f"{where}.keywords=", f"{where}.keywords: '{phrase}' needs a numeric weight")
                    continue
                pairs.append((phrase, float(weight)))
        topics[tid] = Topic(
            id=tid,
            name=check.text(entry, "name", where),
            description=check.text(entry, "description", where, ""),
            keywords=tuple(pairs),
        )
    return dict(sorted(topics.items()))
