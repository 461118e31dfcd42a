"""render: template errors name template, line and page, and fail before anything is written."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import pytest
from markupsafe import Markup

from briefing.errors import ProblemsError
from briefing.pipeline import build
from briefing.render import BODY_HINT, _escape_output, long_date, make_env


def problems(root: Path) -> list[str]:
    with pytest.raises(ProblemsError) as err:
        build(root)
    return [p.format(root) for p in err.value.problems]


def test_strict_undefined_and_autoescape_are_on(tmp_path: Path) -> None:
    # bad-inputs row 34: StrictUndefined, not the silent default
    env = make_env(tmp_path)
    assert env.undefined is jinja2.StrictUndefined
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_syntax_error_names_template_and_line_and_writes_nothing(site_root: Path) -> None:
    # bad-inputs row 33: E naming template and line; K
    build(site_root)
    before = {p: p.read_bytes() for p in (site_root / "output").rglob("*") if p.is_file()}
    template = site_root / "templates" / "topic.html"
    template.write_text(template.read_text() + "\n{% for x in y %}\n", encoding="utf-8")
    lines = problems(site_root)
    assert len(lines) == 1 and lines[0].startswith("templates/topic.html:")
    assert "endfor" in lines[0]
    assert {p: p.read_bytes() for p in (site_root / "output").rglob("*") if p.is_file()} == before


def test_undefined_variable_names_template_line_and_page(site_root: Path) -> None:
    # bad-inputs row 34: {{ titel }} names template, line and page
    (site_root / "templates" / "topics.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{{ titel }}\n{% endblock %}\n', encoding="utf-8")
    assert problems(site_root) == [
        "templates/topics.html:3: UndefinedError: 'titel' is undefined (while rendering /topics/)"]


def test_missing_attribute_in_a_brief_page(site_root: Path) -> None:
    # bad-inputs row 34: a missing attribute, every page's error collected
    path = site_root / "templates" / "brief.html"
    path.write_text(path.read_text().replace("{{ brief.title }}</h1>", "{{ brief.missing_field }}</h1>"))
    found = problems(site_root)
    assert len(found) == 3  # every brief page, all reported at once
    assert all("has no attribute 'missing_field'" in line and "(while rendering /briefs/" in line for line in found)
    assert all(line.startswith("templates/brief.html:") for line in found)


@pytest.mark.parametrize("expression", ["brief.body", "brief['body']"])
def test_a_template_reading_a_briefs_markdown_source_fails_by_line_with_the_hint(site_root: Path,
                                                                                 expression: str) -> None:
    # a build holds briefs without their bodies: reading one must fail loudly, not print nothing
    path = site_root / "templates" / "index.html"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(n for n, line in enumerate(lines, 1) if "{% block main %}" in line)
    lines.insert(at, "{% for brief in latest %}{{ " + expression + " }}{% endfor %}")
    path.write_text("\n".join(lines), encoding="utf-8")
    assert problems(site_root) == [f"templates/index.html:{at + 1}: UndefinedError: {BODY_HINT} (while rendering /)"]


def test_even_a_brief_with_its_body_does_not_show_it_to_templates(tmp_path: Path) -> None:
    import dataclasses

    from briefing.briefs import parse_brief

    brief, _ = parse_brief("---\ntitle: T\ndate: null\nleaders: []\ntopics: []\n---\n\nThe body.\n", tmp_path / "t.md")
    assert brief.body == "The body."
    env = make_env(tmp_path)
    with pytest.raises(jinja2.UndefinedError, match="body_html"):
        env.from_string("{{ brief.body }}").render(brief=brief)
    assert env.from_string("{{ brief.title }} {{ b.body }}").render(
        brief=brief, b=dataclasses.make_dataclass("Other", ["body"])("kept")) == "T kept"


def test_long_date_is_locale_independent() -> None:
    import datetime

    assert long_date(datetime.date(2025, 4, 5)) == "5 April 2025"
    assert long_date(None) == "Undated"


RUNTIME_ERRORS = {
    "division by zero in a macro, one page only": (
        "_macros.html", "{% macro timeline(", "{% macro boom(x) %}{{ 1 // x }}{% endmacro %}\n{% macro timeline(",
        "brief.html", "import crumbs,", "import boom, crumbs,",
        "brief.html", "{% block main %}", "{% block main %}{{ boom(brief.date.day if brief.date else 0) }}",
        "ZeroDivisionError: integer division or modulo by zero (while rendering /briefs/undated-note/ from undated-note.md)"),
    "an attribute of a None date, one page only": (
        "brief.html", "{% block main %}", "{% block main %}{{ brief.date.year }}", None, None, None,
        "UndefinedError: 'None' has no attribute 'year' (while rendering /briefs/undated-note/ from undated-note.md)"),
}


@pytest.mark.parametrize("case", RUNTIME_ERRORS.values(), ids=RUNTIME_ERRORS.keys())
def test_a_runtime_error_on_one_page_fails_the_build_and_keeps_the_site(site_root: Path, case: tuple[Any, ...]) -> None:
    """bad-inputs row 35: one page's runtime error fails the whole build, naming template, line and page; K."""
    import hashlib

    build(site_root)
    out = site_root / "output"
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*")) if p.is_file()}
    *edits, expect = case
    for name, old, new in zip(edits[0::3], edits[1::3], edits[2::3], strict=True):
        if name is not None:
            path = site_root / "templates" / name
            text = path.read_text(encoding="utf-8")
            assert old in text
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
    found = problems(site_root)
    assert len(found) == 1 and found[0].startswith("templates/") and found[0].endswith(expect), found
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*")) if p.is_file()} == before


