"""Planned pages -> rendered files (Jinja). Nothing here touches the output folder."""

from __future__ import annotations

import collections
import datetime
import functools
import logging
import pickle
import traceback
import types
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import Any, TypeVar

import jinja2
import jinja2.bccache
import jinja2.environment
import jinja2.runtime
import markupsafe
from jinja2.utils import internalcode
from markupsafe import Markup, escape

from . import urls
from .errors import Problem, ProblemsError
from .load import content_files
from .model import Brief, OutputFile, Page, SiteConfig
from .plan import MONTHS, atom_time
from .stamp import code_version

log = logging.getLogger(__name__)

T = TypeVar("T")

JINJA_CACHE = Path(".briefing-cache") / "templates"  # compiled templates, under the project root

TEMPLATES = ("index.html", "brief.html", "person.html", "people.html", "topic.html", "topics.html",
             "archive.html", "month.html", "event.html", "events.html", "review.html", "search.html",
             "404.html", "feed.xml", "sitemap.xml", "robots.txt")


def long_date(value: datetime.date | None) -> str:
    """A date as "15 April 2025", the same on every machine and locale."""
    if value is None:
        return "Undated"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


@jinja2.pass_context
def _url_for(ctx: Any, kind: str, ident: str | None = None, page: int = 1) -> str:
    """url_for where no page's own is in scope (render_into gives each page one: urls.linker)."""
    target = urls.url_for(kind, ident, page)
    page_url = ctx["page_url"]
    if page_url == urls.NOT_FOUND:  # served at any path: links must be rooted
        return urls.rooted(target, ctx["site"].base_url)
    return urls.relative(target, page_url)


@jinja2.pass_context
def _absolute_url(ctx: Any, target: str) -> str:
    return urls.absolute(target, ctx["site"].base_url)


@jinja2.pass_context
def _feed_id(ctx: Any, target: str) -> str:
    return urls.tag_uri(target, ctx["site"].base_url, ctx["site"].title)


@functools.lru_cache(maxsize=1 << 14)
def _time_element(value: datetime.date | None) -> Markup:
    if value is None:
        return Markup('<span class="undated">Undated</span>')
    return Markup(f'<time datetime="{value.isoformat()}">{long_date(value)}</time>')


def when(brief: Brief) -> Markup:
    """A brief's date as a <time> element, or "Undated" (a global: called for every listed brief)."""
    return _time_element(brief.date)


def by_month(briefs: Iterable[Brief]) -> list[tuple[str, list[Brief]]]:
    """Briefs grouped under "April 2025" labels, in the order given; undated ones under "Undated"."""
    groups: list[tuple[str, list[Brief]]] = []
    for brief in briefs:
        label = f"{MONTHS[brief.date.month - 1]} {brief.date.year}" if brief.date else "Undated"
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(brief)
    return groups


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept on disk between processes (Jinja checks each against its source);
    a cache that cannot be read or written costs only speed."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError, TypeError, pickle.UnpicklingError):
            bucket.reset()  # cut short or foreign: compiled afresh, and written again

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError as exc:
            log.debug("compiled template not cached: %s", exc)


BODY_HINT = ("a brief's Markdown source is not shown to templates (a build holds briefs without it);"
             " its page has the rendered body as body_html")


_PASS_CONTEXT = jinja2.pass_context(lambda: None).jinja_pass_arg  # type: ignore[attr-defined]  # how Jinja marks them
# Types whose objects Jinja calls as they are, or with the context when marked so: it finds no mark
# on their type's __call__ (for BlockReference, `self.title()`, checked here for this Jinja).
_PLAIN_CALLS = frozenset({types.FunctionType, types.BuiltinFunctionType, types.BuiltinMethodType,
                          type(functools.lru_cache(maxsize=None)(lambda: None)),  # urls.url_for as url_path
                          *([] if hasattr(jinja2.runtime.BlockReference.__call__, "jinja_pass_arg")
                            else [jinja2.runtime.BlockReference])})


