#!/usr/bin/env python3
"""Entry point: `python build.py [ingest|build|serve] ...` (see README.md)."""

from briefing.cli import run

run()
