"""Extract stage: Article -> Brief, one rule per module. Pure: no I/O."""

from __future__ import annotations

from slugify import slugify

from ..model import Article, Brief, IngestRules, Registry
from .body import to_markdown
from .dates import event_date
from .people import leaders, unregistered
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
    return f"{date_text}-{slug}" if date_text else slug


def extract(article: Article, registry: Registry, rules: IngestRules) -> Brief:
    """Turn a cleaned article into a brief using the registry and the ingest rules."""
    title, title_review = make_title(article, registry, rules.titles)
    date, date_review = event_date(article.head, article.paragraphs)
    texts = [title, *(p.text for p in article.paragraphs)]
    people = leaders(texts, registry)
    unknown = unregistered(texts, registry, rules.titles)
    topics, topic_review = pick_topics("\n\n".join(texts), registry, rules)
    review = (
        *title_review,
        *date_review,
        *(f"unregistered-person: {name}" for name in unknown),
        *topic_review,
        *article.notes,
    )
    return Brief(
        slug=make_slug(title, date.isoformat() if date else None, article.sha256),
        title=title,
        date=date,
        source=article.source,
        author=article.author,
        leaders=people,
        topics=topics,
        summary=summarize(article.paragraphs),
        seed=article.seed,
        seed_sha256=article.sha256,
        review=tuple(dict.fromkeys(review)),
        body=to_markdown(article.paragraphs),
        path=None,
        spots=(),
    )
