"""The core session: the one owner of a corpus's services, and the events it announces."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reader.core.events import (
    CorpusReloaded,
    EntitiesEdited,
    EventHub,
    NotesAdded,
    NotesChanged,
    NotesRemoved,
    SettingsChanged,
)
from reader.core.session import Session


@pytest.fixture
def session(corpus_copy: Path) -> Session:
    s = Session.create(corpus=str(corpus_copy))
    yield s
    s.close()


def test_services_are_built_once_and_shared(session: Session) -> None:
    assert session.loaded is None  # nothing is read before first use
    corpus = session.corpus()
    assert session.corpus() is corpus and session.loaded is corpus
    assert session.entities is session.entities
    assert session.framing is session.framing
    assert session.notes is session.notes
    aligner = session.aligner()
    assert session.aligner() is aligner
    assert aligner.entities is not None and aligner.entities.service is session.entities  # the same service
    assert session.ctx.corpus() is corpus  # core helpers taking the context see the session's corpus


def test_an_alias_announces_the_entity_and_reaches_every_user(session: Session) -> None:
    seen: list[EntitiesEdited] = []
    session.subscribe(EntitiesEdited, seen.append)
    svc = session.entities
    entity = svc.entities()[0]
    svc.add_alias(entity.id, "Zqxj Person")
    assert seen == [EntitiesEdited((entity.id,))]
    assert session.aligner().entities is not None
    assert "Zqxj Person" in [a.text for a in session.aligner().entities.service.entity(entity.id).spellings()]
    svc.undo()
    assert len(seen) == 2 and seen[1].entity_ids == (entity.id,)


def test_reload_rebuilds_services_and_announces_it(session: Session) -> None:
    events: list[object] = []
    session.subscribe(None, events.append)
    first = session.corpus()
    svc = session.entities
    again = session.reload()
    assert again is not first and session.corpus() is again
    assert session.entities is not svc  # built again for the new reading
    assert events == [CorpusReloaded(Path(again.root), switched=False, previous_root=Path(first.root))]


def test_switch_is_one_rule_remembering_the_corpus(session: Session, tmp_path: Path, corpus_copy: Path) -> None:
    first = session.corpus()
    other = tmp_path / "other"
    shutil.copytree(corpus_copy, other)
    events: list[CorpusReloaded] = []
    session.subscribe(CorpusReloaded, events.append)
    session.switch(other)
    assert session.loaded is None and session.corpus_root == other
    assert session.settings.get("corpus.path") == str(other)
    assert session.settings.get("corpus.recent")[0] == str(other)
    fresh = session.new_corpus()
    fresh.scan()
    corpus = session.adopt(fresh)
    assert corpus.root != first.root
    assert events and events[-1].switched and events[-1].previous_root == Path(first.root)


def test_settings_and_note_events_carry_what_changed(session: Session) -> None:
    got: list[object] = []
    for kind in (SettingsChanged, NotesAdded, NotesChanged, NotesRemoved):
        session.subscribe(kind, got.append)
    session.settings.set("reader.font_size", 19, save=False)
    session.notes_added(["n1"], ["doc"])
    session.notes_changed(["n1"])
    session.notes_removed(["n1"])
    assert got == [SettingsChanged("reader.font_size", 19), NotesAdded(("n1",), ("doc",)),
                   NotesChanged(("n1",)), NotesRemoved(("n1",))]


def test_unsubscribe_and_a_broken_listener(caplog: pytest.LogCaptureFixture) -> None:
    hub = EventHub()
    got: list[object] = []

    def broken(_event: object) -> None:
        raise RuntimeError("listener bug")

    hub.subscribe(NotesAdded, broken)
    stop = hub.subscribe(NotesAdded, got.append)
    hub.publish(NotesAdded(("a",)))
    assert got == [NotesAdded(("a",))]  # the broken listener did not stop the next one
    assert "listener bug" in caplog.text
    stop()
    hub.publish(NotesAdded(("b",)))
    assert got == [NotesAdded(("a",))]


def test_the_session_registers_its_entity_service_for_the_index(session: Session) -> None:
    from reader.core.entities.api import registered_service

    svc = session.entities
    assert registered_service(session.corpus_root) is svc
    session.close()
    assert registered_service(session.corpus_root) is None
