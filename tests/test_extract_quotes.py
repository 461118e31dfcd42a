"""Quotes rule: attributed direct quotations, speakers resolved to leaders, verified verbatim."""

from __future__ import annotations

import pytest

from briefing.clean import clean
from briefing.extract import extract
from briefing.extract.people import find_mentions, participants
from briefing.extract.quotes import find_quotes, verified
from briefing.model import Article, IngestRules, Paragraph, Person, Quote, Registry

PEOPLE = [
    Person("xi-jinping", "Xi Jinping", short=("Xi",)),
    Person("to-lam", "Tô Lâm", aliases=("To Lam",), short=("Lam",)),
    Person("wang-yi", "Wang Yi"),
    Person("wang-xiaohong", "Wang Xiaohong"),
]
REGISTRY = Registry(people={p.id: p for p in PEOPLE}, topics={})
TITLES = ("President", "General Secretary", "Foreign Minister", "Minister", "Prime Minister")
LONG = "China and Vietnam will deepen cooperation in every field"


def quotes(*paragraphs: str, extra: tuple[Person, ...] = ()) -> list[tuple[str, str]]:
    text = "\n\n".join(paragraphs)
    mentions = find_mentions(text, REGISTRY, extra, TITLES)
    return [(q.speaker, q.text) for q in find_quotes(text, mentions, participants(text, mentions))]


@pytest.mark.parametrize(
    "paragraph",
    [
        f'Xi Jinping met To Lam. "{LONG}," Xi said.',
        f'Xi Jinping met To Lam. “{LONG},” Xi said.',
        f'Xi Jinping met To Lam. "{LONG}," said Xi Jinping.',
        f'Xi Jinping met To Lam. Xi said: "{LONG}"',
        f'Xi Jinping met To Lam. Xi told reporters, “{LONG}”',
        f'Xi Jinping met To Lam. According to Xi, "{LONG}"',
        f'Xi Jinping met To Lam. Xi wrote in the guest book: "{LONG}"',
        f'Xi Jinping met To Lam. "{LONG}", Xi said.',
    ],
)
def test_attribution_patterns(paragraph: str) -> None:
    assert quotes(paragraph) == [("xi-jinping", LONG)]


def test_pronoun_after_a_paragraph_about_one_leader() -> None:
    assert quotes("Xi Jinping arrived in Hanoi.", f'"{LONG}," he said.') == [("xi-jinping", LONG)]


def test_pronoun_after_a_paragraph_about_two_leaders_is_skipped() -> None:
    assert quotes("Xi Jinping met To Lam in Hanoi.", f'"{LONG}," he said.') == []


def test_pronoun_in_a_paragraph_naming_one_leader() -> None:
    assert quotes("Xi Jinping met To Lam.", f'To Lam smiled. "{LONG}," he said.') == [("to-lam", LONG)]


def test_ambiguous_surname_is_no_speaker() -> None:
    assert quotes(f'Wang Yi and Wang Xiaohong arrived. "{LONG}," Mr. Wang said.') == []


def test_fragments_short_quotes_and_unknown_speakers_are_skipped() -> None:
    assert quotes('Xi Jinping called the talks "full of warmth and touching," he said.',
                  'Xi Jinping said it was "good," and left.',
                  f'Xi Jinping met To Lam. "{LONG}," a spokesman said.',
                  f'Xi Jinping met To Lam. "{LONG}," the President said.') == []


def test_discovered_speaker_and_dedup() -> None:
    kishida = (Person("fumio-kishida", "Fumio Kishida"),)
    text = f'Prime Minister Fumio Kishida arrived. "{LONG}," Kishida said. "{LONG}," Mr. Kishida said again.'
    assert quotes(text, extra=kishida) == [("fumio-kishida", LONG)]


def test_historical_person_is_no_speaker() -> None:
    ho = (Person("ho-chi-minh", "Ho Chi Minh"),)
    assert quotes(f'Xi Jinping visited the tomb of President Ho Chi Minh. "{LONG}," Ho Chi Minh once said.',
                  extra=ho) == []


def test_verified_drops_anything_not_verbatim_or_not_a_leader() -> None:
    article = Article("x.txt", "0", "Title", None, None, (), (Paragraph(f'"{LONG}," Xi said.'),))
    candidates = [Quote("xi-jinping", LONG), Quote("xi-jinping", LONG + " and beyond"),
                  Quote("xi-jinping", LONG.replace("deepen", "deepen ")), Quote("to-lam", LONG),
                  Quote("xi-jinping", ""), Quote("xi-jinping", f" {LONG}")]
    assert verified(candidates, article, ("xi-jinping",)) == (Quote("xi-jinping", LONG),)


def test_verified_keeps_at_most_five() -> None:
    texts = [f"Sentence number {n} is here" for n in range(8)]
    article = Article("x.txt", "0", None, None, None, (), tuple(Paragraph(t) for t in texts))
    assert len(verified([Quote("xi-jinping", t) for t in texts], article, ("xi-jinping",))) == 5


def test_extract_quotes_are_in_the_cleaned_article() -> None:
    raw = (f'Talks in Hanoi\n\nXi Jinping met To Lam in Hanoi on Monday.\n\n\\"{LONG},\\" Xi said.\n').encode()
    rules = IngestRules(titles=TITLES)
    article = clean(raw, "x.txt", rules)
    brief = extract(article, REGISTRY, rules)
    assert brief.quotes == (Quote("xi-jinping", LONG),)
    assert all(q.text in article.paragraphs[1].text for q in brief.quotes)


def test_pronoun_after_another_name_is_skipped() -> None:
    assert quotes("Xi Jinping arrived in Hanoi.", f'Spokesman Lin Jian briefed reporters. "{LONG}," he said.') == []
    assert quotes(f'Xi Jinping arrived. Spokesman Lin Jian spoke. "{LONG}," he said.') == []
