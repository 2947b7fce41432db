"""Entities core: gazetteer validation, matcher rules, overlay ops, cache, discovery, bundled corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.core.context import AppContext
from reader.core.document import DocumentMeta, build_document
from reader.core.entities.api import EntityService, overlay_path_for
from reader.core.entities.gazetteer import parse_gazetteer
from reader.core.entities.matcher import Matcher, fold, resolve_overlaps
from reader.core.entities.model import Entity, EntityError, GazetteerError
from tests.conftest import BUNDLED


def make_doc(text: str, doc_id: str = "d1"):
    meta = DocumentMeta(doc_id, "T", "O", "", None, Path(f"/tmp/{doc_id}.md"))
    return build_document(meta, text)[0]


def ent(ent_id: str, name: str, *aliases: str, etype: str = "person") -> Entity:
    return Entity(ent_id, name, etype, aliases)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> EntityService:
    # module-scoped, so built before the per-test folders exist: its own folders, never the real home
    base = tmp_path_factory.mktemp("bundled-entities")
    ctx = AppContext.create(config_dir=str(base / "config"), data_dir=str(base / "data"),
                            cache_dir=str(base / "cache"))
    return EntityService.for_context(ctx)


@pytest.fixture(scope="module")
def counts(bundled: EntityService) -> dict[str, dict[str, int]]:
    return bundled.counts()


# -- the bundled corpus (the acceptance) ---------------------------------------------
@pytest.mark.parametrize(("entity_id", "spellings"), [
    ("almaty", {"Alma-Ata", "Almaty"}),
    ("nur-sultan", {"Astana", "Nur-Sultan"}),
    ("tokayev", {"Kassym-Jomart Tokayev", "Kassym-Zhomart Tokayev", "Tokayev"}),
    ("dck", {"Democratic Choice of Kazakhstan", "DCK", "DVK", "CPK", "MVK"}),
    ("csto", {"CSTO", "Collective Security Treaty Organization", "Collective Security Treaty Organisation"}),
    ("kyiv", {"Kiev", "Kyiv"}),
])
def test_every_spelling_resolves_to_one_entity(bundled: EntityService, entity_id: str, spellings: set[str]) -> None:
    seen: set[str] = set()
    for doc in bundled.documents():
        for m in bundled.mentions(doc):
            assert doc.text[m.start:m.end] == m.text
            if m.entity_id == entity_id:
                seen.add(m.text)
    assert spellings <= seen


def test_possessives_count(bundled: EntityService) -> None:
    doc = next(d for d in bundled.documents() if d.id == "frontier-post-alma-ata")
    i = doc.text.index("Tokayev’s government")
    assert any(m.start == i and m.end == i + len("Tokayev") and m.entity_id == "tokayev"
               for m in bundled.mentions(doc))


def test_ablyazov_in_four_documents_not_kavkazplus(counts: dict[str, dict[str, int]]) -> None:
    assert set(counts["ablyazov"]) == {"frontier-post-alma-ata", "neo-outside-forces", "eadaily-ukrainian-trace",
                                       "moa-failed-rebellion"}
    assert set(counts["tokayev"]) == {"frontier-post-alma-ata", "neo-outside-forces", "eadaily-ukrainian-trace",
                                      "moa-failed-rebellion", "kavkazplus-gutted"}


def test_bundled_gazetteer_is_clean_and_every_entity_is_named(bundled: EntityService,
                                                              counts: dict[str, dict[str, int]]) -> None:
    assert bundled.problems == []
    assert len(bundled.entities()) > 150
    unnamed = [e.id for e in bundled.entities() if e.id not in counts]
    assert unnamed == []  # curated against the texts: every entity is mentioned somewhere


def test_comments_are_matched_too(bundled: EntityService) -> None:
    doc = next(d for d in bundled.documents() if d.id == "moa-failed-rebellion")
    comments = doc.section("comments")
    assert comments is not None
    ids = {m.entity_id for m in bundled.mentions(doc) if m.start >= comments.start}
    assert {"ruzakhunov", "al-monitor", "firdevs-robinson", "xi", "lukashenko", "vennink", "chalabi"} <= ids


def test_candidates_propose_respelt_name(bundled: EntityService) -> None:
    cands = {c.text: c for c in bundled.candidates()}
    assert "Erodgan" in cands
    sug = cands["Erodgan"].suggestion
    assert sug is not None and sug.entity_id == "erdogan" and sug.score >= 80
    assert cands["Erodgan"].docs == ("moa-failed-rebellion",)
    assert "January" not in cands and "Kazakh" not in cands  # the ignore list and ordinary words


# -- gazetteer validation --------------------------------------------------------------------
def test_gazetteer_syntax_error_names_file_and_line() -> None:
    with pytest.raises(GazetteerError, match=r"entities.yaml:3: YAML error"):
        parse_gazetteer("entities:\n  - id: a\n    name: London: the city\n", "entities.yaml")


def test_bad_entries_skipped_with_line_numbers() -> None:
    gaz = parse_gazetteer(
        "entities:\n"
        "  - {id: good, name: Good One, type: person}\n"
        "  - {id: Bad Id, name: X, type: person}\n"
        "  - {id: notype, name: Y, type: planet}\n"
        "  - {id: good, name: Again, type: place}\n"
        "  - {id: dup-alias, name: Other, type: place, aliases: [Good One], wikidata: nope}\n",
        "g.yaml")
    assert [e.id for e in gaz.entities] == ["good", "dup-alias"]
    messages = [(p.line, p.severity, p.message) for p in gaz.problems]
    assert any(line == 3 and "not a slug" in msg for line, _s, msg in messages)
    assert any(line == 4 and "planet" in msg for line, _s, msg in messages)
    assert any(line == 5 and "duplicate id" in msg for line, _s, msg in messages)
    assert any(line == 6 and "already belongs to 'good'" in msg for line, _s, msg in messages)
    assert any("wikidata" in msg for _l, _s, msg in messages)


def test_not_a_mapping() -> None:
    with pytest.raises(GazetteerError, match="entities:"):
        parse_gazetteer("- just a list\n")


# -- matcher rules ---------------------------------------------------------------------------
def test_whole_words_and_possessives() -> None:
    m = Matcher([ent("tok", "Tokayev")])
    text = "Tokayev’s men; Tokayev's; Tokayevsky; preTokayev; TOKAYEV said; tokayev"
    spans = m.find(text)
    assert [text[s:e] for s, e, _ in spans] == ["Tokayev", "Tokayev", "TOKAYEV"]


def test_acronyms_are_case_sensitive() -> None:
    m = Matcher([ent("us", "United States", "US"), ent("csto", "CSTO", etype="organisation")])
    text = "the US and us; #CSTO and csto"
    assert [text[s:e] for s, e, _ in m.find(text)] == ["US", "CSTO"]


def test_hyphen_quote_and_space_variants_keep_offsets() -> None:
    m = Matcher([ent("almaty", "Almaty", "Alma-Ata", etype="place"), ent("ns", "Nur-Sultan", etype="place")])
    text = "In Alma–Ata, Alma Ata and Alma\u2011Ata; Nur Sultan and Nur-Sultan."
    spans = m.find(text)
    assert [text[s:e] for s, e, _ in spans] == ["Alma–Ata", "Alma Ata", "Alma\u2011Ata", "Nur Sultan", "Nur-Sultan"]
    assert len(fold(text)) == len(text)


def test_longest_first_overlaps() -> None:
    m = Matcher([ent("dck", "Democratic Choice of Kazakhstan", etype="organisation"),
                 ent("kz", "Kazakhstan", etype="place"), ent("choice", "Choice of Kazakhstan Party")])
    text = "the Democratic Choice of Kazakhstan Party"
    spans = m.find(text)
    assert [(text[s:e], i) for s, e, i in spans] == [("Democratic Choice of Kazakhstan", "dck")]
    assert resolve_overlaps([(0, 5, 0), (3, 10, 1), (10, 12, 2)]) == [(3, 10, 1), (10, 12, 2)]


def test_lowercase_alias_any_case_and_title_case_rule() -> None:
    m = Matcher([ent("ns", "Nur-Sultan", "the capital city", etype="place"), ent("tr", "Turkey", etype="place")])
    text = "The Capital City and the capital city; turkey dinner in Turkey"
    assert [text[s:e] for s, e, _ in m.find(text)] == ["The Capital City", "the capital city", "Turkey"]


def test_odd_unicode_does_not_shift_offsets() -> None:
    m = Matcher([ent("x", "Ablyazov")])
    text = "İİΣ Ablyazov ΣΣ"
    assert [text[s:e] for s, e, _ in m.find(text)] == ["Ablyazov"]


# -- overlay and service ---------------------------------------------------------------------
@pytest.fixture
def svc(tmp_path: Path) -> EntityService:
    gaz = tmp_path / "entities.yaml"
    gaz.write_text(
        "entities:\n"
        "  - {id: tokayev, name: Kassym-Jomart Tokayev, type: person, aliases: [Tokayev]}\n"
        "  - {id: ablyazov, name: Mukhtar Ablyazov, type: person, aliases: [Ablyazov]}\n"
        "  - {id: nazarbayev, name: Nursultan Nazarbayev, type: person, aliases: [Nazarbayev]}\n",
        encoding="utf-8")
    docs = [make_doc("Tokayev met Tokaev. Ablyazov and Nazarbayev. Mukhtar Ablyazov.", "a"),
            make_doc("Nazarbayev, Elbasy, Tokaev.", "b")]
    return EntityService(gaz, tmp_path / "data" / "overlay.yaml", tmp_path / "cache", documents=lambda: docs)


def test_alias_merge_rename_type_hide(svc: EntityService, tmp_path: Path) -> None:
    assert svc.counts()["tokayev"] == {"a": 1}
    svc.add_alias("tokayev", "Tokaev")
    assert svc.counts()["tokayev"] == {"a": 2, "b": 1}
    svc.merge("nazarbayev", "tokayev")  # nonsense politically, but counts must add up
    c = svc.counts()
    assert "nazarbayev" not in c and c["tokayev"] == {"a": 3, "b": 2}
    assert svc.entity("nazarbayev").id == "tokayev"  # merged ids redirect
    svc.rename("ablyazov", "M. Ablyazov")
    svc.set_type("ablyazov", "organisation")
    assert svc.entity("ablyazov").name == "M. Ablyazov" and svc.entity("ablyazov").type == "organisation"
    svc.hide("ablyazov")
    assert "ablyazov" not in svc.counts() and all(e.id != "ablyazov" for e in svc.entities())
    svc.hide("ablyazov", hidden=False)
    assert svc.counts()["ablyazov"] == {"a": 2}
    added = svc.add_entity("Elbasy", "person", description="title of the First President")
    assert added.id == "elbasy" and svc.counts()["elbasy"] == {"b": 1}
    # the overlay survives a restart
    again = EntityService(svc.gazetteer_path, svc.overlay_path, tmp_path / "cache2", documents=svc._documents)
    assert again.counts() == svc.counts()


def test_invalid_changes_raise_and_are_not_stored(svc: EntityService) -> None:
    with pytest.raises(EntityError, match="no entity"):
        svc.add_alias("nobody", "X")
    with pytest.raises(EntityError, match="type"):
        svc.set_type("tokayev", "planet")
    with pytest.raises(EntityError, match="itself"):
        svc.merge("tokayev", "tokayev")
    assert svc.overlay is not None and svc.overlay.ops == []


def test_find_by_alias(svc: EntityService) -> None:
    assert svc.find("tokayev").id == "tokayev"
    assert svc.find("Mukhtar Ablyazov").id == "ablyazov"
    assert svc.find("nazarbayev").id == "nazarbayev"
    with pytest.raises(EntityError):
        svc.find("Zelensky")


def test_broken_overlay_is_set_aside_and_gazetteer_loads(tmp_path: Path, svc: EntityService) -> None:
    assert svc.overlay_path is not None
    svc.overlay_path.parent.mkdir(parents=True, exist_ok=True)
    svc.overlay_path.write_text("ops: [unclosed\n", encoding="utf-8")
    fresh = EntityService(svc.gazetteer_path, svc.overlay_path, None, documents=svc._documents)
    assert len(fresh.entities()) == 3
    assert any("could not be read" in n for n in fresh.notices)
    assert list(svc.overlay_path.parent.glob("overlay.yaml.broken-*"))


def test_stale_overlay_op_is_reported_not_fatal(tmp_path: Path, svc: EntityService) -> None:
    svc.add_alias("ablyazov", "Abliazov")
    svc.gazetteer_path.write_text("entities:\n  - {id: tokayev, name: Tokayev, type: person}\n", encoding="utf-8")
    svc.reload()
    assert [e.id for e in svc.entities()] == ["tokayev"]
    assert any("no entity 'ablyazov'" in n for n in svc.notices)


def test_dismissal_remembered(svc: EntityService) -> None:
    texts = [c.text for c in svc.candidates()]
    assert "Elbasy" in texts
    svc.dismiss("Elbasy")
    assert "Elbasy" not in [c.text for c in svc.candidates()]
    assert "elbasy" in svc.dismissed


def test_spans_cached_by_content_hash(svc: EntityService, tmp_path: Path) -> None:
    doc = svc.documents()[0]
    first = svc.spans(doc)
    svc._cache.flush()  # puts are batched into the corpus's derived store (no file per document)
    assert (tmp_path / "derived.sqlite3").exists() and not list(tmp_path.glob("cache/*.json"))
    fresh = EntityService(svc.gazetteer_path, svc.overlay_path, tmp_path / "cache", documents=svc._documents)
    fresh.matcher.find = None  # type: ignore[assignment]  # must come from the cache
    assert fresh.spans(doc) == first


def test_overlay_lives_in_data_dir_per_corpus(isolated_dirs: dict[str, Path]) -> None:
    ctx = AppContext.create()
    path = overlay_path_for(ctx)
    assert path.is_relative_to(isolated_dirs["data"]) and path.name == "entities.yaml"
    assert (BUNDLED / "entities.yaml").exists()


def test_counts_stream_an_iterator_of_documents(bundled: EntityService, counts: dict[str, dict[str, int]]) -> None:
    """An iterator is counted one document at a time, with the same result as the whole list."""
    docs = bundled.documents()
    seen: list[tuple[int, int]] = []
    streamed = bundled.counts(iter(docs), lambda done, total: seen.append((done, total)))
    assert streamed == counts
    assert seen[-1] == (len(docs), 0)  # an iterator's length is unknown: total 0
    listed: list[tuple[int, int]] = []
    bundled.counts(docs, lambda done, total: listed.append((done, total)))
    assert listed[-1] == (len(docs), len(docs))
    assert bundled.needs_recognition(iter(docs)) == bundled.needs_recognition(docs)
