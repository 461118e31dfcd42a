"""linkcheck: hand-written output folders, one problem each, found at the right line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import write_files

from briefing.linkcheck import check_site

PAGE = "<!doctype html>\n<html><body>\n{body}\n</body></html>\n"
BASE = {
    "index.html": PAGE.format(body='<a href="people/">p</a>\n<a href="people/a/#bio">a</a>'),
    "people/index.html": PAGE.format(body='<h1 id="top">People</h1><a href="../">home</a>'),
    "people/a/index.html": PAGE.format(body='<p id="bio">Bio</p><a href="../../#x">broken</a>'),
    "static/app.js": "",
}


def findings(tmp_path: Path, files: dict[str, str], base_url: str = "/",
             templates: dict[str, str] | None = None) -> list[tuple[str, int, str]]:
    out = tmp_path / "out"
    write_files(out, files)
    tdir = None
    if templates is not None:
        tdir = tmp_path / "templates"
        write_files(tdir, templates)
    report = check_site(out, base_url, tdir)
    return [(f.path, f.line, f.message) for f in report.findings]


def test_broken_fragment_on_an_existing_page(tmp_path: Path) -> None:
    # bad-inputs row 25: a fragment that no id matches is found
    assert findings(tmp_path, BASE) == [
        ("people/a/index.html", 3, "broken fragment '../../#x': no id 'x' in index.html")]


@pytest.mark.parametrize(("body", "message"), [
    ('<a href="missing/">x</a>', "broken link 'missing/': no file for people/missing/"),
    ('<img src="img/none.png" alt="">', "broken link 'img/none.png': no file for people/img/none.png"),
    ('<link rel="stylesheet" href="/static/none.css">', "broken link '/static/none.css': no file for static/none.css"),
    ('<a href="../../../../etc/passwd">x</a>', "link '../../../../etc/passwd' leaves the site's base path '/'"),
    ('<a href="#">x</a>', "empty link target '#'"),
    ('<a href="javascript:alert(1)">x</a>', "unsafe URL 'javascript:alert(1)'"),
    ('<a href=" JaVa&#x09;Script:alert(1)">x</a>', "unsafe URL 'JaVa\tScript:alert(1)'"),
    ('<img src="data:image/png;base64,AA" alt="">', "unsafe URL 'data:image/png;base64,AA'"),
    ('<p id="dup">a</p><p id="dup">b</p>', "duplicate id 'dup' (first on line 3)"),
    ('<script>alert(1)</script>', "inline <script> not from a template"),
    ('<script src="https://evil.example/x.js"></script>', "<script src='https://evil.example/x.js'> is not one of the site's own scripts"),
    ('<img src="x.png" onerror="alert(1)" alt="">', "inline event handler onerror= not from a template"),
])
def test_each_defect_is_found(tmp_path: Path, body: str, message: str) -> None:
    files = {**BASE, "people/index.html": PAGE.format(body=body), "x.png": ""}
    found = [f for f in findings(tmp_path, files) if f[0] == "people/index.html"]
    assert (("people/index.html", 3, message) in found), found


def test_scripts_and_handlers_written_in_templates_are_allowed(tmp_path: Path) -> None:
    body = '<script src="../static/app.js"></script><script>initSearch()</script><button onclick="go()">b</button>'
    files = {**BASE, "people/index.html": PAGE.format(body=body)}
    templates = {"base.html": '<script>initSearch()</script>\n<button onclick="go()">b</button>'}
    found = [f for f in findings(tmp_path, files, templates=templates) if f[0] == "people/index.html"]
    assert found == []


def test_sub_path_base_url(tmp_path: Path) -> None:
    files = {"index.html": PAGE.format(body='<a href="/desk/people/">ok</a> <a href="/people/">outside</a>'),
             "people/index.html": PAGE.format(body="")}
    assert findings(tmp_path, files, base_url="https://example.org/desk/") == [
        ("index.html", 3, "link '/people/' leaves the site's base path '/desk/'")]


def test_absolute_links_to_our_own_site_are_checked(tmp_path: Path) -> None:
    files = {"index.html": PAGE.format(
        body='<link rel="canonical" href="https://example.org/desk/">\n<a href="https://example.org/desk/gone/">x</a>')}
    assert findings(tmp_path, files, base_url="https://example.org/desk/") == [
        ("index.html", 4, "broken link 'https://example.org/desk/gone/': no file for gone/")]


def test_sitemap_and_feed_urls_are_checked(tmp_path: Path) -> None:
    files = {
        "index.html": PAGE.format(body=""),
        "sitemap.xml": '<?xml version="1.0"?>\n<urlset>\n<url><loc>https://e.org/</loc></url>\n'
                       "<url><loc>https://e.org/gone/</loc></url>\n</urlset>\n",
        "feed.xml": '<?xml version="1.0"?>\n<feed>\n<link rel="self" href="https://e.org/feed.xml"/>\n'
                    '<entry><link href="https://e.org/old/"/></entry>\n</feed>\n',
    }
    assert findings(tmp_path, files, base_url="https://e.org/") == [
        ("feed.xml", 4, "broken link 'https://e.org/old/': no file for old/"),
        ("sitemap.xml", 4, "broken link 'https://e.org/gone/': no file for gone/"),
    ]


def test_external_links_are_collected_not_judged(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_files(out, {"index.html": PAGE.format(body='<a href="https://example.org/x">x</a>\n<a href="mailto:a@b.c">m</a>')})
    report = check_site(out, "/")
    assert report.findings == ()
    assert [(e.url, e.path, e.line) for e in report.external] == [("https://example.org/x", "index.html", 3)]


def test_links_inside_comments_are_ignored(tmp_path: Path) -> None:
    files = {"index.html": PAGE.format(body='<!-- <a href="gone/">x</a> -->\n<p>ok</p>')}
    assert findings(tmp_path, files) == []


def test_same_href_from_different_depths_is_judged_separately(tmp_path: Path) -> None:
    files = {"a/index.html": PAGE.format(body='<a href="../x/">ok</a>'),
             "index.html": PAGE.format(body='<a href="../x/">out</a>'),
             "x/index.html": PAGE.format(body="")}
    assert findings(tmp_path, files) == [("index.html", 3, "link '../x/' leaves the site's base path '/'")]


def _many_pages(count: int) -> dict[str, str]:
    """`count` pages linking to their neighbours and to ids on them, with a defect on every 37th."""
    files = {"index.html": PAGE.format(body='<a href="p/0/">first</a><a href="https://example.com/">out</a>')}
    for n in range(count):
        body = [f'<h2 id="s{n}">Page {n}</h2>', '<a href="../../">home</a>', f'<a href="#s{n}">here</a>',
                f'<a href="../{(n + 1) % count}/#s{(n + 1) % count}">next</a>']
        if n % 37 == 0:
            body += [f'<a href="../{(n + 2) % count}/#nowhere">bad fragment</a>', '<a href="../missing/">gone</a>',
                     '<p id="twice">a</p><p id="twice">b</p>', f'<a href="https://example.org/{n}">ext</a>']
        if n % 53 == 0:
            body.append('<a href="#nope">no such id here</a><script>alert(1)</script>')
        files[f"p/{n}/index.html"] = PAGE.format(body="\n".join(body))
    return files


def test_checking_on_two_cores_finds_what_one_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files checked in two processes (links to another file's ids judged after): the same report."""
    out = tmp_path / "out"
    write_files(out, _many_pages(450))  # enough files that the check forks (200 a process at least)
    one = check_site(out, "/", None, processes=1)
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    two = check_site(out, "/", None, processes=2)
    assert forks, "the check did not fork: this test compares nothing"
    assert two == one
    kinds = [f.kind for f in one.findings]
    assert kinds.count("missing-fragment") == 13 + 9  # another page's id (every 37th), this page's (53rd)
    assert kinds.count("broken-link") == 13 and kinds.count("duplicate-id") == 13
    assert kinds.count("unexpected-script") == 9
    assert len(one.external) == 14
    assert ("p/37/index.html", 7, "broken fragment '../39/#nowhere': no id 'nowhere' in p/39/index.html") in [
        (f.path, f.line, f.message) for f in one.findings]
