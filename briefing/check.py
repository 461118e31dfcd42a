"""`check`: build strictly into a temporary folder (or take an existing build) and check it."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .config import load_config, normalise_base_url
from .errors import SCHEMA, STRICT, Problem, ProblemsError, display_path
from .external import FetchPolicy, fetch_all
from .linkcheck import CheckReport, Finding, Link, check_site
from .output import MARKER
from .pipeline import build


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Problems to report (errors fail the check), plus the external links seen."""

    problems: tuple[Problem, ...]
    external: tuple[Link, ...]
    fetched: bool
    files: int

    @property
    def ok(self) -> bool:
        """True when no problem is an error."""
        return not any(p.severity == "error" for p in self.problems)


def check(root: Path, out_dir: Path | None = None, base_url: str | None = None, strict: bool = False,
          external: bool = False, policy: FetchPolicy | None = None) -> CheckResult:
    """Validate content, build (or take `out_dir` as built) and check everything emitted."""
    config, _ = load_config(root / "site.yaml")
    base = normalise_base_url(base_url) if base_url else config.base_url
    if base is None:
        raise ProblemsError([Problem("--base-url", None, f"'{base_url}' must start with '/' or 'http(s)://'")])
    if out_dir is not None and (out_dir / MARKER).is_file():
        report = check_site(out_dir, base, root / "templates")
        return _result(report, (), {}, out_dir, root, external, policy)
    with tempfile.TemporaryDirectory(prefix="briefing-check-") as tmp:
        out = Path(tmp) / "site"
        try:
            built = build(root, out_dir=out, base_url=base, fail_on=STRICT if strict else SCHEMA)
        except ProblemsError as exc:
            return CheckResult(exc.problems, (), False, 0)
        report = check_site(out, base, root / "templates")
        return _result(report, built.warnings, dict(built.sources), out, root, external, policy)


def _result(report: CheckReport, warnings: tuple[Problem, ...], sources: dict[str, str], out: Path,
            root: Path, external: bool, policy: FetchPolicy | None) -> CheckResult:
    problems = list(warnings)
    problems += [_locate(f, sources, out, root) for f in report.findings]
    if external:
        cache = root / ".briefing-cache" / "external.json"
        fetched = fetch_all([link.url for link in report.external], cache, policy or FetchPolicy())
        for link in report.external:
            outcome = fetched[link.url]
            if not outcome.ok:
                message = f"external link '{link.url}' failed: {outcome.error}"
                finding = Finding(link.path, link.line, message, "external")
                problems.append(_locate(finding, sources, out, root))
    return CheckResult(tuple(problems), report.external, external, report.files)


def _locate(finding: Finding, sources: dict[str, str], out: Path, root: Path) -> Problem:
    """Point at the source file line that wrote the link when we know it, else at the output."""
    source = sources.get(finding.path)
    if source:
        needle = _needle(finding.message)
        lines = Path(source).read_text(encoding="utf-8").split("\n")
        for number, text in enumerate(lines, 1):
            if needle and needle in text:
                where = f" (in output {finding.path}:{finding.line})"
                return Problem(Path(source), number, finding.message + where)
    return Problem(display_path(out / finding.path, root) if out.is_relative_to(root) else finding.path,
                   finding.line, finding.message)


def _needle(message: str) -> str | None:
    """The quoted URL in a finding's message, to look for in the source file."""
    start = message.find("'")
    end = message.find("'", start + 1)
    return message[start + 1:end] if start >= 0 and end > start + 1 else None


def format_problems(result: CheckResult, fmt: str, root: Path) -> str:
    """Render the result as text, json or GitHub annotations."""
    if fmt == "json":
        items = [{"file": display_path(p.path, root), "line": p.line, "column": p.column,
                  "severity": p.severity, "message": p.message} for p in result.problems]
        links = [{"url": e.url, "file": e.path, "line": e.line} for e in result.external]
        return json.dumps({"ok": result.ok, "problems": items, "external": links,
                           "external_checked": result.fetched}, indent=2, ensure_ascii=False)
    lines = []
    for p in result.problems:
        if fmt == "github":
            level = "error" if p.severity == "error" else "warning"
            where = f"file={display_path(p.path, root)}" + (f",line={p.line}" if p.line else "")
            if p.column:
                where += f",col={p.column}"
            lines.append(f"::{level} {where}::{_escape_github(p.message)}")
        else:
            lines.append(p.format(root))
    if fmt == "text" and result.external and not result.fetched:
        unique = sorted({e.url for e in result.external})
        lines.append(f"{len(unique)} external link(s) not fetched (use --external):")
        lines += [f"  {url}" for url in unique]
    errors = sum(1 for p in result.problems if p.severity == "error")
    if fmt != "github":
        lines.append(f"check: {result.files} files, {errors} error(s)" if result.files or errors == 0
                     else f"check: {errors} error(s); the site was not built")
    return "\n".join(lines)


def _escape_github(message: str) -> str:
    return message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
