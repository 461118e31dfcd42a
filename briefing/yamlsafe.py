"""Safe YAML reading with file line numbers: no tags, no aliases, no duplicate keys."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import yamlflat
from .errors import Problem, ProblemsError

if TYPE_CHECKING:  # PyYAML is imported when a text needs it: yamlflat reads plain front matter itself
    import yaml


@functools.cache
def _loader_class() -> type[Any]:
    """PyYAML's C safe loader (its Python one when the C one is missing), refusing aliases and
    duplicate keys, with timestamps kept as text."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc]
        def __init__(self, stream: str, path: Path, line_offset: int) -> None:
            super().__init__(stream)
            self.path = path
            self.line_offset = line_offset

        def _line(self, node: yaml.Node) -> int:
            return int(node.start_mark.line) + 1 + self.line_offset

        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            if node in self.constructed_objects:
                raise ProblemsError(
                    [Problem(self.path, self._line(node), "YAML anchors/aliases are not allowed (anchor defined here)")]
                )
            return super().construct_object(node, deep=deep)

        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            seen: dict[str, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                line = self._line(key_node)
                if key_node.value in seen:
                    message = f"duplicate key '{key_node.value}' (first at line {seen[key_node.value]})"
                    column = int(key_node.start_mark.column) + 1
                    raise ProblemsError([Problem(self.path, line, message, column)])
                seen[key_node.value] = line
            return dict(super().construct_mapping(node, deep=deep))

    Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
    return Loader


def _timestamp_as_text(loader: Any, node: yaml.ScalarNode) -> str:
    return str(node.value)


Spot = tuple[int, int]  # (file line, column), both 1-based


def load_mapping(
    text: str, path: Path, line_offset: int = 0, quick: bool = True
) -> tuple[dict[str, Any], dict[str, Spot]]:
    """Parse YAML that must be one mapping; return it and where each piece stands in the file.

    Spots are keyed by dotted path: "people.xi" is the key, "people.xi=" its value, and
    "leaders.0" the first item of a list.

    `line_offset` is how many file lines precede `text` (1 for front matter after `---`).
    Dates stay strings (the caller validates them). Raises ProblemsError with path and line.
    The plain subset briefs are made of is read without PyYAML (yamlflat); `quick=False` always
    uses PyYAML (the tests compare the two).
    """
    read = yamlflat.read(text, line_offset) if quick else None
    if read is not None:
        return read
    import yaml

    loader = _loader_class()(text, path, line_offset)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise ProblemsError(
                [Problem(path, loader._line(node), "YAML must be a mapping of keys to values")]
            )
        spots: dict[str, Spot] = {}
        _collect_spots(node, "", loader, spots)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise ProblemsError([_marked_problem(exc, path, line_offset, text)]) from None
    except yaml.YAMLError as exc:
        raise ProblemsError([Problem(path, line_offset + 1, f"invalid YAML: {exc}")]) from None
    except RecursionError:
        raise ProblemsError([Problem(path, line_offset + 1, "YAML nested too deeply")]) from None
    except (ValueError, OverflowError) as exc:
        message, line = f"invalid value: {exc}", line_offset + 1
        long_number = re.search(r"\d{4301,}", text)
        if "integer string conversion" in message and long_number:  # int max-str-digits: not Python's advice
            message = "invalid value: a number with more than 4300 digits (quote it if it is text)"
            line += text.count("\n", 0, long_number.start())
        raise ProblemsError([Problem(path, line, message)]) from None
    finally:
        loader.dispose()
    return data, spots


def _collect_spots(node: yaml.Node, prefix: str, loader: Any, out: dict[str, Spot]) -> None:
    """Map dotted paths ("people.xi-jinping.name", "...name=", "leaders.0") to file positions."""
    import yaml

    if len(prefix) > 512:
        return

    def spot(n: yaml.Node) -> Spot:
        return loader._line(n), int(n.start_mark.column) + 1

    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        dotted = f"{prefix}{key_node.value}"
        out.setdefault(dotted, spot(key_node))
        out.setdefault(dotted + "=", spot(value_node))
        if isinstance(value_node, yaml.MappingNode):
            _collect_spots(value_node, dotted + ".", loader, out)
        elif isinstance(value_node, yaml.SequenceNode):
            for index, item in enumerate(value_node.value):
                out.setdefault(f"{dotted}.{index}", spot(item))


def _marked_problem(exc: yaml.MarkedYAMLError, path: Path, line_offset: int, text: str = "") -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = int(mark.line) + 1 + line_offset if mark else line_offset + 1
    column = int(mark.column) + 1 if mark else None
    message = str(exc.problem or exc.context or "invalid YAML")
    lines = text.split("\n")
    char = lines[mark.line][mark.column: mark.column + 1] if mark and mark.line < len(lines) else ""
    if "cannot start any token" in message and char == "\t":
        message += " (a tab: indent YAML with spaces)"
    elif "cannot start any token" in message and char in ("@", "`"):
        message += f" ('{char}' cannot start a plain value: quote the value)"
    elif "found undefined alias" in message:
        message += " (a value starting with '*' or '&' must be quoted)"
    elif "could not determine a constructor" in message:
        message = f"unsupported YAML tag ({message}); only plain values are allowed"
    elif "single document" in str(exc.context) or "another document" in message:
        message = "single YAML document expected"
    elif "mapping values are not allowed" in message:
        message += " (quote the value)"
    return Problem(path, line, message, column)
