"""briefing: raw news articles in, a cross-linked static briefing site out."""

__version__ = "0.1.0"
