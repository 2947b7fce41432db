"""The ``parallax`` command: subcommands over the core, or the GUI when none is given.

Startup cost matters here: only argparse and the core load before a command runs;
PySide6 is imported only when a window (or a screenshot) is wanted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from reader import APP_NAME, __version__
from reader.commands import MODULES
from reader.core import sync_modes
from reader.core.themes import THEME_NAMES


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options valid before or after the subcommand (``SUPPRESS`` keeps the first value)."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--corpus", metavar="DIR", default=default,
                        help="corpus folder (default: the last one opened, else the bundled sample)")
    parser.add_argument("--data-dir", metavar="DIR", default=default,
                        help="user data folder (notes, overlays, corpora)")
    parser.add_argument("--cache-dir", metavar="DIR", default=default,
                        help="cache folder (index and other rebuildable data)")
    parser.add_argument("--config-dir", metavar="DIR", default=default, help="settings folder")
    parser.add_argument("--debug", action="store_true", default=default, help="log to a file in the cache folder")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parallax",
        description=f"{APP_NAME}: compare how different outlets tell the same story. "
                    "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"parallax {__version__}")
    _global_options(parser, suppress=False)
    gui = parser.add_argument_group("window options")
    gui.add_argument("--open", nargs="+", metavar="ID", default=[], help="documents to open")
    gui.add_argument("--screenshot", metavar="PATH",
                     help="render the window offscreen to a PNG and exit (no display needed)")
    gui.add_argument("--size", metavar="WxH", default=None, help="window size, e.g. 1400x900")
    gui.add_argument("--sync", choices=sync_modes.KEYS, default=None,
                     help="how compare panes scroll together (with --open A B [C D])")
    gui.add_argument("--focus", metavar="ENTITY_ID", default=None,
                     help="entity to follow: each compare pane opens at its first mention")
    gui.add_argument("--theme", choices=THEME_NAMES, default=None,
                     help="colour theme for this run")
    gui.add_argument("--lesson", metavar="FILE", default=None, help="open a lesson (with --step, --present)")
    gui.add_argument("--step", type=int, default=1, help="lesson step to show (1-based)")
    gui.add_argument("--present", action="store_true", help="show the lesson in presentation mode")
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in MODULES:
        importlib.import_module(name).register(sub, [common])
    return parser


def parse_size(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    try:
        width, height = (int(x) for x in value.lower().split("x", 1))
    except ValueError:
        raise SystemExit(f"parallax: --size must look like 1400x900, not {value!r}") from None
    if not (200 <= width <= 10000 and 200 <= height <= 10000):
        raise SystemExit("parallax: --size must be between 200x200 and 10000x10000")
    return width, height


def main(argv: Sequence[str] | None = None) -> int:
    from reader.core.errors import ReaderError
    from reader.core.logsetup import debug_from_args
    from reader.core.paths import secure_app_dirs, use_private_umask
    from reader.core.session import Session

    use_private_umask()  # before anything is written: the app's files are 0600, its folders 0700
    parser = build_parser()
    args = parser.parse_args(argv)
    session = Session.create(corpus=args.corpus, data_dir=args.data_dir,
                             cache_dir=args.cache_dir, config_dir=args.config_dir)
    ctx = session.ctx
    secure_app_dirs(ctx.paths)
    debug_from_args(args, ctx.paths.cache_dir)  # --debug: a log file in <cache>/logs, its path on stderr
    if args.command is None:
        size = parse_size(args.size)
        from reader.gui.window.app import run_gui  # PySide6 loads only here

        lesson = (args.lesson, args.step, args.present) if args.lesson else None
        return run_gui(session, open_ids=args.open, screenshot=args.screenshot, size=size, theme=args.theme,
                       sync=args.sync, focus=args.focus, lesson=lesson)
    from reader.commands.output import safe_terminal

    with safe_terminal():  # titles, notes and file names are untrusted: no escape sequence reaches the terminal
        if ctx.settings.notice:
            print(f"parallax: {ctx.settings.notice}", file=sys.stderr)
        try:
            return int(args.func(args, session) or 0)
        except ReaderError as exc:
            print(f"parallax: {exc}", file=sys.stderr)
            return 2
        except BrokenPipeError:  # e.g. piped into head
            return 0
        finally:
            session.close()


def gui_main() -> int:
    """Entry point for desktop launchers (no console)."""
    return main(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
