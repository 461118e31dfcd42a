"""Author preview: build, serve output/ on 127.0.0.1 with livereload, rebuild on change."""

from __future__ import annotations

import logging
from pathlib import Path

from .errors import ProblemsError

log = logging.getLogger(__name__)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def rebuild(root: Path, out_dir: Path, base_url: str | None) -> bool:
    """Ingest new seeds and build; log problems instead of raising. True when it succeeded."""
    from .config import load_config
    from .ingest import ingest
    from .pipeline import build

    try:
        config, registry = load_config(root / "site.yaml")
        ingest(root / "seeds", root / "content" / "briefs", config, registry)
        report = build(root, out_dir=out_dir, base_url=base_url)
    except ProblemsError as exc:
        for problem in exc.problems:
            log.error("%s", problem.format(root))
        log.error("build failed; still serving the last good site")
        return False
    log.info("rebuilt: %d pages (%d written) in %.2f s", report.pages, report.written, report.seconds)
    return True


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, out_dir: Path | None = None,
          base_url: str | None = None, open_browser: bool = False) -> None:
    """Serve the output folder with live reload until interrupted."""
    from livereload import Server  # type: ignore[import-untyped]

    out = (out_dir or root / "output").resolve()
    if host not in LOOPBACK:
        log.warning("warning: serving on %s exposes the preview to your network", host)
    rebuild(root, out, base_url)
    out.mkdir(parents=True, exist_ok=True)
    server = Server()
    for watched in ("seeds", "content", "templates", "site.yaml"):
        path = root / watched
        if path.exists():
            server.watch(str(path), lambda: rebuild(root, out, base_url), delay=0.3)
    log.info("serving %s at http://%s:%d/ (Ctrl-C to stop)", out, host, port)
    server.serve(root=str(out), host=host, port=port, open_url_delay=1 if open_browser else None,
                 restart_delay=0)
