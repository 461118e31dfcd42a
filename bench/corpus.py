"""Write a deterministic synthetic site: N briefs over 200 people and 30 topics, 500-800 words each."""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
WORDS = ("talks cooperation minister agreed delegation economic border security trade investment visit "
         "summit partnership maritime dialogue regional stability infrastructure railway port energy "
         "climate technology exchange youth culture tourism agreement signed framework bilateral "
         "multilateral development reform governance party relations strategic mutual trust").split()


def person_id(i: int) -> str:
    return f"person-{i:03d}"


def topic_id(i: int) -> str:
    return f"topic-{i:02d}"


def write_corpus(root: Path, briefs: int, people: int = 200, topics: int = 30, seed: int = 7,
                 search: bool = True) -> Path:
    """Create root/site.yaml, root/templates and root/content/briefs/*.md; return root."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    (root / "content" / "briefs").mkdir(parents=True)
    shutil.copytree(REPO / "templates", root / "templates")
    registry = {
        "title": "Benchmark briefing",
        "description": "A synthetic corpus.",
        "base_url": "https://bench.example.org/",
        "search": search,
        "people": {person_id(i): {"name": f"Person {i:03d}", "aliases": [f"P. {i:03d}"],
                                  "role": "Minister", "country": f"Country {i % 20}"} for i in range(people)},
        "topics": {topic_id(i): {"name": f"Topic {i:02d}", "description": f"Synthetic topic {i}.",
                                 "keywords": {WORDS[i % len(WORDS)]: 1}} for i in range(topics)},
    }
    (root / "site.yaml").write_text(yaml.safe_dump(registry, sort_keys=False), encoding="utf-8")
    for n in range(briefs):
        day = 1 + n % 28
        month = 1 + (n // 28) % 12
        year = 2015 + n // (28 * 12) % 10
        leaders = rng.sample(range(people), rng.randint(2, 4))
        chosen = rng.sample(range(topics), rng.randint(1, 3))
        paragraphs = []
        remaining = rng.randint(500, 800)
        while remaining > 0:
            size = min(remaining, rng.randint(40, 90))
            paragraphs.append(" ".join(rng.choice(WORDS) for _ in range(size)).capitalize() + ".")
            remaining -= size
        first = person_id(leaders[0])
        paragraphs.insert(1, f"See [{registry['people'][first]['name']}](person:{first}).")
        front = {
            "title": f"Brief {n}: {' '.join(rng.choice(WORDS) for _ in range(6))}",
            "date": f"{year}-{month:02d}-{day:02d}",
            "source": "Bench Wire",
            "author": None,
            "leaders": [person_id(i) for i in leaders],
            "topics": [topic_id(i) for i in chosen],
            "summary": paragraphs[0][:200],
            "seed": None,
            "seed_sha256": None,
            "review": [],
        }
        head = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
        text = "---\n" + head + "---\n\n" + "\n\n".join(paragraphs) + "\n"
        name = f"{year}-{month:02d}-{day:02d}-brief-{n:05d}.md"
        (root / "content" / "briefs" / name).write_text(text, encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("root", type=Path)
    args = parser.parse_args()
    write_corpus(args.root, args.briefs)


if __name__ == "__main__":
    main()


def write_seeds(root: Path, articles: int, site_yaml: Path, seed: int = 11) -> Path:
    """Create root/site.yaml, root/templates and root/seeds/*.txt: scraped-style raw articles."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    (root / "seeds").mkdir(parents=True)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(site_yaml, root / "site.yaml")
    months = ("January February March April May June July August September October November December").split()
    for n in range(articles):
        a, b = rng.sample(range(200), 2)
        paragraphs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90))).capitalize() + "."
                      for _ in range(rng.randint(6, 10))]
        text = "\n\n".join([
            "NEWSWIRE",
            f"Person {a:03d} and Person {b:03d} agree on {rng.choice(WORDS)} {rng.choice(WORDS)}",
            f"{months[n % 12]} {1 + n % 28}, {2015 + n % 10}",
            f"Minister Person {a:03d} met Person {b:03d} on Monday to discuss {rng.choice(WORDS)}. " + paragraphs[0],
            *paragraphs[1:],
            "Leave a Reply",
            "Back to top",
        ])
        (root / "seeds" / f"{n:05d}.txt").write_text(text + "\n", encoding="utf-8")
    return root
