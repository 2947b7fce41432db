"""Notes sync with the team server, offline first (the Zotero pattern).

Server side, every library has a version counter bumped once per write transaction
(``parallax.bump_version``, which also serialises writers of one library). A laptop:

1. **pulls** the changes since its cursor (a consistent snapshot: rows and the library version
   read in one REPEATABLE READ transaction), applies them to the local store, then moves its
   cursor; a remote change to a note edited here is **merged field by field** against the
   sync base (anchor, body, tags, colour are the fields); when both sides changed the same
   field the note takes the server's value and the local version is kept as a **conflicted
   copy** to resolve, so nothing is silently overwritten; an edit beats a delete;
2. **pushes** its dirty notes and tombstones with the version they were based on; the server
   refuses a stale base (someone wrote since), and the laptop pulls, merges and tries again.

Every step is idempotent, so a connection dropped mid-pull or mid-push loses nothing: the
server commits whole batches or nothing, the laptop records what the server confirmed, and
the next sync finds the rest (a note that reached the server but not the laptop's records
comes back in the next pull, equal to the local one, and is simply marked clean).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reader.core.notes.model import Note, new_id, now_iso
from reader.core.team.sync_state import Base, SyncState, digest

log = logging.getLogger(__name__)

PAGE = 10_000
PUSH_BATCH = 5000
ROUNDS = 4

#: Fields merged as one unit: an anchor is only meaningful whole.
GROUPS: dict[str, tuple[str, ...]] = {
    "anchor": ("corpus", "doc", "doc_hash", "start", "end", "exact", "prefix", "suffix", "original", "status",
               "kind"),
    "body": ("body",),
    "tags": ("tags",),
    "color": ("color",),
}
SyncProgress = Callable[[str, int, int], None]


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(Note) if f.name != "id")
_KNOWN = frozenset(_FIELD_NAMES)


def note_fields(note: Note) -> dict[str, Any]:
    """A note's synced fields (flat values, so no deep copy as ``dataclasses.asdict`` would make)."""
    data = {name: getattr(note, name) for name in _FIELD_NAMES}
    data["tags"] = list(note.tags)
    return data


def note_from(note_id: str, fields: dict[str, Any]) -> Note:
    data = {k: v for k, v in fields.items() if k in _KNOWN}
    data["tags"] = tuple(data.get("tags") or ())
    return Note(id=note_id, **data)


def _content(fields: dict[str, Any]) -> dict[str, Any]:
    """What counts as a change: everything but the timestamps."""
    return {k: v for k, v in fields.items() if k not in ("created", "updated")}


def _group(fields: dict[str, Any], name: str) -> tuple[Any, ...]:
    return tuple(json.dumps(fields.get(f), sort_keys=True) for f in GROUPS[name])


# -- server side ------------------------------------------------------------------------
@dataclass
class Remote:
    id: str
    version: int
    deleted: bool
    fields: dict[str, Any]
    owner: str


def pull_changes(conn: Any, library: str, since: int, limit: int | None = None) -> tuple[list[Remote], int, bool]:
    """Changes after ``since`` (oldest first), the version they bring the reader to, and whether more remain.

    One query per page, read in a single REPEATABLE READ snapshot; the fields travel as JSON
    text and are parsed in one call for the whole page (per-row jsonb parsing was most of a pull).
    """
    limit = limit or PAGE
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        row = conn.execute("SELECT parallax.library_version(%s)", (library,)).fetchone()
        current = int(row[0]) if row and row[0] is not None else 0
        rows = conn.execute(
            "SELECT id, version, deleted, fields::text, owner FROM parallax.notes "
            "WHERE library_id = %s AND version > %s ORDER BY version, id LIMIT %s",
            (library, since, limit + 1)).fetchall()
        more = len(rows) > limit
        if more:
            # The cursor is a version: finish the last version of the page so none of it is skipped.
            rows = rows[:limit]
            last_version, last_id = rows[-1][1], rows[-1][0]
            rows += conn.execute(
                "SELECT id, version, deleted, fields::text, owner FROM parallax.notes WHERE library_id = %s "
                "AND version = %s AND id > %s ORDER BY id", (library, last_version, last_id)).fetchall()
            current = int(last_version)
    fields = json.loads("[" + ",".join(r[3] for r in rows) + "]") if rows else []
    return [Remote(r[0], int(r[1]), bool(r[2]), f, r[4]) for r, f in zip(rows, fields, strict=True)], current, more


