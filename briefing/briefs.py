"""The brief file format, both directions: dump_brief(Brief) -> str, parse_brief(text) -> Brief."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Any

from .errors import Problem, ProblemsError, did_you_mean, printable
from .model import Brief, Person, Quote, Spots
from .yamlsafe import load_mapping

KEYS = (
    "title", "date", "published", "date_basis", "source", "author", "leaders", "topics", "event",
    "summary", "quotes", "people", "seed", "seed_sha256", "review",
)
PROFILE_KEYS = ("id", "name", "role", "country")
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"{d}{n}" for d in ("com", "lpt") for n in range(1, 10))})
# \Z, not $: `$` also matches before a final newline, and "x\n" must never pass as a slug
SLUG_PATTERN = re.compile(r"^(?!(?:con|prn|aux|nul|com[1-9]|lpt[1-9])\Z)[a-z0-9][a-z0-9-]{0,99}\Z")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0/C1 controls but tab and newline
_C0 = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])  # CONTROL's ASCII part, as bytes


def first_control(text: str) -> re.Match[str] | None:
    """CONTROL's first match in `text`. A regex walks a 6 KB body in about 35 µs; the bytes
    check first takes a few: C1 controls are U+0080-U+009F, which UTF-8 writes after a 0xC2 byte."""
    data = text.encode("utf-8", "surrogatepass")
    if b"\xc2" not in data and len(data.translate(None, _C0)) == len(data):
        return None
    return CONTROL.search(text)


def without_controls(text: str) -> str:
    """`text` with CONTROL's characters removed (the text itself when it has none)."""
    return CONTROL.sub("", text) if first_control(text) else text


