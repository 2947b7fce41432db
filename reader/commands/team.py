"""``parallax team ...``: a shared corpus and synced notes on a PostgreSQL team server.

Nothing in this module connects until one of its subcommands runs; ``team init URL`` is the
only way a laptop learns of a server. Every subcommand has ``--json``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from reader.commands.output import emit_json, warn
from reader.commands.progress import StderrProgress
from reader.core.errors import ReaderError
from reader.core.session import Session


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser("team", parents=parents, help="share a corpus and sync notes through a team server",
                         description="A PostgreSQL 15 team server (see docs/team.md).")
    tsub = cmd.add_subparsers(dest="team_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        p = tsub.add_parser(name, parents=parents, help=help_text)
        p.add_argument("--json", action="store_true", help="print the result as JSON")
        return p

    p = action("init", "connect to a server, create or upgrade its schema, remember it")
    p.add_argument("url", metavar="URL", help="postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=verify-full]")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(func=run_init)
    p = action("push", "upload the current corpus (only new or changed documents; resumable)")
    p.add_argument("name", nargs="?", metavar="CORPUS", help="its name on the server (default: the folder name)")
    p.set_defaults(func=run_push)
    p = action("use", "search the team corpus NAME from now on (--local goes back to this laptop's index)")
    p.add_argument("name", nargs="?", metavar="NAME")
    p.add_argument("--local", action="store_true", help="stop using the team corpus")
    p.set_defaults(func=run_use)
    p = action("status", "the server, its corpora and your libraries")
    p.set_defaults(func=run_status)
    p = action("search", "search the team corpus in use (same query language as parallax search)")
    p.add_argument("query", nargs="?", metavar="QUERY")
    p.add_argument("--limit", type=int, default=20, metavar="N")
    p.add_argument("--like", metavar="ID", help="documents like this one")
    p.set_defaults(func=run_search)
    p = action("show", "one document of the team corpus in use (JSON: metadata, sections, text)")
    p.add_argument("doc", metavar="ID")
    p.set_defaults(func=run_show)
    p = action("sync", "sync your notes with your libraries on the server (offline first)")
    p.set_defaults(func=run_sync)
    p = action("conflicts", "conflicted copies made by sync, to resolve")
    p.set_defaults(func=run_conflicts)
    p = action("resolve", "settle a conflicted copy: keep mine (the copy) or theirs (the server's)")
    p.add_argument("copy", metavar="COPY_ID")
    p.add_argument("--keep", choices=("mine", "theirs"), required=True)
    p.set_defaults(func=run_resolve)
    p = action("share", "sync a note to a team library instead of your personal one")
    p.add_argument("note", metavar="NOTE_ID")
    p.add_argument("--team", required=True, metavar="TEAM")
    p.set_defaults(func=run_share)
    p = action("add-user", "create a login (SCRAM password read from stdin) with a personal library")
    p.add_argument("user", metavar="USER")
    p.set_defaults(func=run_add_user)
    p = action("add-team", "create or extend a team library")
    p.add_argument("team", metavar="TEAM")
    p.add_argument("--members", required=True, help="comma-separated users who may write")
    p.add_argument("--readers", default="", help="comma-separated users who may only read")
    p.set_defaults(func=run_add_team)
    p = action("grant", "let USER read (or --editor: push to) the team corpus CORPUS")
    p.add_argument("corpus", metavar="CORPUS")
    p.add_argument("user", metavar="USER")
    p.add_argument("--editor", action="store_true")
    p.set_defaults(func=run_grant)
    p = action("jobs", "run queued rebuilds of derived data (vocabulary, statistics, RUM index)")
    p.set_defaults(func=run_jobs)


# -- helpers -------------------------------------------------------------------------
def _config(session: Session) -> Any:
    from reader.core.team import config

    found = config.load(session.paths.config_dir)
    if found is None:
        raise ReaderError("no team server configured: run parallax team init postgresql://USER@HOST/DATABASE")
    return found


def _connect(session: Session) -> Any:
    from reader.core.team import config

    return config.connector(session.paths.config_dir, _config(session))()


def _done(args: argparse.Namespace, data: dict[str, Any], text: str) -> int:
    if args.json:
        emit_json(data)
    else:
        print(text)
    return 0


# -- actions -------------------------------------------------------------------------
def run_init(args: argparse.Namespace, session: Session) -> int:
    from reader.core.team import config, db

    url, user, secret = config.split_password(args.url)
    if args.password_stdin:
        secret = sys.stdin.readline().rstrip("\n")
    cfg = config.TeamConfig(url, user, None)
    old = config.load(session.paths.config_dir)
    if old is not None and old.url == url:
        cfg.corpus = old.corpus
    config.save(session.paths.config_dir, cfg, secret)
    with config.connector(session.paths.config_dir, cfg)() as conn, db.reported("prepare the team schema"):
        applied = db.migrate(conn)
    return _done(args, {"url": url, "user": user, "applied": applied},
                 f"team server {url} ready ({len(applied)} migration(s) applied)")


def run_push(args: argparse.Namespace, session: Session) -> int:
    from reader.core.team import config
    from reader.core.team.push import push

    corpus = session.corpus()
    name = (args.name or session.corpus_root.name).lower()
    progress = StderrProgress("pushing")
    entity_spans, framing_spans = _span_sources(session)
    with _connect(session) as conn:
        report = push(conn, corpus, name, progress=progress, entity_spans=entity_spans, framing_spans=framing_spans)
    progress.finish()
    cfg = _config(session)
    if cfg.corpus is None:
        cfg.corpus = name
        config.save(session.paths.config_dir, cfg)
    data = {"corpus": name, **report.to_json()}
    return _done(args, data, f"{name}: {report.added} added, {report.updated} updated, {report.removed} removed, "
                             f"{report.unchanged} unchanged in {report.seconds:.1f} s")


def _span_sources(session: Session) -> tuple[Any, Any]:
    """Entity mentions and framing spans as this laptop computes them (a framing engine that
    cannot load skips its spans, with a warning)."""
    from reader.core.entities.search_fields import service_for

    framing = None

    def entity(doc: Any) -> list[tuple[int, int, str]]:  # as the local index computes them
        return list(service_for(doc).spans(doc))

    try:
        service = session.framing

        def framing(doc: Any) -> list[Any]:
            return list(service.spans(doc))
    except ReaderError as exc:
        warn(f"framing spans not uploaded ({exc})")
    return entity, framing


def run_use(args: argparse.Namespace, session: Session) -> int:
    from reader.core.team import config, corpora, db

    cfg = _config(session)
    if args.local:
        cfg.corpus = None
        config.save(session.paths.config_dir, cfg)
        return _done(args, {"corpus": None}, "searching this laptop's corpus again")
    if not args.name:
        raise ReaderError("team use needs a NAME (or --local)")
    with _connect(session) as conn, db.reported("find the corpus"):
        found = corpora.get(conn, args.name)
    cfg.corpus = found.name
    config.save(session.paths.config_dir, cfg)
    return _done(args, {"corpus": found.name}, f"searching the team corpus {found.name}")


def run_status(args: argparse.Namespace, session: Session) -> int:
    from reader.core.team import access, corpora, db

    cfg = _config(session)
    with _connect(session) as conn, db.reported("read the server status"):
        data = {"url": cfg.url, "user": cfg.user, "corpus": cfg.corpus, "schema_current": db.schema_current(conn),
                "corpora": corpora.names(conn),
                "libraries": [{"id": i, "kind": k, "can_write": w} for i, k, w in access.my_libraries(conn)]}
    text = "\n".join([f"server: {cfg.url} as {cfg.user}", f"in use: {cfg.corpus or '(local corpus)'}",
                      f"corpora: {', '.join(data['corpora']) or '(none)'}",
                      f"libraries: {', '.join(lib['id'] for lib in data['libraries']) or '(none)'}"])
    return _done(args, data, text)


def run_search(args: argparse.Namespace, session: Session) -> int:
    from reader.core.search.engine import QuerySyntaxError
    from reader.core.team import config

    cfg = _config(session)
    if not cfg.corpus:
        raise ReaderError("no team corpus in use: run parallax team use NAME")
    if not args.query and not args.like:
        raise ReaderError("team search needs a QUERY or --like ID")
    from reader.core.search.postgres_engine import PostgresEngine

    engine = PostgresEngine(config.connector(session.paths.config_dir, cfg), cfg.corpus)
    try:
        if args.like:
            doc = engine.document(args.like)
            if doc is None:
                raise ReaderError(f"no document {args.like!r} in the team corpus {cfg.corpus}")
            results = engine.more_like_this(doc, limit=args.limit)
        else:
            try:
                results = engine.search(args.query, limit=args.limit)
            except QuerySyntaxError as exc:
                raise ReaderError(f"bad query: {exc}") from None
    finally:
        engine.close()
    if args.json:
        data = results.to_json()
        data["corpus"] = cfg.corpus
        emit_json(data)
        return 0
    print(f"{results.total_label} document(s) match {results.query!r} in the team corpus {cfg.corpus}")
    if results.suggestion:
        print(f"did you mean: {results.suggestion}")
    for n, hit in enumerate(results.hits, 1):
        print(f"{n:3}. {hit.id}  {hit.published or 'n.d.'}  {hit.outlet}: {hit.title}  [{hit.score:.2f}]")
    return 0


def run_show(args: argparse.Namespace, session: Session) -> int:
    from reader.core.search.postgres_engine import PostgresEngine
    from reader.core.team import config

    cfg = _config(session)
    if not cfg.corpus:
        raise ReaderError("no team corpus in use: run parallax team use NAME")
    engine = PostgresEngine(config.connector(session.paths.config_dir, cfg), cfg.corpus)
    try:
        doc = engine.document(args.doc)
    finally:
        engine.close()
    if doc is None:
        raise ReaderError(f"no document {args.doc!r} in the team corpus {cfg.corpus}")
    data = doc.to_json()
    data["path"] = None
    return _done(args, data, f"{doc.meta.citation()}\n\n{doc.text}")


def _notes(session: Session) -> tuple[Any, Any]:
    from reader.core.team.sync_state import SyncState

    return session.notes, SyncState.beside(session.paths.data_dir)


def run_sync(args: argparse.Namespace, session: Session) -> int:
    from reader.core.team.sync import Syncer

    cfg = _config(session)
    store, state = _notes(session)
    progress = StderrProgress("syncing notes")
    try:
        try:
            conn = _connect(session)
        except ReaderError as exc:
            raise ReaderError(f"offline: notes not synced, nothing lost ({exc})") from None
        with conn:
            report = Syncer(conn, store, state, cfg.user, progress).sync()
    finally:
        progress.finish()
        store.close()
        state.close()
    text = f"notes synced: {report.pulled} pulled, {report.pushed} pushed, {report.merged} merged"
    if report.conflicts:
        text += f"\n{len(report.conflicts)} conflict(s): see parallax team conflicts"
    if report.forbidden:
        text += f"\n{len(report.forbidden)} note(s) belong to someone else and were not sent"
    return _done(args, report.to_json(), text)


def run_conflicts(args: argparse.Namespace, session: Session) -> int:
    store, state = _notes(session)
    try:
        found = state.conflicts()
        rows = []
        for c in found:
            copy, note = store.get(c["copy"]), store.get(c["note"])
            rows.append({**c, "mine": copy.body if copy else None, "theirs": note.body if note else None})
    finally:
        store.close()
        state.close()
    text = "\n".join(f"{r['copy']} (copy of {r['note']}): mine {r['mine']!r} / theirs {r['theirs']!r}"
                     for r in rows) or "no conflicts"
    return _done(args, {"conflicts": rows}, text)


def run_resolve(args: argparse.Namespace, session: Session) -> int:
    from reader.core.team.sync import resolve

    store, state = _notes(session)
    try:
        note = resolve(store, state, args.copy, args.keep)
    finally:
        store.close()
        state.close()
    return _done(args, {"note": note.id if note else None, "kept": args.keep},
                 f"resolved: kept {args.keep}; run parallax team sync to send it")


def run_share(args: argparse.Namespace, session: Session) -> int:
    from reader.core.team.access import team_library

    lib = team_library(args.team)
    store, state = _notes(session)
    try:
        note = store.resolve(args.note)
        base = state.bases().get(note.id)
        tombs = [(note.id, base.library, base.server_version)] if base and base.library != lib else []
        # Moving libraries: the old copy is tombstoned, the note goes up as new in the team library.
        state.record(assign=[(note.id, lib)], tombstones=tombs, drop=[note.id] if tombs else [])
    finally:
        store.close()
        state.close()
    return _done(args, {"note": note.id, "library": lib}, f"note {note.id} will sync to {lib}")


def run_add_user(args: argparse.Namespace, session: Session) -> int:
    from reader.core.team import access, db

    secret = sys.stdin.readline().rstrip("\n")
    with _connect(session) as conn, db.reported("add the user"):
        lib = access.add_user(conn, args.user, secret)
    return _done(args, {"user": args.user, "library": lib}, f"user {args.user} created with library {lib}")


def run_add_team(args: argparse.Namespace, session: Session) -> int:
    from reader.core.team import access, db

    members = [m.strip() for m in args.members.split(",") if m.strip()]
    readers = [m.strip() for m in args.readers.split(",") if m.strip()]
    with _connect(session) as conn, db.reported("add the team"):
        lib = access.add_team(conn, args.team, members, readers=readers)
    return _done(args, {"library": lib, "members": members, "readers": readers}, f"team library {lib} ready")


def run_grant(args: argparse.Namespace, session: Session) -> int:
    from reader.core.team import access, corpora, db

    with _connect(session) as conn, db.reported("grant access"):
        found = corpora.get(conn, args.corpus)
        corpora.grant(conn, found, access.check_user(args.user), editor=args.editor)
    role = "editor" if args.editor else "reader"
    return _done(args, {"corpus": found.name, "user": args.user, "role": role},
                 f"{args.user} is now {role} of {found.name}")


def run_jobs(args: argparse.Namespace, session: Session) -> int:
    from reader.core.team import db, jobs

    with _connect(session) as conn, db.reported("run the jobs"):
        ran = jobs.run_jobs(conn)
    return _done(args, {"jobs": [{"kind": k, "seconds": round(s, 3)} for k, s in ran]}, f"{len(ran)} job(s) run")