@pytest.mark.parametrize(("template", "expected"), [
    ("{{ url_for('person', 'to-lam') }}", "../../people/to-lam/"),  # a context function, the short path
    ("{% for s in ['a', 'b'] %}{% set x = s ~ '-1' %}{{ url_for('brief', x) }} {% endfor %}",
     "../a-1/ ../b-1/ "),  # loop variables set: Jinja's own path, with them in the context
    ("{% set s = 'c' %}{{ url_for('brief', s) }}", "../c/"),
    ("{% for s in ['a', 'b'] %}{% set x = s %}{{ seen() }}{% endfor %}", "ab"),  # a context function sees them
    ("{{ d.isoformat() }} {{ f() }} {{ '%s'|format(1) }}", "2025-04-15 x 1"),
    ("{{ stop() is undefined }}", "True"),  # a StopIteration from a callable is an undefined value, as in Jinja
    ("{% macro m(a) %}[{{ url_for('home') }}{{ a }}]{% endmacro %}{{ m(1) }} {{ k(2) }}", "[../../1] 2!"),
    ("{{ env_fn() }} {{ ev_fn() }}", "env ev"),  # environment and eval-context functions: Jinja's path
    ("{{ cached(2) }} {% for s in ['a'] %}{% set x = s %}{{ cached(3) }}{{ cached_seen() }}{% endfor %}",
     "4 6a"),  # functools.lru_cache wrappers (url_path), unmarked and marked to take the context
    ("{% block t %}<{{ 1 }}>{% endblock %} {{ self.t() }} {{ self.t()|length }}", "<1> <1> 3"),  # block references
    ("{% block b %}{% set y = 'b' %}{{ self.t() }}{{ seen_y() }}{% endblock %}{% block t %}t{% endblock %}",
     "tbt"),  # in a block with {% set %} variables
])
def test_template_calls_behave_as_in_jinja(tmp_path: Path, template: str, expected: str) -> None:
    import datetime

    def stop() -> str:
        raise StopIteration

    class Callable:
        def __call__(self, n: int) -> str:
            return f"{n}!"

    env = make_env(tmp_path)
    out = env.from_string(template).render(
        page_url="/briefs/x/", site=None, d=datetime.date(2025, 4, 15), f=lambda: "x", stop=stop, k=Callable(),
        seen=jinja2.pass_context(lambda c: c["x"]), env_fn=jinja2.pass_environment(lambda e: "env"), ev_fn=jinja2.pass_eval_context(lambda e: "ev"),
        cached=functools.lru_cache(lambda n: n * 2), cached_seen=jinja2.pass_context(functools.lru_cache(lambda c: c["x"])),
        seen_y=jinja2.pass_context(lambda c: c["y"]))
    assert out == expected