MAX_FRONT_MATTER = 64 * 1024


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot name a brief (and its output folder), or None when it can."""
    if SLUG_PATTERN.match(slug):
        return None
    if len(slug) > 100:
        return f"it is {len(slug)} characters long; shorten it to 100 or fewer"
    if slug in WINDOWS_RESERVED:
        return f"'{slug}' is a reserved device name on Windows; add a word"
    if re.fullmatch(r"[a-z0-9-]+", slug):
        return "start it with a lowercase letter or digit"
    return "use lowercase letters, digits and hyphens"


def dump_brief(brief: Brief) -> str:
    """The brief as a file: YAML front matter in KEYS order, then the Markdown body."""
    data: dict[str, Any] = {
        "title": brief.title,
        "date": brief.date,
        "published": brief.published,
        "date_basis": brief.date_basis,
        "source": brief.source,
        "author": brief.author,
        "leaders": list(brief.leaders),
        "topics": list(brief.topics),
        "event": brief.event,
        "summary": brief.summary,
        "quotes": [{"speaker": q.speaker, "text": q.text} for q in brief.quotes],
        "people": [{"id": p.id, "name": p.name, "role": p.role, "country": p.country}
                   for p in brief.people],
        "seed": brief.seed,
        "seed_sha256": brief.seed_sha256,
        "review": list(brief.review),
    }
    if brief.date_basis is None:  # optional keys are written only when they say something
        del data["date_basis"]
    if not brief.people:
        del data["people"]
    import yaml  # only ingest and `new` write briefs: reading one needs no PyYAML

    front = yaml.dump(
        data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, allow_unicode=True, width=100_000,
        default_flow_style=False,
    )
    body = brief.body.strip("\n")
    return f"---\n{front}---\n\n{body}\n" if body else f"---\n{front}---\n"


def decode_brief(data: bytes, path: Path) -> str:
    """Strict UTF-8 with the bad byte's line and column; BOM dropped; line endings normalised; NFC.

    Used for every authored file (briefs, bios, site.yaml): a name typed as 'e' + combining
    accent and one typed precomposed come out as the same characters on every page.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        bad = data[exc.start : exc.start + 1].hex()
        message = f"not valid UTF-8 (byte 0x{bad}); save the file as UTF-8"
        raise ProblemsError([Problem(path, line, message, column)]) from None
    text = text.removeprefix("\ufeff")
    if "\r" in text:  # a quick scan: most files have none, and replacing costs 6 µs a brief even so
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Return (front matter YAML, body, body's first file line); errors name the file."""
    if not text.strip():
        raise ProblemsError([Problem(path, 1, "file is empty", 1)])
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise ProblemsError([Problem(path, 1, "missing front matter: the file must start with a '---' line", 1)])
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            front = "\n".join(lines[1:index])
            if len(front) > MAX_FRONT_MATTER:
                raise ProblemsError([Problem(path, 2, "front matter is larger than 64 KB")])
            return front, "\n".join(lines[index + 1 :]), index + 2
    raise ProblemsError([Problem(path, 1, "front matter opened with '---' but never closed", 1)])


def body_text(text: str, path: Path) -> str:
    """The Markdown body of a brief file's text, as parse_brief gives it (control characters removed)."""
    _front, body, _line = split_front_matter(text, path)
    return without_controls(body.strip("\n"))


def body_sha256(body: str) -> str:
    """The digest without_body keeps of the body it leaves out."""
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def without_body(brief: Brief) -> Brief:
    """The brief without its body (which only its own page shows), `body_sha256` naming it: what a
    build holds of every brief (10,000 bodies are 55 MB); each body is read again where it is rendered."""
    if brief.body_sha256 is not None:
        return brief
    return dataclasses.replace(brief, body="", body_sha256=body_sha256(brief.body))


def parse_brief(text: str, path: Path, keep_body: bool = True) -> tuple[Brief, tuple[Problem, ...]]:
    """Parse and type-check a brief; raise ProblemsError on errors, return warnings.

    Without `keep_body`, the brief is as without_body makes it (its body's digest, not its body)."""
    front, body, body_line = split_front_matter(text, path)
    body_line += len(body) - len(body.lstrip("\n"))
    bad = first_control(front)
    if bad:
        line = front.count("\n", 0, bad.start()) + 2
        column = bad.start() - (front.rfind("\n", 0, bad.start()) + 1) + 1
        message = f"control character U+{ord(bad.group()):04X} is not allowed in front matter; delete it"
        raise ProblemsError([Problem(path, line, message, column)])
    data, spots = load_mapping(front, path, line_offset=1)
    problems: list[Problem] = []

    def problem(key: str, message: str, severity: str = "error") -> None:
        line, column = spots.get(key, (1, None))
        problems.append(Problem(path, line, message, column, severity=severity))

    for key in data:
        if key not in KEYS:
            problem(str(key), f"unknown key '{key}'{did_you_mean(str(key), KEYS)}", "warning")

    slug = path.stem
    wrong = slug_problem(slug)
    if wrong:
        problems.append(Problem(path, None, f"file name '{printable(path.name)}' is not a valid slug: {wrong}"))

    def text_field(key: str, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                problem(key, f"missing required field '{key}'")
            return None
        if not isinstance(value, str):
            problem(key + "=", f"'{key}' must be a string, got {_type_name(value)} (quote it)")
            return str(value)
        return value

    def list_field(key: str, required: bool = False) -> tuple[str, ...]:
        if key not in data and required:
            problem(key, f"missing required field '{key}' (use [] for none)")
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problem(key + "=", f"'{key}' must be a list of strings, e.g. {key}: [a, b]")
            return ()
        return tuple(value)

    title = text_field("title", required=True) or ""
    if "title" in data and isinstance(data["title"], str) and not title.strip():
        problem("title=", "'title' is empty")
    if "date" not in data:
        problem("date", "missing required field 'date' (write 'date: null' when unknown)")
    event = text_field("event")
    if event is not None and not SLUG_PATTERN.match(event):
        problem("event=", f"event id '{event}' must be lowercase letters, digits and hyphens")
    date_basis = text_field("date_basis")
    if date_basis not in (None, "event"):
        problem("date_basis=", f"date_basis '{date_basis}' must be 'event' or absent")
    body = body.strip("\n")
    controls = first_control(body)
    clean = CONTROL.sub("", body) if controls else body
    brief = Brief(
        slug=slug,
        title=title,
        date=_date(data.get("date"), lambda m: problem("date=", m)),
        published=_date(data.get("published"), lambda m: problem("published=", m)),
        date_basis=date_basis,
        event=event,
        quotes=_quotes(data.get("quotes"), spots, problems, path),
        people=_profiles(data.get("people"), spots, problems, path),
        source=text_field("source"),
        author=text_field("author"),
        leaders=list_field("leaders", required=True),
        topics=list_field("topics", required=True),
        summary=text_field("summary") or "",
        seed=text_field("seed"),
        seed_sha256=text_field("seed_sha256"),
        review=list_field("review"),
        body=clean if keep_body else "",
        body_sha256=None if keep_body else body_sha256(clean),
        path=path,
        spots=Spots.of([*sorted(spots.items()), ("body", (body_line, 1))]),
    )
    if controls:
        line = body_line + body.count("\n", 0, controls.start())
        problems.append(Problem(path, line, f"control character U+{ord(controls.group()):04X} removed from the body",
                                severity="warning"))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ProblemsError(errors)
    return brief, tuple(problems)


def _records(value: object, key: str, fields: tuple[str, ...], required: tuple[str, ...],
             spots: dict[str, tuple[int, int]], problems: list[Problem], path: Path) -> list[dict[str, str]]:
    """A list of flat string mappings (quotes, people), each checked; bad entries are reported."""
    if value is None:
        return []
    line, column = spots.get(key + "=", spots.get(key, (1, 1)))
    if not isinstance(value, list):
        problems.append(Problem(path, line, f"'{key}' must be a list of mappings", column))
        return []
    records = []
    for index, item in enumerate(value):
        line, column = spots.get(f"{key}.{index}", (line, column))
        if not isinstance(item, dict):
            problems.append(Problem(path, line, f"'{key}' item {index + 1} must be a mapping", column))
            continue
        wrong = [k for k in item if k not in fields]
        bad = [k for k in fields if k in item and item[k] is not None and not isinstance(item[k], str)]
        missing = [k for k in required if not isinstance(item.get(k), str) or not item[k]]
        for message in ([f"unknown key '{k}'{did_you_mean(str(k), fields)}" for k in wrong]
                        + [f"'{k}' must be a string (quote it)" for k in bad]
                        + [f"missing '{k}'" for k in missing]):
            problems.append(Problem(path, line, f"'{key}' item {index + 1}: {message}", column))
        if not (wrong or bad or missing):
            records.append({k: str(item.get(k) or "") for k in fields})
    return records


def _quotes(value: object, spots: dict[str, tuple[int, int]], problems: list[Problem],
            path: Path) -> tuple[Quote, ...]:
    records = _records(value, "quotes", ("speaker", "text"), ("speaker", "text"), spots, problems, path)
    return tuple(Quote(r["speaker"], r["text"]) for r in records)


def _profiles(value: object, spots: dict[str, tuple[int, int]], problems: list[Problem],
              path: Path) -> tuple[Person, ...]:
    records = _records(value, "people", PROFILE_KEYS, ("id", "name"), spots, problems, path)
    for index, record in enumerate(records):
        if not SLUG_PATTERN.match(record["id"]):
            line, column = spots.get(f"people.{index}", (1, 1))
            message = f"person id '{record['id']}' must be lowercase letters, digits and hyphens"
            problems.append(Problem(path, line, message, column))
    return tuple(Person(id=r["id"], name=r["name"], role=r["role"], country=r["country"]) for r in records)


def _date(value: object, report: Any) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            report(f"invalid date '{value}' (no such day)")
            return None
    report(f"invalid date {value!r}: write YYYY-MM-DD, or null when unknown")
    return None


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()} (YAML reads yes/no/on/off as booleans)"
    return type(value).__name__