class _Context(jinja2.runtime.Context):
    """Jinja's context, with a shorter path for the calls templates make most (url_for, when,
    date.isoformat, self.title()): plain functions and builtins, taking nothing or the context
    (when no {% set %} variables are in force, which Jinja would add to it), and macros, which take
    the eval context. The rest (other callable objects, other marks) go through Jinja's own."""

    @internalcode
    def call(__self, __obj: Any, *args: Any, _loop_vars: Any = None, _block_vars: Any = None,  # noqa: N805
             **kwargs: Any) -> Any:
        """`__obj(*args, **kwargs)` from a template, as jinja2.runtime.Context.call makes it.

        Compiled templates pass `_loop_vars` or `_block_vars` (the {% set %} variables in force)
        with every call; named here, they cost no keyword dictionary."""
        kind = type(__obj)
        if kind in _PLAIN_CALLS:
            marked = getattr(__obj, "jinja_pass_arg", None)
            if marked is None or (marked is _PASS_CONTEXT and not _loop_vars and not _block_vars):
                try:
                    return __obj(__self, *args, **kwargs) if marked is not None else __obj(*args, **kwargs)
                except StopIteration:
                    return __self.environment.undefined(
                        "value was undefined because a callable raised a StopIteration exception")
        elif kind is jinja2.runtime.Macro:  # takes the eval context, as Jinja's call would find
            try:
                return __obj(__self.eval_ctx, *args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception")
        return super().call(__obj, *args, _loop_vars=_loop_vars, _block_vars=_block_vars, **kwargs)


def _escape_public(text: str) -> str:
    return str(escape(text))


# markupsafe's C escaping of a str, which its `escape` wraps in a Markup (private: when another
# markupsafe lacks it, its public escape made a str)
_escape_str: Callable[[str], str] = getattr(markupsafe, "_escape_inner", _escape_public)


def _escape_output(value: Any) -> str:
    """`{{ value }}`'s text, escaped as markupsafe's `escape` does, but not made a new Markup (a
    Markup given passes as it is).

    Compiled templates call `escape` only on what an expression outputs, and the pieces are joined
    into the page at once, so nothing needs the Markup; making it cost a fifth of a brief page."""
    kind = type(value)
    if kind is str:
        return _escape_str(value)
    if kind is Markup:  # its own __html__ gives itself (a date's <time>, a macro's output, a body)
        return value  # type: ignore[no-any-return]
    html = getattr(value, "__html__", None)
    if html is not None:
        return html()  # type: ignore[no-any-return]  # the object's own HTML, a str
    return _escape_str(str(value))


class _Template(jinja2.Template):
    """A compiled template whose `{{ }}` output is escaped by `_escape_output`, and whose modules
    imported `with context` are noted for render_into to take apart after the page."""

    @classmethod
    def _from_namespace(cls, environment: jinja2.Environment, namespace: MutableMapping[str, Any],
                        globals: MutableMapping[str, Any]) -> jinja2.Template:
        namespace["escape"] = _escape_output  # the name the compiled code calls (jinja2.compiler)
        return super()._from_namespace(environment, namespace, globals)

    def new_context(self, vars: dict[str, Any] | None = None, shared: bool = False,
                    locals: Mapping[str, Any] | None = None) -> jinja2.runtime.Context:
        """As Jinja's, but with the template's globals (a ChainMap) flattened into one dict first:
        the context copies and lists them for every page, and a ChainMap's Python-level keys and
        lookups made that 8 µs of each page's 13 µs of set-up."""
        globals = self.globals
        if type(globals) is collections.ChainMap:
            flat: dict[str, Any] = {}
            for mapping in reversed(globals.maps):  # the first map's names win, as in the ChainMap
                flat.update(mapping)
            globals = flat
        return jinja2.runtime.new_context(self.environment, self.name, self.blocks, vars, shared, globals, locals)

    def make_module(self, vars: dict[str, Any] | None = None, shared: bool = False,
                    locals: Mapping[str, Any] | None = None) -> jinja2.environment.TemplateModule:
        """As Jinja's; a module sharing a page's context ({% from ... import ... with context %})
        is a reference cycle (its context holds its macros, whose closures hold the context), so
        each page's would wait for the cycle collector: render_into breaks them instead."""
        context = self.new_context(vars, shared, locals)
        if shared and isinstance(self.environment, _Environment):
            self.environment.imported.append(context)
        return jinja2.environment.TemplateModule(self, context)


# Every attribute an object of these types has (a dict, and `self` in a template, have no instance
# attributes of their own but TemplateReference's one): for any other name, `obj.name` in a template
# is `obj["name"]` (`pager.page`, `self.title`), which getattr finds without first failing on it
# (an AttributeError raised and caught cost a microsecond, ten times a page).
_ATTRIBUTES: dict[type, frozenset[str]] = {
    dict: frozenset(dir(dict)),
    jinja2.runtime.TemplateReference: frozenset(dir(jinja2.runtime.TemplateReference)) | frozenset(
        vars(jinja2.runtime.TemplateReference(None))),  # type: ignore[arg-type]  # its instance attributes
}


class _Environment(jinja2.Environment):
    """Jinja's environment, but `brief.body` is undefined in every template: a build holds briefs
    without their bodies (pipeline), so a template reading it must fail in serve as in build."""

    context_class = _Context
    template_class = _Template

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.hrefs: dict[str, dict[str, str]] = {}  # what its pages' url_for share (urls.linker)
        self.imported: list[jinja2.runtime.Context] = []  # contexts of the modules the page being rendered imported
        self.loaded: dict[str, jinja2.Template] = {}  # name -> template (_load_template)

    def _load_template(self, name: str, globals: MutableMapping[str, Any] | None) -> jinja2.Template:
        """As Jinja's, but a template once loaded is found by its name in a plain dict: each page
        gets three (its own, the one it extends, the one it imports from), and Jinja's LRU cache,
        with its lock and reordering, cost 1 µs each. Only without auto_reload, as make_env makes
        it: its templates never change under it."""
        if not globals and not self.auto_reload:
            loaded = self.loaded.get(name)
            if loaded is not None:
                return loaded
        template = super()._load_template(name, globals)
        if not self.auto_reload:
            self.loaded[name] = template
        return template

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`obj.attribute` in a template, as Jinja resolves it, but never a brief's body."""
        names = _ATTRIBUTES.get(type(obj))
        if names is not None and attribute not in names:  # no such attribute: an item, as Jinja then tries
            try:
                return obj[attribute]
            except (TypeError, LookupError, AttributeError):
                return self.undefined(obj=obj, name=attribute)
        if attribute == "body" and type(obj) is Brief:
            return self.undefined(BODY_HINT, obj, attribute)
        try:  # the rest as jinja2.Environment.getattr: it is called for every dotted name, so inline
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """`obj[argument]` in a template, as Jinja resolves it, but never a brief's body."""
        if argument == "body" and type(obj) is Brief:
            return self.undefined(BODY_HINT, obj, argument)
        return super().getitem(obj, argument)


def make_env(templates: Path, cache_dir: Path | None = None) -> jinja2.Environment:
    """The Jinja environment: autoescape on, StrictUndefined, url_for as the only link maker.

    With `cache_dir`, compiled templates are kept there for the next process (the names carry
    this code's version: the options below shape the compiled code too)."""
    env = _Environment(
        bytecode_cache=_BytecodeCache(str(cache_dir), f"{code_version()}-%s.cache") if cache_dir else None,
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # compiled once: serve makes a new environment when a template file changes
    )
    env.globals["url_for"] = _url_for
    env.globals["url_path"] = urls.url_for
    env.globals["absolute_url"] = _absolute_url
    env.globals["feed_id"] = _feed_id
    env.globals["when"] = when
    env.filters["long_date"] = long_date
    env.filters["atom_time"] = atom_time
    env.filters["by_month"] = by_month
    return env


def render_pages(pages: Iterable[Page], env: jinja2.Environment, config: SiteConfig,
                 root: Path) -> list[OutputFile]:
    """Render every page; template errors name template, line and page, and nothing is written."""
    return render_into(pages, env, config, root, lambda file: file)


def render_into(pages: Iterable[Page], env: jinja2.Environment, config: SiteConfig, root: Path,
                sink: Callable[[OutputFile], T]) -> list[T]:
    """Render each page and hand its file to `sink` at once (a build streams pages to disk this way).

    Every template is compiled (and its syntax checked) first; render errors are collected and
    raised together as ProblemsError after the last page.
    """
    problems: list[Problem] = []
    for name in TEMPLATES:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            where = _template_path(exc.filename, root, name)
            problems.append(Problem(where, exc.lineno, exc.message or "syntax error"))
        except jinja2.TemplateNotFound as exc:
            problems.append(Problem(root / "templates" / name, None, f"template not found: {exc.name}"))
    if problems:
        raise ProblemsError(problems)
    results: list[T] = []
    hrefs = env.hrefs if isinstance(env, _Environment) else {}  # sibling pages share hrefs (urls.linker)
    imported = env.imported if isinstance(env, _Environment) else []
    for page in pages:
        context = {"site": config, "page_url": page.url, **page.context,
                   "url_for": urls.linker(page.url, config.base_url, hrefs)}
        try:
            html = env.get_template(page.template).render(context)
        except Exception as exc:  # noqa: BLE001 - any template failure is reported, not crashed on
            problems.append(_render_problem(exc, page, root))
            continue
        finally:  # the page is done with its imported macros: refcounting frees them at once (_Template.make_module)
            for module in imported:
                module.vars.clear()
            imported.clear()
        if not problems:
            results.append(sink(OutputFile(urls.output_path(page.url), html.encode("utf-8"), page.template)))
    if problems:
        raise ProblemsError(problems)
    return results


def static_files(templates: Path, root: Path) -> list[OutputFile]:
    """Files under templates/static/, copied to /static/."""
    folder = templates / "static"
    files = []
    for path in content_files(folder, ".css", root) + content_files(folder, ".js", root):
        url = urls.url_for("static", path.name)
        files.append(OutputFile(urls.output_path(url), path.read_bytes(), str(path)))
    return files


def _template_path(filename: str | None, root: Path, name: str) -> Path:
    return Path(filename) if filename else root / "templates" / name


def _render_problem(exc: Exception, page: Page, root: Path) -> Problem:
    where = f" (while rendering {page.url}" + (f" from {page.source.name}" if page.source else "") + ")"
    line = None
    template = root / "templates" / page.template
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml")):
            template, line = Path(filename), lineno
    return Problem(template, line, f"{type(exc).__name__}: {exc}{where}")
