"""config: site.yaml parsed once into typed objects; every problem located; unknown keys warned."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.config import load_config
from briefing.errors import ProblemsError

REPO = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_project_site_yaml_loads() -> None:
    config, registry = load_config(REPO / "site.yaml")
    assert config.base_url.endswith("/")
    assert {"xi-jinping", "to-lam", "luong-cuong", "nguyen-phu-trong"} <= set(registry.people)
    assert registry.people["to-lam"].name == "Tô Lâm"
    assert len(registry.topics) >= 8
    assert config.ingest.boilerplate and config.ingest.titles


def test_every_error_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "title: T\npeople:\n  xi:\n    name: 12\n  Bad Id:\n    name: x\n"
                           "topics:\n  t:\n    name: T\n    keywords: {sea: high}\n")
    with pytest.raises(ProblemsError) as err:
        load_config(path)
    lines = [p.format(tmp_path) for p in err.value.problems]
    assert lines == [
        "site.yaml:4:11: 'people.xi.name' must be a string, got int (quote it)",
        "site.yaml:5:3: people id 'Bad Id' must be lowercase letters, digits and hyphens (e.g. 'xi-jinping')",
        "site.yaml:10:15: topics.t.keywords: 'sea' needs a numeric weight",
    ]


def test_unknown_keys_warn_with_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, "title: T\nbase_ulr: /x/\npeople:\n  a:\n    name: A\n    alias: [b]\n")
    config, _ = load_config(path)
    assert [w.format(tmp_path) for w in config.warnings] == [
        "site.yaml:2:1: warning: unknown key 'base_ulr' in site.yaml (did you mean 'base_url'?)",
        "site.yaml:6:5: warning: unknown key 'alias' in people.a (did you mean 'aliases'?)",
    ]


@pytest.mark.parametrize(("value", "expected"), [
    ("/", "/"), ("/desk", "/desk/"), ("https://example.org", "https://example.org/"),
    ("https://example.org/a/b/", "https://example.org/a/b/"),
])
def test_base_url_is_normalised(tmp_path: Path, value: str, expected: str) -> None:
    config, _ = load_config(write(tmp_path, f"title: T\nbase_url: {value}\n"))
    assert config.base_url == expected


@pytest.mark.parametrize("value", ["javascript:alert(1)", "example.org", "//evil.org/"])
def test_bad_base_url_is_an_error(tmp_path: Path, value: str) -> None:
    # bad-inputs row 31: URL settings must be http(s) or a path, else E
    with pytest.raises(ProblemsError) as err:
        load_config(write(tmp_path, f"title: T\nbase_url: '{value}'\n"))
    assert "site.yaml:2:11: base_url must start with" in err.value.problems[0].format(tmp_path)


def test_missing_site_yaml(tmp_path: Path) -> None:
    with pytest.raises(ProblemsError) as err:
        load_config(tmp_path / "site.yaml")
    assert "site.yaml not found" in str(err.value)


def test_invalid_regex_in_rules(tmp_path: Path) -> None:
    with pytest.raises(ProblemsError) as err:
        load_config(write(tmp_path, "title: T\ningest:\n  boilerplate: ['(unclosed']\n"))
    assert "invalid regex '(unclosed'" in str(err.value)


def test_date_order_and_nationalities(tmp_path: Path) -> None:
    config, _ = load_config(write(tmp_path, "title: T\ningest:\n  date_order: dmy\n  nationalities: {Japanese: Japan}\n"))
    assert (config.ingest.date_order, config.ingest.nationalities) == ("dmy", (("Japanese", "Japan"),))
    config, _ = load_config(write(tmp_path, "title: T\n"))
    assert (config.ingest.date_order, config.ingest.nationalities) == ("auto", ())


@pytest.mark.parametrize("body", ["  date_order: ymd\n", "  nationalities: {Japanese: 3}\n", "  nationalities: [a]\n"])
def test_bad_date_order_or_nationalities(tmp_path: Path, body: str) -> None:
    with pytest.raises(ProblemsError) as err:
        load_config(write(tmp_path, "title: T\ningest:\n" + body))
    assert "date_order" in str(err.value) or "nationalities" in str(err.value)


@pytest.mark.parametrize(("first", "second"), [
    ("Zo\u00eb Lee", "Zoe\u0308 Lee"),  # NFC and NFD
    ("Alice Smith", "alice  smith"),  # case and spacing
    ("Sean O\u2019Brien", "Sean O'Brien"),  # curly and straight apostrophes
])
def test_one_person_under_two_spellings_is_an_error(tmp_path: Path, first: str, second: str) -> None:
    # bad-inputs row 21: NFC/NFD, case, spacing, quotes: one person or an error
    path = write(tmp_path, f"title: T\npeople:\n  a:\n    name: \"{first}\"\n  b:\n    name: \"{second}\"\n")
    with pytest.raises(ProblemsError) as err:
        load_config(path)
    assert "site.yaml:6:11: people 'a' and 'b' share the name" in err.value.problems[0].format(tmp_path)


@pytest.mark.parametrize("ident", ["con", "nul", "lpt1"])
def test_ids_that_windows_cannot_use_as_folders_are_refused(tmp_path: Path, ident: str) -> None:
    """bad-inputs row 27: a person or topic id is a folder name (people/<id>/), so device names are refused."""
    path = write(tmp_path, f"title: T\npeople:\n  {ident}:\n    name: Con Person\ntopics:\n  {ident}:\n    name: Con\n")
    with pytest.raises(ProblemsError) as caught:
        load_config(path)
    assert [p.format(tmp_path) for p in caught.value.problems] == [
        f"site.yaml:3:3: people id '{ident}' is a reserved device name on Windows; add a word",
        f"site.yaml:6:3: topics id '{ident}' is a reserved device name on Windows; add a word",
    ]
