"""Extract stage: Article -> Brief, one rule per module. Pure: no I/O."""

from __future__ import annotations

from slugify import slugify

from ..briefs import WINDOWS_RESERVED
from ..model import Article, Brief, IngestRules, Registry
from .body import to_markdown
from .dates import date_facts
from .people import discover, find_mentions, participants
from .quotes import find_quotes, verified
from .summary import summarize
from .title import make_title
from .topics import pick_topics

MAX_SLUG = 60

__all__ = ["extract", "make_slug"]


def make_slug(title: str, date_text: str | None, sha256: str) -> str:
    """`YYYY-MM-DD-<title-slug>` or `<title-slug>`; `brief-<hash8>` if the title gives none."""
    slug = slugify(title, max_length=MAX_SLUG, word_boundary=True, separator="-", lowercase=True)
    slug = "-".join(part for part in slug.split("-") if part)
    if not slug:
        slug = f"brief-{sha256[:8]}"
    if slug in WINDOWS_RESERVED and not date_text:  # con.md cannot be created on Windows
        slug = f"{slug}-brief"
    return f"{date_text}-{slug}" if date_text else slug


def extract(article: Article, registry: Registry, rules: IngestRules) -> Brief:
    """Turn a cleaned article into a brief using the registry and the ingest rules."""
    title, title_review = make_title(article, registry, rules.titles)
    dates = date_facts(article.head, article.paragraphs, rules.date_order)
    texts = [title, *(p.text for p in article.paragraphs)]
    text = "\n\n".join(texts)
    found = discover([p.text for p in article.paragraphs], registry, rules.titles, rules.nationalities)
    mentions = find_mentions(text, registry, found, rules.titles)
    people = participants(text, mentions)
    profiles = tuple(p for p in found if p.id in people)
    quotes = verified(find_quotes(text, mentions, people), article, people)
    topics, topic_review = pick_topics(text, registry, rules)
    review = (
        *title_review,
        *dates.review,
        *(f"unregistered-person: {p.name}" for p in profiles),
        *topic_review,
        *article.notes,
    )
    return Brief(
        slug=make_slug(title, dates.date.isoformat() if dates.date else None, article.sha256),
        title=title,
        date=dates.date,
        published=dates.published,
        source=article.source,
        author=article.author,
        leaders=people,
        topics=topics,
        summary=summarize(article.paragraphs),
        seed=article.seed,
        seed_sha256=article.sha256,
        review=tuple(dict.fromkeys(review)),
        body=to_markdown(article.paragraphs),
        quotes=quotes,
        people=profiles,
        path=None,
    )
