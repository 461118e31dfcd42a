"""Clean stage: decoding, normalisation, boilerplate, head (banner, byline, headline), captions."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.clean import clean, split_dateline
from briefing.config import load_config
from briefing.model import Article, IngestRules, Paragraph

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLES = FIXTURES / "articles"
LEDE = "Leaders of the two countries met in Hanoi today and agreed to deepen their cooperation further."


@pytest.fixture(scope="module")
def rules() -> IngestRules:
    config, _ = load_config(FIXTURES / "ingest_site.yaml")
    return config.ingest


def article(name: str, rules: IngestRules) -> Article:
    return clean((ARTICLES / name).read_bytes(), name, rules)


def texts(a: Article) -> list[str]:
    return [p.text for p in a.paragraphs]


def test_sha256_is_of_the_raw_bytes(rules: IngestRules) -> None:
    raw = b"\xef\xbb\xbfHeadline for the sha test\r\n\r\n" + LEDE.encode()
    a = clean(raw, "x.txt", rules)
    assert a.sha256 == hashlib.sha256(raw).hexdigest()
    assert a.seed == "x.txt"


def test_bom_and_crlf_give_the_same_article(rules: IngestRules) -> None:
    # bad-inputs rows 2 and 3: seeds with a BOM, CRLF or lone CR give the same article
    plain = clean(f"Headline for the line ending test\n\n{LEDE}\n".encode(), "x.txt", rules)
    crlf = clean(f"\ufeffHeadline for the line ending test\r\n\r\n{LEDE}\r".encode(), "x.txt", rules)
    assert (crlf.title, crlf.paragraphs, crlf.notes) == (plain.title, plain.paragraphs, ())


def test_normalisation(rules: IngestRules) -> None:
    # bad-inputs row 4: NUL and C1 controls are stripped from seed text (and row 7: NFC)
    raw = (
        "Cafe\u0301\u00a0talks\u200b  begin\u2003now\x00 here\x85 \\\"quoted\\\" he\\'s"
        " there and more words follow so this is a real paragraph of text.\n"
    ).encode()
    a = clean(raw, "x.txt", rules)
    assert texts(a) == [
        "Café talks begin now here \"quoted\" he's there and more words follow so this is a real"
        " paragraph of text."
    ]
    assert "\u0301" not in texts(a)[0] and "Café" in texts(a)[0]  # NFC


def test_emoji_zwj_sequence_is_kept(rules: IngestRules) -> None:
    # bad-inputs row 7: a ZWJ emoji sequence survives cleaning
    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
    a = clean(f"{LEDE} A family {family} watched.\n".encode(), "x.txt", rules)
    assert family in texts(a)[0]


def test_cp1252_fallback_adds_a_note(rules: IngestRules) -> None:
    # bad-inputs row 1: scraped seeds fall back to cp1252 only with an explicit note
    a = article("cp1252.txt", rules)
    assert a.notes == ("decoded as cp1252",)
    assert a.title == "Café talks end with “smart quotes” – and a deal"
    assert texts(a)[0].startswith("General Secretary Tô Lâm met")


def test_boilerplate_tail_and_slug_lines(rules: IngestRules) -> None:
    raw = (
        "Xi_Jinping_Pledges_to_Deepen_Ties\n\nListen to this article\n\n"
        "Xi Jinping Pledges to Deepen Ties\n\n" + LEDE + "\n\nShare this:\n\nFacebook\n\n"
        "The talks will resume next year.\n\nLeave a Reply\n\nAnother story that is not ours at all,"
        " with many words to make it look like a real paragraph of body text.\n"
    ).encode()
    a = clean(raw, "x.txt", rules)
    assert a.title == "Xi Jinping Pledges to Deepen Ties"
    assert texts(a) == [LEDE, "The talks will resume next year."]


def test_tail_marker_before_the_body_is_only_dropped(rules: IngestRules) -> None:
    a = clean(f"Related Articles\n\nHeadline about the talks\n\n{LEDE}\n".encode(), "x.txt", rules)
    assert a.title == "Headline about the talks"
    assert texts(a) == [LEDE]


def test_banner_byline_captions_and_trailing_junk(rules: IngestRules) -> None:
    a = article("banner_byline.txt", rules)
    assert a.source == "WIREDESK"
    assert a.author == "Ngo Van Minh"
    assert a.title == "Xi Jinping Meets Tô Lâm in Hanoi for Talks"
    assert a.head == ("April 14, 2025",)
    assert [p.kind for p in a.paragraphs] == ["text", "text", "caption"]
    assert a.paragraphs[2] == Paragraph("Children wave flags at the welcoming ceremony in Hanoi on Monday.", "caption")
    body = "\n".join(texts(a))
    for junk in ("Ngo Van Minh", "Xinhua", "China Daily", "wiredesk", "Transparency", "Listen"):
        assert junk not in body


@pytest.mark.parametrize(
    "credit", ["(Photo/Xinhua)", "(Feng Yongbin/China Daily)", "(Photo: Reuters)", "(AFP Photo)", "(photos by VNA)"]
)
def test_caption_credits(rules: IngestRules, credit: str) -> None:
    a = clean(f"{LEDE}\n\nThe two leaders shake hands in Hanoi. {credit}\n".encode(), "x.txt", rules)
    assert a.paragraphs[1] == Paragraph("The two leaders shake hands in Hanoi.", "caption")
    assert a.author is None


def test_parenthesis_without_credit_is_text(rules: IngestRules) -> None:
    a = clean(f"{LEDE}\n\nThe party congress opens next year (the 14th).\n".encode(), "x.txt", rules)
    assert a.paragraphs[1].kind == "text"


def test_by_line(rules: IngestRules) -> None:
    a = article("kishida_widodo.txt", rules)
    assert a.author == "Jane Doe"
    assert a.title == "Japan and Indonesia agree to boost maritime cooperation"
    assert not any("Jane Doe" in t or "Share" in t or "Some other story" in t for t in texts(a))
    assert a.paragraphs[-1].kind == "caption"


def test_outlet_prefix_and_no_headline(rules: IngestRules) -> None:
    a = article("lede_only.txt", rules)
    assert a.title is None
    assert a.source == "VNA"
    assert texts(a)[0].startswith("On Monday, as the talks ended in Beijing,")


def test_dateline_gives_source(rules: IngestRules) -> None:
    a = article("dateline_afp.txt", rules)
    assert a.source == "AFP"
    assert texts(a)[0].startswith("Chinese Foreign Minister Wang Yi held talks")


@pytest.mark.parametrize(
    ("text", "outlet", "rest"),
    [
        ("(AseanAll) — On the morning", "AseanAll", "On the morning"),
        ("JAKARTA, March 3 (AFP) - Leaders met", "AFP", "Leaders met"),
        ("HANOI (VNA) -- Leaders met", "VNA", "Leaders met"),
        ("HANOI — Leaders met", None, "Leaders met"),
        ("MANILA, Sept. 5, 2022 — Leaders met", None, "Leaders met"),
        ("MANILA, Sept. 5 - Leaders met", None, "Leaders met"),
        ("PUTRAJAYA: Leaders met", None, "Leaders met"),
        ("US: Leaders met", None, "US: Leaders met"),
        ("Leaders (in Hanoi) met", None, "Leaders (in Hanoi) met"),
    ],
)
def test_split_dateline(text: str, outlet: str | None, rest: str) -> None:
    found, _, remainder = split_dateline(text)
    assert (found, remainder) == (outlet, rest)


def test_headline_is_not_a_name_byline(rules: IngestRules) -> None:
    a = clean(f"China, Vietnam to foster cooperation\n\n{LEDE}\n".encode(), "x.txt", rules)
    assert (a.title, a.author) == ("China, Vietnam to foster cooperation", None)


@pytest.mark.parametrize("name", ["boilerplate_only.txt"])
def test_boilerplate_only_has_no_paragraphs(rules: IngestRules, name: str) -> None:
    # bad-inputs row 5: a seed that is all boilerplate has no article text
    assert article(name, rules).paragraphs == ()


def test_empty_input(rules: IngestRules) -> None:
    # bad-inputs row 5: empty and whitespace-only seeds have no paragraphs
    assert clean(b"", "x.txt", rules).paragraphs == ()
    assert clean(b"\n \r\n\t\n", "x.txt", rules).paragraphs == ()


def test_dateline_is_kept_in_the_head_for_its_date(rules: IngestRules) -> None:
    assert article("dateline_afp.txt", rules).head == ("JAKARTA, March 3 (AFP)",)
    assert article("lede_only.txt", rules).head == ()  # "(VNA) —" has no date


def test_date_after_a_byline_is_kept_in_the_head(rules: IngestRules) -> None:
    a = clean(f"Headline about the talks\n\nBy Jane Doe | March 8, 2022\n\n{LEDE}\n".encode(), "x.txt", rules)
    assert (a.author, a.head) == ("Jane Doe", ("March 8, 2022",))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \t\r\n\x00\x1f\x85\u00a0\u200b\u200c\u200d\u00ad\u2028e\u0301é\ufeff\u3000")))
def test_normalise_fast_paths_match_the_plain_rules(text: str) -> None:
    """The ASCII and no-joiner shortcuts in normalise give exactly what applying every rule gives."""
    from briefing.clean import _BREAKS, _CONTROLS, _SPACES, _STRAY_JOINER, _ZERO_WIDTH, normalise

    plain = _BREAKS.sub("\n", text)
    plain = unicodedata.normalize("NFC", plain)
    plain = _SPACES.sub(" ", plain)
    plain = _STRAY_JOINER.sub("", _ZERO_WIDTH.sub("", plain))
    plain = _CONTROLS.sub("", plain)
    assert normalise(text) == [" ".join(line.split()) for line in plain.split("\n")]
