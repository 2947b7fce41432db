"""Hypothesis properties of the entity matcher: random Unicode around names never breaks spans."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.entities.gazetteer import parse_gazetteer
from reader.core.entities.matcher import Matcher, alias_key, alias_variants, fold

GAZ = parse_gazetteer("""
entities:
  - {id: tokayev, name: Kassym-Jomart Tokayev, type: person, aliases: [Kassym-Zhomart Tokayev, Tokayev]}
  - {id: almaty, name: Almaty, type: place, aliases: [Alma-Ata]}
  - {id: dck, name: Democratic Choice of Kazakhstan, type: organisation, aliases: [DCK, DVK]}
  - {id: kz, name: Kazakhstan, type: place}
  - {id: capital, name: Nur-Sultan, type: place, aliases: [Astana, the capital city]}
  - {id: erdogan, name: Erdoğan, type: person, aliases: [Erdogan]}
""").entities
MATCHER = Matcher(GAZ)
SPELLINGS = [a.text for e in GAZ for a in e.spellings()]
KEYS = {e.id: {alias_key(v) for a in e.spellings() for v in alias_variants(a.text)} for e in GAZ}
DECOR = st.sampled_from(["", "’s", "'s", " ", "\n", "-", "–", ",", ".", "“", "”", "(", ")", "#"])
NOISE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@st.composite
def texts(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        parts.append(draw(NOISE))
        parts.append(draw(DECOR))
        name = draw(st.sampled_from(SPELLINGS))
        if draw(st.booleans()):
            name = name.replace("-", draw(st.sampled_from(["-", "‐", "–", " "])))
        parts.append(name)
        parts.append(draw(DECOR))
    parts.append(draw(NOISE))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(texts())
def test_spans_slice_to_an_alias_and_never_overlap(text: str) -> None:
    spans = MATCHER.find(text)
    last_end = -1
    for start, end, ent_id in spans:
        assert 0 <= start < end <= len(text)
        assert start >= last_end, "overlapping spans"
        last_end = end
        surface = " ".join(fold(text[start:end]).split(" "))
        assert surface in KEYS[ent_id], (text[start:end], ent_id)


@settings(max_examples=200, deadline=None)
@given(NOISE, st.sampled_from(["Tokayev", "Almaty", "DCK", "Astana"]), NOISE)
def test_a_name_between_separators_is_found(left: str, name: str, right: str) -> None:
    text = f"{left} {name}’s {right}"
    start = len(left) + 1
    assert any(s == start and e == start + len(name) for s, e, _ in MATCHER.find(text))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_fold_keeps_length(text: str) -> None:
    assert len(fold(text)) == len(text)


# -- recognition and resolution ----------------------------------------------------------------
NAMES = st.sampled_from(["Tony Blair", "Mr Blair", "Blair", "BLAIR", "Labour", "London", "Gordon Brown’s",
                         "Democratic Choice of Kazakhstan (DCK)", "DCK", "Wednesday", "I'm", "Erdoğan"])
PROSE = st.sampled_from(["said", "met", "in", "the", "on", "and", ".", ",", "\n\n", " – ", "“", "”"])


@st.composite
def stories(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.one_of(NAMES, PROSE, NOISE), max_size=30))
    return " ".join(words)


@settings(max_examples=40, deadline=None)
@given(stories())
def test_recognised_mentions_slice_the_text_and_never_overlap(text: str) -> None:
    from reader.core.entities.recogniser import default_recogniser
    from reader.core.entities.resolution import Rules, build_table, resolve_document

    rec = default_recogniser()
    assert rec is not None
    raw = [list(s) for s in rec.recognise(text)]
    table = build_table([("d", text, raw)], Rules())
    resolved = resolve_document("d", text, raw, Rules(), table)
    last_end = -1
    for start, end, ent_id, etype in resolved:
        assert 0 <= start < end <= len(text) and start >= last_end
        surface = text[start:end]
        assert surface == surface.strip() and any(c.isalpha() for c in surface)
        assert ent_id in table.names and etype in ("person", "organisation", "place")
        assert surface.casefold() not in {"wednesday", "i", "i'm", "mr"}
        last_end = end


@given(st.text(max_size=40))
def test_name_key_is_idempotent_and_case_blind(text: str) -> None:
    from reader.core.entities.resolution import name_key

    key = name_key(text)
    assert name_key(key) == key
    assert name_key(text.upper()) == name_key(text.lower()) or not text.isascii()