@dataclass
class PushOutcome:
    version: int
    accepted: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)


def push_changes(conn: Any, library: str, items: list[tuple[str, int, bool, dict[str, Any]]]) -> PushOutcome:
    """Write ``(id, base_version, deleted, fields)`` items in one transaction; stale bases are refused.

    The items are COPied into a temporary table, then one statement finds the stale and the
    forbidden ones and one ``INSERT ... ON CONFLICT`` writes the rest (row-level security
    checks every row). The version bump comes first: it takes the library's row lock, so no
    other writer can slip in between the check and the write.
    """
    with conn.transaction():
        version = int(conn.execute("SELECT parallax.bump_version(%s)", (library,)).fetchone()[0])
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS sync_push (id text PRIMARY KEY, base bigint NOT NULL, "
                     "deleted boolean NOT NULL, fields jsonb NOT NULL) ON COMMIT DELETE ROWS")
        with conn.cursor() as cur, cur.copy("COPY sync_push (id, base, deleted, fields) FROM STDIN") as copy:
            for note_id, base, deleted, fields in items:
                copy.write_row((note_id, base, deleted, json.dumps(fields)))
        refused = conn.execute(
            "SELECT p.id, n.owner <> session_user FROM sync_push p JOIN parallax.notes n "
            "ON n.library_id = %s AND n.id = p.id WHERE n.owner <> session_user OR n.version <> p.base",
            (library,)).fetchall()
        out = PushOutcome(version)
        out.forbidden = [r[0] for r in refused if r[1]]
        out.stale = [r[0] for r in refused if not r[1]]
        if refused:
            conn.execute("DELETE FROM sync_push WHERE id = ANY(%s)", ([r[0] for r in refused],))
        bad = {r[0] for r in refused}
        out.accepted = [i[0] for i in items if i[0] not in bad]
        if out.accepted:
            conn.execute(
                "INSERT INTO parallax.notes (library_id, id, version, deleted, fields) "
                "SELECT %s, id, %s, deleted, fields FROM sync_push "
                "ON CONFLICT (library_id, id) DO UPDATE SET version = EXCLUDED.version, "
                "deleted = EXCLUDED.deleted, fields = EXCLUDED.fields",
                (library, version))
    return out


# -- laptop side ---------------------------------------------------------------------------
@dataclass
class SyncReport:
    pulled: int = 0
    pushed: int = 0
    merged: int = 0
    conflicts: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    deleted: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"pulled": self.pulled, "pushed": self.pushed, "merged": self.merged, "deleted": self.deleted,
                "conflicts": list(self.conflicts), "forbidden": list(self.forbidden)}