@pytest.mark.parametrize("page", [
    "{{ a }} {{ b }} {{ c }}",
    "{% include 'inc.html' %}",
    "{% from 'mac.html' import m with context %}{{ m() }}",
    "{% from 'mac.html' import m %}{{ m() }}",  # without context: globals only
    "{% set b = 'set' %}{{ a }} {{ b }} {% include 'inc.html' %}",
])
def test_globals_are_seen_as_in_jinja(tmp_path: Path, page: str) -> None:
    """A page sees its own variables over the template's globals over the environment's (Jinja
    keeps globals in a ChainMap, which make_env's templates flatten for each context)."""
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    (tmp_path / "inc.html").write_text("[{{ a }} {{ b }} {{ c }}]", encoding="utf-8")
    (tmp_path / "mac.html").write_text("{% macro m() %}<{{ a }} {{ b }} {{ c }}>{% endmacro %}", encoding="utf-8")
    plain = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path), autoescape=True,
                               undefined=jinja2.StrictUndefined)
    ours = make_env(tmp_path)
    for env in (plain, ours):
        env.globals.update(a="env-a", b="env-b", c="env-c")
        assert env.get_template("page.html") is env.get_template("page.html")  # loaded once, then given globals
    rendered = [env.get_template("page.html", globals={"b": "tpl-b", "c": "tpl-c"}).render(c="ctx-c")
                for env in (plain, ours)]
    assert rendered[1] == rendered[0]
    assert "ctx-c" in rendered[0] or "env-c" in rendered[0]


def _outcome(env: jinja2.Environment, template: str, values: dict[str, Any]) -> str:
    """What rendering `template` in `env` gives: its text, or its error's type and message."""
    try:
        return env.from_string(template).render(values)
    except Exception as exc:  # noqa: BLE001 - the error is the outcome compared
        return f"{type(exc).__name__}: {exc}"


MACRO_CALLS = {
    "positional": "{% macro m(a, b) %}{{ a }}-{{ b }}{% endmacro %}{{ m(1, '<') }}",
    "defaults and keywords": "{% macro m(a, b=2, c='<') %}{{ a }}{{ b }}{{ c }}{% endmacro %}{{ m(1) }} {{ m(1, c=3) }}",
    "varargs and kwargs": "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs|dictsort }}{% endmacro %}{{ m(1, 2, 3, x=4) }}",
    "caller": "{% macro w(n) %}[{{ caller(n) }}]{% endmacro %}{% call(v) w(5) %}{{ v }}<{% endcall %}",
    "in a loop with set": "{% macro m(a) %}{{ a }}{% endmacro %}{% for i in [1, 2] %}{% set j = i * 2 %}{{ m(j) }}{% endfor %}",
    "in a block with set": "{% macro m(a) %}{{ a }}{% endmacro %}{% block b %}{% set j = 3 %}{{ m(j) }}{% endblock %}",
    "returned and filtered": "{% macro m() %}<b>{% endmacro %}{{ m()|upper }} {{ m()|length }} {% set x = m() %}{{ x }}",
    "autoescape off": "{% macro m(a) %}{{ a }}{% endmacro %}{% autoescape false %}{{ m('<') }}{% endautoescape %}",
    "called unescaped": ("{% macro m(a) %}{{ a }}{% endmacro %}"  # a str there (escaped again), a Markup here
                         "{% autoescape false %}{{ m('<')|escape }}{% endautoescape %} {{ m('<')|escape }}"),
    "too many arguments": "{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}",
    "unknown keyword": "{% macro m(a) %}{% endmacro %}{{ m(1, z=2) }}",
    "missing argument": "{% macro m(a) %}{{ a }}{% endmacro %}{{ m() }}",
}


@pytest.mark.parametrize("template", MACRO_CALLS.values(), ids=MACRO_CALLS.keys())
def test_macro_calls_behave_as_in_jinja(tmp_path: Path, template: str) -> None:
    """make_env's context calls macros directly; output and errors are Jinja's own."""
    plain = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)

    expected = _outcome(plain, template, {})
    assert _outcome(make_env(tmp_path), template, {}) == expected
    assert expected  # every case renders something or fails with a message


DOTTED = {
    "a key": "{{ d.page }}",
    "a missing key": "{{ d.nothing }}",
    "a method before a key": "{{ d.items is callable }} {{ d['items'] }}",
    "a dunder": "{{ d.__class__.__name__ }}",
    "a key of a dict subclass": "{{ o.page }} {{ o.keys is callable }}",
    "a missing key, tested": "{{ d.nothing is defined }} {{ d.page is defined }}",
    "a block by self": "{% block t %}<t>{% endblock %} {{ self.t() }}",
    "a missing block": "{{ self.nothing() }}",
    "self's own attribute": "{{ self._TemplateReference__context is defined }}",
    "a key on a non-mapping": "{{ n.page }}",
}


