"""Problems that name a file and line, collected and reported once."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

STRICT = frozenset({"warning", "review"})  # build --strict: any warning or review item fails
SCHEMA = frozenset({"warning"})  # check: schema warnings (unknown keys) fail; review items do not


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we can."""

    path: Path | str
    line: int | None
    message: str
    column: int | None = None
    severity: str = "error"  # "error"; "warning" (schema: fails check and --strict); "review" (fails --strict)

    def format(self, root: Path | None = None) -> str:
        """Render as `path:line:col: message`, the path relative to root when possible."""
        where = printable(display_path(self.path, root))
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{printable(self.message)}"


class BriefingError(Exception):
    """Base for every error caused by input rather than by a bug."""


class ProblemsError(BriefingError):
    """One or more problems, collected across files and raised once."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """`text` on one line: control characters and line separators as escapes (a file named
    "x\\n.md" is shown as `x\\n.md`, so a name cannot forge a further `path:line:` line)."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def display_path(path: Path | str, root: Path | None = None) -> str:
    """A path shown relative to root (the project folder) when it lies inside it."""
    p = Path(path)
    if root is not None:
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return p.as_posix() if isinstance(path, Path) else str(path)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ` (did you mean 'x'?)` suffix for the closest choice, or ''."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        lowered = word.lower()
        close = [c for c in options if lowered and (lowered in c or c in lowered)][:1]
    return f" (did you mean '{close[0]}'?)" if close else ""
