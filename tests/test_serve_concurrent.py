"""serve under concurrent edits (bad-inputs row 39): the real server in a subprocess, polled with deadlines.

Whatever the interleaving of saves and rebuilds, the server keeps answering, a bad state shows
`file:line: message` in the page and the log, the next valid save recovers, and the site in the
end reflects the last save.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import write_files
from test_serve import BRIEF, Server, edit, free_port, get, running, wait_for

from briefing.errors import ProblemsError
from briefing.memo import BuildCache
from briefing.pipeline import build

NEW = "content/briefs/2025-04-16-late-news.md"
NEW_URL = "/briefs/2025-04-16-late-news/"
NEW_TEXT = ("---\ntitle: Late news from the coast\ndate: 2025-04-16\nleaders: [alice-nguyen]\ntopics: [trade]\n"
            "summary: A late summary.\n---\n\nThe first paragraph of the late news.\n\nThe closing paragraph, "
            "written last.\n")
OVERLAY = 'id="briefing-problems"'


@pytest.fixture
def live(site_root: Path) -> Iterator[Server]:
    with running(site_root) as started:
        yield started


def page(server: Server, path: str) -> tuple[int, str]:
    server.alive()
    status, body = get(server.port, path)
    return status, body.replace("&#x27;", "'")


def settled(server: Server, path: str, check: Callable[[int, str], bool], what: str) -> str:
    """Poll `path` until `check(status, body)` holds and the home page shows no problems."""
    def ready() -> str | None:
        status, body = page(server, path)
        home_ok = page(server, "/")
        if check(status, body) and home_ok[0] == 200 and OVERLAY not in home_ok[1]:
            return body
        return None
    return str(wait_for(ready, what))


def same_as_a_cold_build(server: Server, scratch: Path) -> None:
    """The served output/ is what a cold build of the sources now on disk writes (search index aside:
    serve publishes it after the pages)."""
    build(server.root, out_dir=scratch)

    def tree(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
                if p.is_file() and p.name != ".briefing-output" and "pagefind" not in p.relative_to(folder).parts}

    served, cold = tree(server.root / "output"), tree(scratch)
    assert served.keys() == cold.keys()
    assert [name for name in served if served[name] != cold[name]] == []


def no_crash(server: Server) -> None:
    log = server.output()
    assert "Traceback" not in log and "internal error" not in log, log


# Where an editor's first write stops, and what the server may show in between (a located error, or
# the partial text); either way the completed file wins.
TRUNCATIONS = {
    "inside the front matter": (NEW_TEXT.index("leaders:"), "/",
                                f"{NEW}:1:1: front matter opened with '---' but never closed"),
    "inside the body": (NEW_TEXT.index("closing paragraph") + len("closing"), NEW_URL, "The closing"),
}


@pytest.mark.parametrize(("cut", "shown_at", "interim"), TRUNCATIONS.values(), ids=TRUNCATIONS.keys())
def test_a_truncated_write_then_its_completion(live: Server, cut: int, shown_at: str, interim: str) -> None:
    """bad-inputs row 39: an editor writes a truncated file, then completes it."""
    path = live.root / NEW
    with path.open("w", encoding="utf-8") as handle:
        handle.write(NEW_TEXT[:cut])
        handle.flush()
        os.fsync(handle.fileno())
        wait_for(lambda: interim in page(live, shown_at)[1], "the truncated state to be shown")
        if shown_at == "/":  # an error: in the log too, and the last good site is still served
            assert interim in live.output()
            assert page(live, "/briefs/2025-04-14-talks-in-capital/")[0] == 200
        handle.write(NEW_TEXT[cut:])
    settled(live, NEW_URL, lambda status, body: status == 200 and "written last." in body, "the completed brief")
    no_crash(live)


def _rename_from_a_hidden_temp(target: Path, text: str) -> None:
    temp = target.with_name(f".{target.name}.tmp1234")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, target)


def _vim_backup_dance(target: Path, text: str) -> None:
    probe = target.parent / "4913"  # vim checks it may create files in the folder
    probe.write_text("")
    probe.unlink()
    backup = target.with_name(target.name + "~")
    os.rename(target, backup)
    target.write_text(text, encoding="utf-8")
    backup.unlink()


def _rename_over_from_a_sibling(target: Path, text: str) -> None:
    temp = target.with_name(target.name + ".swp")
    temp.write_text(text, encoding="utf-8")
    os.rename(temp, target)


SAVES = {"hidden temp, then rename": _rename_from_a_hidden_temp, "vim backup dance": _vim_backup_dance,
         "swap file renamed over": _rename_over_from_a_sibling}


@pytest.mark.parametrize("save", SAVES.values(), ids=SAVES.keys())
def test_an_atomic_save_by_rename(live: Server, save: Callable[[Path, str], None], tmp_path: Path) -> None:
    """bad-inputs row 39: atomic saves (temp file + rename) rebuild once, and temp names are never content."""
    target = live.root / BRIEF
    text = target.read_text(encoding="utf-8").replace("to discuss", "to settle")
    save(target, text)
    settled(live, "/briefs/2025-04-14-talks-in-capital/", lambda s, body: "to settle" in body, "the renamed save")
    log = live.output()
    assert not any(name in log for name in (".tmp1234", "4913", ".md~", ".swp")), log
    assert "error" not in log.lower(), log
    no_crash(live)


def test_twenty_saves_in_one_second(live: Server, tmp_path: Path) -> None:
    """bad-inputs row 39: a burst of 20 saves; the server answers throughout and ends on the last one."""
    target = live.root / BRIEF
    edit(target, "to discuss", "to discuss (save 0)")
    started = time.monotonic()
    for n in range(1, 21):
        edit(target, f"(save {n - 1})", f"(save {n})")
        assert page(live, "/")[0] == 200  # answering while the rebuilds run
        time.sleep(max(0.0, started + n * 0.05 - time.monotonic()))
    assert time.monotonic() - started < 2.0
    settled(live, "/briefs/2025-04-14-talks-in-capital/", lambda s, b: "(save 20)" in b, "the 20th save")
    same_as_a_cold_build(live, tmp_path / "cold")
    rebuilds = live.output().count("rebuilt in")
    assert 2 <= rebuilds <= 22  # the first build, then the burst (debounced; never more than one per save)
    no_crash(live)


def test_a_file_deleted_while_a_build_runs(site_root: Path, tmp_path: Path) -> None:
    """bad-inputs row 39: a brief deleted while a rebuild is under way is gone in the end; nothing crashes."""
    extra = {f"content/briefs/2025-03-{1 + n % 28:02d}-extra-{n:03d}.md":
             f"---\ntitle: Extra {n}\ndate: 2025-03-{1 + n % 28:02d}\nleaders: [bob-tran]\ntopics: [trade]\n---\n\n"
             + "Filler text for a slower build. " * 40 + "\n" for n in range(120)}
    write_files(site_root, extra)  # enough briefs that a full rebuild takes a while (0.3 s, polled every 0.02 s)
    server = Server(site_root, free_port())
    try:
        server.up()
        doomed = sorted(extra)[-1]
        doomed_url = "/briefs/" + Path(doomed).stem + "/"
        assert page(server, doomed_url)[0] == 200
        edit(site_root / "templates/base.html", "<footer", "<footer data-edit=1")  # every page re-renders
        wait_for(lambda: "changed: templates/base.html" in server.output(), "a rebuild to start", deadline=10)
        (site_root / doomed).unlink()  # while that rebuild runs
        during = server.output().split("changed: templates/base.html", 1)[1]
        settled(server, doomed_url, lambda status, body: status == 404, "the deleted brief's page to go")
        assert "data-edit=1" in page(server, "/briefs/2025-04-14-talks-in-capital/")[1]
        same_as_a_cold_build(server, tmp_path / "cold")
        no_crash(server)
        assert "rebuilt in" not in during, "the delete came after the rebuild: make the site bigger"
    finally:
        server.stop()


def test_malformed_yaml_then_a_fix(live: Server) -> None:
    """bad-inputs row 39: malformed YAML saved shows file:line in page and log, keeps the last good site, a fix recovers."""
    target = live.root / BRIEF
    good = target.read_text(encoding="utf-8")
    target.write_text(good.replace("source: Example Wire", "source: [Example Wire"), encoding="utf-8")
    where = f"{BRIEF}:5:7: did not find expected ',' or ']'"
    body = wait_for(lambda: where in page(live, "/")[1] and page(live, "/")[1], "the error overlay")
    assert OVERLAY in body
    assert where in live.output()
    status, old = page(live, "/briefs/2025-04-14-talks-in-capital/")
    assert status == 200 and "to discuss" in old and where in old  # the last good page, with the overlay
    target.write_text(good.replace("to discuss", "to review"), encoding="utf-8")
    settled(live, "/briefs/2025-04-14-talks-in-capital/", lambda s, b: "to review" in b, "the fixed save")
    no_crash(live)


def test_a_brief_gone_between_listing_and_reading_is_skipped(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bad-inputs row 39, made deterministic: the file vanishes after the folder was listed, before it is read."""
    import briefing.load as load
    import briefing.memo as memo

    doomed = site_root / "content/briefs/undated-note.md"
    kept = doomed.read_text(encoding="utf-8")
    cache = BuildCache()
    build(site_root, cache=cache)  # the cache now knows the file
    real_key, real_parse = memo.file_key, load.parse_file

    def key_of_vanishing(path: Path) -> object:
        if path == doomed:
            doomed.unlink(missing_ok=True)
        return real_key(path)

    def parse_vanishing(path: Path, keep_body: bool = True) -> object:
        if path == doomed:
            doomed.unlink(missing_ok=True)
        return real_parse(path, keep_body)

    monkeypatch.setattr(memo, "file_key", key_of_vanishing)
    monkeypatch.setattr(load, "parse_file", parse_vanishing)
    for run in (lambda: build(site_root, cache=cache), lambda: build(site_root)):  # serve's cached path, a cold build
        doomed.write_text(kept, encoding="utf-8")
        edit(site_root / BRIEF, "to discuss", "to discuss again")
        try:
            run()
        except ProblemsError as exc:
            pytest.fail(f"a vanished file is not an input error: {exc}")
        assert not doomed.exists()
        assert not (site_root / "output/briefs/undated-note").exists()
        assert "to discuss again" in (site_root / "output/briefs/2025-04-14-talks-in-capital/index.html").read_text()


def test_a_bio_gone_between_listing_and_reading_is_skipped(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bad-inputs row 39: a person's bio deleted while a build runs leaves the person without a bio, no crash."""
    import briefing.load as load

    bio = site_root / "content/people/alice-nguyen.md"
    real_read = load.read_text

    def read_vanishing(path: Path) -> str:
        if path == bio:
            bio.unlink(missing_ok=True)
        return real_read(path)

    monkeypatch.setattr(load, "read_text", read_vanishing)
    build(site_root)
    assert not bio.exists()
    assert (site_root / "output/people/alice-nguyen/index.html").is_file()
