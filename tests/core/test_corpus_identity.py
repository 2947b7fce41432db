"""A corpus's identity: the ``id`` in ``corpus.yaml`` that notes are keyed by, wherever the folder is."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reader.core.corpora import copy_sample, create_corpus
from reader.core.corpus import SAMPLE_ID, Corpus, corpus_identity, with_corpus_id
from reader.core.paths import AppPaths
from tests.conftest import BUNDLED


def test_the_shipped_sample_carries_the_fixed_identity() -> None:
    assert yaml.safe_load((BUNDLED / "corpus.yaml").read_text(encoding="utf-8"))["id"] == SAMPLE_ID
    assert corpus_identity(BUNDLED, writable=False) == SAMPLE_ID
    assert Corpus(BUNDLED).scan().info.id == SAMPLE_ID


def test_new_corpora_and_sample_copies_get_identities_of_their_own(tmp_path: Path) -> None:
    paths = AppPaths(tmp_path / "k", tmp_path / "d", tmp_path / "c")
    first, second = copy_sample(paths), copy_sample(paths)
    made = create_corpus(paths, "mine")
    ids = {corpus_identity(first), corpus_identity(second), corpus_identity(made), SAMPLE_ID}
    assert len(ids) == 4
    for folder in (first, second, made):
        data = yaml.safe_load((folder / "corpus.yaml").read_text(encoding="utf-8"))
        assert data["id"] == corpus_identity(folder)
    assert yaml.safe_load((first / "corpus.yaml").read_text(encoding="utf-8"))["title"].startswith("Kazakhstan")


def test_an_id_is_written_once_keeping_comments_and_order(tmp_path: Path) -> None:
    (tmp_path / "corpus.yaml").write_text("# my notes on this corpus\ntitle: Mine\nevent: X\n", encoding="utf-8")
    identity = corpus_identity(tmp_path)
    text = (tmp_path / "corpus.yaml").read_text(encoding="utf-8")
    assert text.startswith("# my notes on this corpus\ntitle: Mine\nevent: X\n")
    assert yaml.safe_load(text) == {"title": "Mine", "event": "X", "id": identity}
    assert corpus_identity(tmp_path) == identity  # stable
    assert corpus_identity(tmp_path.rename(tmp_path.with_name("moved"))) == identity


def test_a_folder_without_corpus_yaml_gets_one_with_its_id(tmp_path: Path) -> None:
    identity = corpus_identity(tmp_path)
    assert yaml.safe_load((tmp_path / "corpus.yaml").read_text(encoding="utf-8")) == {"id": identity}
    assert Corpus(tmp_path).scan().info.title == tmp_path.name


def test_with_corpus_id_replaces_an_existing_id_and_handles_flow_mappings() -> None:
    assert with_corpus_id("title: T\nid: old\n", "new") == "title: T\nid: new\n"
    flow = with_corpus_id("{title: T, id: old}\n", "new")
    assert yaml.safe_load(flow) == {"title": "T", "id": "new"}
    assert yaml.safe_load(with_corpus_id("", "x")) == {"id": "x"}
    # an 'id:' inside a block scalar is text, not the key
    text = "description: |\n  id: not me\ntitle: T\n"
    assert yaml.safe_load(with_corpus_id(text, "new")) == {"description": "id: not me\n", "title": "T", "id": "new"}


_keys = st.sampled_from(["title", "description", "event", "language", "id", "notes", "extra key"])
_values = st.one_of(st.text(max_size=30), st.integers(), st.none(),
                    st.lists(st.text(max_size=10), max_size=3),
                    st.dictionaries(st.sampled_from(["start", "end"]), st.text(max_size=10), max_size=2))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _values, max_size=6), st.booleans(), st.booleans())
def test_property_with_corpus_id_keeps_every_other_key(data: dict, comment: bool, flow: bool) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow) if data else ""
    assume(yaml.safe_load(text or "{}") == data)  # PyYAML itself does not round-trip a raw NEL (U+0085)
    if comment:
        text = "# a comment\n" + text
    result = yaml.safe_load(with_corpus_id(text, "abc123"))
    assert result == {**data, "id": "abc123"}


def test_first_opens_in_several_processes_agree_on_one_identity(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    (tmp_path / "corpus.yaml").write_text("title: Shared\n", encoding="utf-8")
    code = "import sys; from reader.core.corpus import corpus_identity; print(corpus_identity(sys.argv[1]))"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                              env=env) for _ in range(4)]
    ids = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(ids) == 1
    assert yaml.safe_load((tmp_path / "corpus.yaml").read_text(encoding="utf-8"))["id"] == ids.pop()
