"""``parallax settings``: list, read and change the declared settings."""

from __future__ import annotations

import argparse
from typing import Any

import yaml

from reader.commands.output import emit_json
from reader.core.session import Session
from reader.core.settings import declared


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser("settings", parents=parents, help="list or change settings")
    cmd.add_argument("action", nargs="?", choices=("list", "get", "set", "reset"), default="list")
    cmd.add_argument("name", nargs="?", help="setting name, e.g. reader.font_size")
    cmd.add_argument("value", nargs="?", help="new value (YAML syntax for lists)")
    cmd.add_argument("--json", action="store_true", help="print as JSON")
    cmd.add_argument("--all", action="store_true", help="include remembered window state")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace, session: Session) -> int:
    settings = session.settings
    if args.action in ("get", "set", "reset") and not args.name:
        raise SystemExit(f"parallax settings {args.action}: a setting name is required")
    if args.action == "get":
        value = settings.get(declared(args.name).name)
        emit_json({"name": args.name, "value": value}) if args.json else print(value)
        return 0
    if args.action == "set":
        setting = declared(args.name)
        raw = args.value if args.value is not None else ""
        value = yaml.safe_load(raw) if setting.type is list else raw
        settings.set(setting.name, value)
        return 0
    if args.action == "reset":
        settings.reset(args.name)
        return 0
    rows = [(s, v) for s, v in settings.items() if s.user or args.all]
    if args.json:
        emit_json({"settings": [
            {"name": s.name, "type": s.type.__name__, "value": v, "default": s.default, "help": s.help,
             "choices": list(s.choices) if s.choices else None}
            for s, v in rows]})
    else:
        for s, v in rows:
            print(f"{s.name} = {v!r}    # {s.help}" + (f" ({'|'.join(s.choices)})" if s.choices else ""))
    return 0
