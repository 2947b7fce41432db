"""Framing core: catalogue, detectors, overlay edits, profiles, and the CLI acceptance commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.cli import main
from reader.core.context import AppContext
from reader.core.errors import ReaderError
from reader.core.framing import PATTERN_RULES, FramingDetector, FramingEngine, load_catalogue
from reader.core.framing.catalogue import FramingDataError, parse_catalogue
from reader.core.framing.lexicon import WordLists, expand_entry, fold, parse_lists

PTC_LABELS = {"Loaded_Language", "Name_Calling,Labeling", "Repetition", "Exaggeration,Minimisation", "Doubt",
              "Appeal_to_fear-prejudice", "Flag-Waving", "Causal_Oversimplification", "Slogans",
              "Appeal_to_Authority", "Black-and-White_Fallacy", "Thought-terminating_Cliches",
              "Whataboutism,Straw_Men,Red_Herring", "Bandwagon,Reductio_ad_hitlerum"}


@pytest.fixture
def engine(tmp_path: Path) -> FramingEngine:
    return FramingEngine(tmp_path / "data", tmp_path / "cache")


def test_catalogue_has_the_14_ptc_techniques() -> None:
    cat = load_catalogue()
    assert {t.ptc for t in cat.values()} == PTC_LABELS
    for tech in cat.values():
        assert tech.name and tech.definition.endswith(".") and tech.example
        assert tech.colour.startswith("#") and len(tech.colour) == 7
    assert len({t.colour for t in cat.values()}) == 14


def test_bad_catalogue_names_the_entry() -> None:
    with pytest.raises(FramingDataError, match="colour"):
        parse_catalogue({"techniques": [{"id": "x", "colour": "red"}]}, "t.yaml")
    with pytest.raises(FramingDataError, match="unknown technique"):
        parse_lists({"lists": {"nonsense": ["a"]}}, "l.yaml", known={"doubt"})


def test_fold_keeps_length_and_inflections() -> None:
    for text in ("So-called “İstanbul” — ’tis", "ﬁ ß İ", "a\u2014b\nc"):
        assert len(fold(text)) == len(text)
    assert {"bandit", "bandits"} <= expand_entry("bandit")
    assert {"brutal", "brutally", "brutality"} <= expand_entry("brutal")
    assert expand_entry("=regime") == {"regime"}
    assert "witch hunts" in expand_entry("witch hunt")


def test_detector_rules_explain_each_span() -> None:
    lists = WordLists({"name_calling": ["bandit"], "loaded_language": ["brutal"]},
                      intensifiers={"utterly"}, evaluative={"wrong"})
    det = FramingDetector(lists)
    text = ('The so-called experts called them "bandits". Brutal! The “peaceful protesters” were utterly wrong. '
            "Why would anyone believe such a story from them?")
    spans = det.detect(text)
    rules = {s.rule for s in spans}
    assert {"so_called", "list:name_calling", "list:loaded_language", "scare_quotes", "intensifier",
            "rhetorical_question", "exclamation"} <= rules
    scare = [s for s in spans if s.rule == "scare_quotes"]
    assert [text[s.start:s.end] for s in scare] == ["“peaceful protesters”"]
    assert all(s.rule in PATTERN_RULES or s.rule.startswith("list:") for s in spans)


def test_attributed_quote_is_not_a_scare_quote() -> None:
    det = FramingDetector(WordLists())
    spans = det.detect('The minister said the talks were "very productive" and "useful".')
    assert not [s for s in spans if s.rule == "scare_quotes"]


def test_neutral_words_are_never_flagged() -> None:
    lists = WordLists({"loaded_language": ["protesters", "brutal"]}, neutral={"protesters"})
    spans = FramingDetector(lists).detect("Brutal protesters.")
    assert [s.term for s in spans] == ["brutal"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_random_unicode_never_crashes_and_spans_slice(text: str) -> None:
    det = _shared_detector()
    for span in det.detect(text):
        assert 0 <= span.start < span.end <= len(text)
        assert span.rule and (span.rule in PATTERN_RULES or span.rule.startswith("list:"))
        assert span.to_json(text)["text"] == text[span.start:span.end]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["the", "so-called", "“", "”", '"', "bandits", "?", "very", "brutal", " ",
                                 "\n", "alleged", "İ", "ß", "-", "’", "terrorists", "."]), max_size=60))
def test_framing_vocabulary_soup(parts: list[str]) -> None:
    text = " ".join(parts)
    for span in _shared_detector().detect(text):
        assert text[span.start:span.end].strip() != "" and span.rule


_DET: list[FramingDetector] = []


def _shared_detector() -> FramingDetector:
    if not _DET:
        _DET.append(FramingEngine(Path("/nonexistent-data-dir-never-written")).detector)
    return _DET[0]


def test_bundled_frontier_post_acceptance(engine: FramingEngine) -> None:
    corpus = AppContext.create().corpus()
    doc = corpus.document("frontier-post-alma-ata")
    spans = engine.spans(doc)
    scare = [doc.text[s.start:s.end] for s in spans if s.rule == "scare_quotes"]
    assert "“peaceful protestors”" in scare and "“peaceful protesters”" in scare
    labels = {doc.text[s.start:s.end].lower() for s in spans if s.technique == "name_calling"}
    assert {"terrorists", "bandits"} <= labels
    again = FramingEngine(engine.overlay.path.parent.parent, engine.cache_dir.parent)  # from the disk cache
    assert again.spans(doc) == spans


def test_overlay_add_remove_move_mute_survive(engine: FramingEngine, tmp_path: Path) -> None:
    text = "The grant-eaters and hipsters met the Kyiv junta."
    tech = engine.add_term("grant-eaters", "Loaded Language")
    assert tech == "loaded_language"
    engine.remove_term("hipsters")
    engine.move_term("junta", "doubt")
    fresh = FramingEngine(tmp_path / "data", tmp_path / "cache")
    found = {text[s.start:s.end]: (s.technique, s.rule) for s in fresh.detector.detect(text)}
    assert found["grant-eaters"] == ("loaded_language", "list:loaded_language")
    assert "hipsters" not in found
    assert found["junta"] == ("doubt", "list:doubt")
    fresh.mute("list:doubt")
    assert "junta" not in {text[s.start:s.end] for s in FramingEngine(tmp_path / "data").detector.detect(text)}
    with pytest.raises(ReaderError):
        fresh.mute("no-such-rule")
    with pytest.raises(ReaderError):
        fresh.add_term("x", "no such technique")


def test_outlet_profiles_for_five_outlets(engine: FramingEngine) -> None:
    corpus = AppContext.create().corpus()
    profiles = engine.outlet_profiles(corpus.documents())
    assert len(profiles) == 5
    for prof in profiles.values():
        assert prof.words > 500
        rates = prof.per_1000()
        assert set(rates) == set(engine.catalogue) and sum(rates.values()) > 0


def test_cli_framing_doc_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "frontier-post-alma-ata", "--json"]) == 0
    text = json.loads(capsys.readouterr().out)["text"]
    assert main(["framing", "--doc", "frontier-post-alma-ata", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["doc"] == "frontier-post-alma-ata"
    for span in out["spans"]:
        assert text[span["start"]:span["end"]] == span["text"] and span["rule"] and span["technique"]
    quoted = {s["text"] for s in out["spans"] if s["rule"] == "scare_quotes"}
    assert {"“peaceful protestors”", "“peaceful protesters”"} <= quoted
    assert any(s["text"].lower() in ("terrorists", "bandits") for s in out["spans"])
    assert out["profile"]["loaded_language"] > 0


def test_cli_profile_and_overlay_actions(capsys: pytest.CaptureFixture[str], isolated_dirs: dict) -> None:
    assert main(["framing", "--profile", "--json"]) == 0
    outlets = json.loads(capsys.readouterr().out)["outlets"]
    assert len(outlets) == 5 and all("per_1000_words" in o for o in outlets.values())
    assert main(["framing", "add-term", "gender undecided", "name_calling", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["technique"] == "name_calling"
    assert (isolated_dirs["data"] / "overlays" / "framing.yaml").exists()
    assert main(["framing", "--doc", "frontier-post-alma-ata", "--json"]) == 0
    assert any(s["text"] == "gender undecided" for s in json.loads(capsys.readouterr().out)["spans"])
    assert main(["framing", "mute", "scare_quotes"]) == 0
    capsys.readouterr()
    assert main(["framing", "--doc", "frontier-post-alma-ata", "--json"]) == 0
    assert not [s for s in json.loads(capsys.readouterr().out)["spans"] if s["rule"] == "scare_quotes"]
    assert main(["framing", "mute"]) == 2
    assert main(["framing", "techniques", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["techniques"]) == 14


def test_service_api_for_other_capabilities(tmp_path: Path) -> None:
    from reader.core.framing.api import FramingService

    service = FramingService.for_context(AppContext.create())
    assert len(service.technique_ids()) == 14
    assert service.technique_name("doubt") == "Doubt" and service.technique_colour("doubt").startswith("#")
    doc = AppContext.create().corpus().document("frontier-post-alma-ata")
    assert service.spans(doc)