@pytest.mark.parametrize("template", DOTTED.values(), ids=DOTTED.keys())
def test_dotted_names_resolve_as_in_jinja(tmp_path: Path, template: str) -> None:
    """make_env's getattr looks up a dict's keys (and `self`'s blocks) directly: values and errors
    are Jinja's own."""
    import collections

    plain = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    values = {"d": {"page": 2, "items": "<key>"}, "o": collections.OrderedDict(page=3), "n": 5}

    assert _outcome(make_env(tmp_path), template, values) == _outcome(plain, template, values)


class _Html:
    def __html__(self) -> str:
        return "<em>own</em>"

    def __str__(self) -> str:
        return "<not used>"


class _OwnMarkup(Markup):
    def __html__(self) -> str:
        return "<i>its own</i>"


ESCAPED = ["<script>\"'&</script>", Markup("<b>kept</b> &amp;"), _OwnMarkup("<b>not this</b>"), 5, 1.5, None, True,
           _Html(), "", "plain"]


@pytest.mark.parametrize("template", [
    "{{ x }}",
    "{% set y %}<i>{{ x }}</i>{% endset %}{{ y }} {{ y|length }}",
    "{% macro m(a) %}<b>{{ a }}</b>{% endmacro %}{{ m(x) }} {{ m(x)|upper }}",
    "{% macro w() %}[{{ caller() }}]{% endmacro %}{% call w() %}{{ x }}{% endcall %}",
    "{{ x ~ '<' }} {{ '<' ~ x }}",
    "{{ x|e }} {{ x|safe }} {{ x|string }} {{ x|forceescape }}",
    "{% filter upper %}{{ x }}&{% endfilter %}",
    "{% autoescape false %}{{ x }}{% endautoescape %}{{ x }}",
    "{{ [x, '<']|join(',') }} {{ x|string|replace('<', '[') }}",
    "{{ x if x else '<none>' }}",
    "{% for c in [x, x] %}{{ loop.index }}{{ c }}{% endfor %}",
])
def test_output_is_escaped_as_jinja_escapes_it(tmp_path: Path, template: str) -> None:
    # make_env's templates escape `{{ }}` output with their own function (a str, not a Markup)
    plain = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                               trim_blocks=True, lstrip_blocks=True)
    ours = make_env(tmp_path)
    for value in ESCAPED:
        assert ours.from_string(template).render(x=value) == plain.from_string(template).render(x=value)


def test_an_undefined_output_fails_as_in_jinja(tmp_path: Path) -> None:
    with pytest.raises(jinja2.UndefinedError, match="'missing' is undefined"):
        make_env(tmp_path).from_string("{{ missing }}").render()


@pytest.mark.parametrize("value", ESCAPED)
def test_escape_output_is_markupsafe_escape_as_text(value: object) -> None:
    assert _escape_output(value) == str(markupsafe.escape(value))


def test_rendering_leaves_no_reference_cycles_and_imports_still_work(site_root: Path) -> None:
    """Macros imported `with context` are taken apart after each page, so its objects are freed
    at once instead of waiting for the cycle collector; a module imported without context (which
    Jinja keeps for the next page) and one imported with context both still work on every page."""
    import gc

    from briefing.config import load_config
    from briefing.load import load_site
    from briefing.plan import plan_pages
    from briefing.render import render_pages

    templates = site_root / "templates"
    (templates / "_plain.html").write_text('{% set mark = "!" %}{% macro shout(x) %}{{ x|upper }}{{ mark }}{% endmacro %}',
                                           encoding="utf-8")
    brief = templates / "brief.html"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "{% block main %}", '{% block main %}{% import "_plain.html" as plain %}{% import "_macros.html" as m with context %}'
        '<p class="t">{{ plain.shout(brief.title) }}</p>{{ m.crumbs([("Here", None)]) }}', 1), encoding="utf-8")
    config, registry = load_config(site_root / "site.yaml")
    site = load_site(site_root, config, registry)
    pages = list(plan_pages(site).pages)
    env = make_env(templates)
    render_pages(pages[:1], env, config, site_root)  # compiled, and the plain module cached
    gc.collect()
    gc.disable()
    try:
        files = render_pages(pages, env, config, site_root)
        assert gc.collect() == 0
    finally:
        gc.enable()
    shown = {f.path: f.data.decode() for f in files if f.source == "brief.html"}
    assert len(shown) == len(site.briefs) > 1
    for slug, item in site.briefs.items():
        html = shown[f"briefs/{slug}/index.html"]
        assert f'<p class="t">{markupsafe.escape(item.title.upper())}!</p>' in html
        assert html.count('<li aria-current="page">Here</li>') == 1 and html.count('href="../../">Home</a>') == 2