class Syncer:
    """Sync one laptop's notes store with its libraries on the server."""

    def __init__(self, conn: Any, store: Any, state: SyncState, user: str,
                 progress: SyncProgress | None = None) -> None:
        self.conn = conn
        self.store = store
        self.state = state
        self.user = user
        self.progress = progress
        self.personal = f"user:{user}"
        self._notes: dict[str, Note] | None = None
        self._synced: set[str] = set()

    def libraries(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT library_id FROM parallax.my_libraries()")]

    def sync(self) -> SyncReport:
        from reader.core.team.db import reported

        with reported("sync notes", resumable=True):
            return self._sync()

    def _sync(self) -> SyncReport:
        self._notes = None  # read the store afresh for every sync
        self._synced = set()
        report = SyncReport()
        libraries = self.libraries()
        for _round in range(ROUNDS):
            for lib in libraries:
                self._pull(lib, report)
            if not self._push(libraries, report):
                break
        return report

    # -- pull ------------------------------------------------------------------------
    def _pull(self, library: str, report: SyncReport) -> None:
        while True:
            since = self.state.cursor(library)
            changes, version, more = pull_changes(self.conn, library, since)
            if changes:  # the cursor moves in the same local transaction as the changes it covers
                self._apply(library, changes, report, cursor=(library, version))
            else:
                self.state.record(cursor=(library, version))
            if self.progress is not None:
                self.progress("pull", report.pulled, report.pulled + (PAGE if more else 0))
            if not more:
                return

    def _local(self) -> dict[str, Note]:
        """The store's notes, read once per sync and kept current with the writes sync makes."""
        if self._notes is None:
            self._notes = {n.id: n for n in self.store.notes()}
        return self._notes

    def _apply(self, library: str, changes: list[Remote], report: SyncReport,
               cursor: tuple[str, int] | None = None) -> None:
        bases = self.state.bases_for([r.id for r in changes])
        tombs = self.state.tombstones()
        local = self._local()
        writes: list[Note] = []
        deletes: list[str] = []
        new_bases: list[Base] = []
        drop: list[str] = []
        untomb: list[str] = []
        assign: list[tuple[str, str]] = []
        conflicts: list[tuple[str, str, str, dict[str, Any]]] = []
        tombstones: list[tuple[str, str, int]] = []
        verbatim: list[str] = []  # notes now exactly as the server has them: clean without a check
        for r in changes:
            report.pulled += 1
            mine = local.get(r.id)
            base = bases.get(r.id)
            assign.append((r.id, library))
            if mine is None:
                if r.id in tombs and r.deleted:
                    untomb.append(r.id)
                    drop.append(r.id)
                elif r.deleted:
                    drop.append(r.id)
                elif base is not None and _content(r.fields) == _content(base.fields):
                    # Deleted here, unchanged there: the delete stands and goes up as a tombstone.
                    tombstones.append((r.id, library, r.version))
                    new_bases.append(Base(r.id, library, r.version, base.fields))
                else:  # new to this laptop, or changed remotely after a local delete: the edit wins
                    writes.append(note_from(r.id, r.fields))
                    new_bases.append(Base(r.id, library, r.version, r.fields))
                    untomb.append(r.id)
                    verbatim.append(r.id)
                continue
            mine_fields = note_fields(mine)
            dirty = base is None or _content(mine_fields) != _content(base.fields)
            if r.deleted:
                if dirty:  # edited here, deleted there: keep the edit; it goes back up as a new version
                    new_bases.append(Base(r.id, library, r.version, {}))
                else:
                    deletes.append(r.id)
                    drop.append(r.id)
                    report.deleted += 1
                continue
            if not dirty or _content(mine_fields) == _content(r.fields):
                if _content(mine_fields) != _content(r.fields):
                    writes.append(note_from(r.id, r.fields))
                new_bases.append(Base(r.id, library, r.version, r.fields))
                continue
            merged, clashes = merge(base.fields if base else {}, mine_fields, r.fields)
            if clashes:
                copy_id = new_id()
                copy = note_from(copy_id, {**mine_fields, "created": now_iso(), "updated": now_iso()})
                writes.append(copy)
                assign.append((copy_id, library))
                conflicts.append((copy_id, r.id, library, {"clashes": clashes}))
                report.conflicts.append(r.id)
            writes.append(note_from(r.id, merged))
            new_bases.append(Base(r.id, library, r.version, r.fields))
            report.merged += 1
        if writes:
            self.store.put_many(writes)
            local.update((n.id, n) for n in writes)
        # Notes now equal to their new base need no digest check before pushing (this sync's cache).
        self._synced.update(verbatim)
        checked = set(verbatim)
        self._synced.update(b.note_id for b in new_bases if b.fields and b.note_id not in checked
                            and local.get(b.note_id) is not None
                            and _content(note_fields(local[b.note_id])) == _content(b.fields))
        for note_id in deletes:
            self.store.delete(note_id)
            local.pop(note_id, None)
        self.state.record(bases=new_bases, drop=drop, untomb=untomb, assign=assign, conflicts=conflicts,
                          tombstones=tombstones, cursor=cursor)

    # -- push ------------------------------------------------------------------------
    def outgoing(self) -> dict[str, list[tuple[str, int, bool, dict[str, Any]]]]:
        """Dirty notes and tombstones per library, each with the server version it was based on."""
        digests = self.state.digests()
        assigned = self.state.assignments()
        tombs = self.state.tombstones()
        out: dict[str, list[tuple[str, int, bool, dict[str, Any]]]] = {}
        present: set[str] = set()
        new_tombs: list[tuple[str, str, int]] = []
        for note in self._local().values():
            present.add(note.id)
            if note.id in self._synced:
                continue
            fields = note_fields(note)
            base = digests.get(note.id)
            if base is not None and base[2] and digest(fields) == base[2]:
                continue
            lib = assigned.get(note.id, base[0] if base else self.personal)
            out.setdefault(lib, []).append((note.id, base[1] if base else 0, False, fields))
        for note_id, (lib, version, _digest) in digests.items():
            if note_id not in present and note_id not in tombs:
                new_tombs.append((note_id, lib, version))
        if new_tombs:
            self.state.record(tombstones=new_tombs)
            tombs = self.state.tombstones()
        gone = self.state.bases_for(list(tombs))
        for note_id, (lib, version) in tombs.items():
            out.setdefault(lib, []).append((note_id, version, True, gone[note_id].fields if note_id in gone else {}))
        return out

    def _push(self, libraries: list[str], report: SyncReport) -> bool:
        """Push everything dirty; True when something was refused as stale (pull and retry)."""
        retry = False
        outgoing = self.outgoing()
        total = sum(len(v) for v in outgoing.values())
        done = 0
        for lib, items in outgoing.items():
            if lib not in libraries:
                report.forbidden.extend(i[0] for i in items)
                continue
            for start in range(0, len(items), PUSH_BATCH):
                batch = items[start:start + PUSH_BATCH]
                outcome = push_changes(self.conn, lib, batch)
                by_id = {i[0]: i for i in batch}
                accepted = [by_id[n] for n in outcome.accepted]
                self.state.record(
                    bases=[Base(i[0], lib, outcome.version, i[3]) for i in accepted if not i[2]],
                    drop=[i[0] for i in accepted if i[2]], untomb=[i[0] for i in accepted if i[2]])
                report.pushed += len(accepted)
                report.forbidden.extend(n for n in outcome.forbidden if n not in report.forbidden)
                retry = retry or bool(outcome.stale)
                done += len(batch)
                if self.progress is not None:
                    self.progress("push", done, total)
        return retry


def merge(base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Three-way merge by field group; returns the merged fields and the groups both sides changed.

    A group changed on one side only takes that side; changed on both to different values, the
    server's value wins in the note (the local one survives in the conflicted copy).
    """
    merged = dict(theirs)
    clashes: list[str] = []
    for name, names in GROUPS.items():
        b, m, t = _group(base, name), _group(mine, name), _group(theirs, name)
        if m in (t, b):
            continue
        if t == b:
            for f in names:
                merged[f] = mine.get(f)
        else:
            clashes.append(name)
    merged["updated"] = max(str(mine.get("updated") or ""), str(theirs.get("updated") or ""))
    return merged, clashes


def resolve(store: Any, state: SyncState, copy_id: str, keep: str) -> Note:
    """Settle a conflicted copy: ``mine`` puts its fields into the note, ``theirs`` drops it."""
    found = [c for c in state.conflicts() if c["copy"] == copy_id]
    if not found:
        from reader.core.team.db import TeamError

        raise TeamError(f"no conflicted copy {copy_id!r} (see: parallax team conflicts)")
    original = store.get(found[0]["note"])
    copy = store.get(copy_id)
    result = original
    if keep == "mine" and copy is not None:
        fields = {**note_fields(copy), "created": original.created if original else copy.created,
                  "updated": now_iso()}
        result = note_from(found[0]["note"], fields)
        store.put(result)
    if copy is not None:
        store.delete(copy_id)
    state.record(resolved=[copy_id])
    return result
