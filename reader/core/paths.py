"""Where Parallax Reader keeps things: platformdirs locations, overridable per run.

Config dir: settings. Data dir: notes, overlays, the user's corpora and lessons.
Cache dir: anything that can be rebuilt (index, span caches), one folder per corpus.
Tests and portable installs pass explicit folders so the real home is never touched.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_DIR_NAME = "parallax-reader"
#: The app's own files are private: 0600 files and 0700 folders whatever the user's umask.
PRIVATE_UMASK = 0o077
#: Written in a folder once everything in it has been tightened, so later starts skip the walk.
PRIVATE_MARKER = ".private-modes-v1"

log = logging.getLogger(__name__)


def _source_root() -> Path:
    """The folder that holds ``resources/`` and ``corpus/`` for this installation.

    Three layouts, one lookup: a PyInstaller bundle unpacks them beside its modules
    (``sys._MEIPASS``); a wheel carries them inside the package as ``reader/_data/``
    (setup.py's build step); a source checkout or editable install has them beside ``reader/``.
    """
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:  # PyInstaller bundle
        return Path(frozen)
    package = Path(__file__).resolve().parent.parent  # .../reader
    carried = package / "_data"
    if (carried / "resources").is_dir():
        return carried  # a wheel: data copied into the package
    return package.parent  # a source checkout or an editable install


def resource_path(*parts: str) -> Path:
    """Path of a file under ``resources/`` (icons, themes, desktop files)."""
    return _source_root().joinpath("resources", *parts)


def bundled_corpus_path() -> Path:
    """The read-only sample corpus shipped with the app."""
    return _source_root() / "corpus"


@dataclass(frozen=True)
class AppPaths:
    """The three per-user folders; created on first use, never at import time."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @classmethod
    def resolve(
        cls,
        config_dir: str | os.PathLike[str] | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> AppPaths:
        """Explicit folders win, then ``PARALLAX_*_DIR`` variables, then platformdirs."""

        def pick(explicit: object, env: str, default: str) -> Path:
            if explicit:
                return Path(str(explicit)).expanduser().resolve()
            if os.environ.get(env):
                return Path(os.environ[env]).expanduser().resolve()
            return Path(default)

        return cls(
            config_dir=pick(config_dir, "PARALLAX_CONFIG_DIR", platformdirs.user_config_dir(APP_DIR_NAME)),
            data_dir=pick(data_dir, "PARALLAX_DATA_DIR", platformdirs.user_data_dir(APP_DIR_NAME)),
            cache_dir=pick(cache_dir, "PARALLAX_CACHE_DIR", platformdirs.user_cache_dir(APP_DIR_NAME)),
        )

    def corpus_cache_dir(self, corpus_root: Path) -> Path:
        """A cache folder of its own for each corpus, keyed by its absolute path."""
        root = Path(corpus_root).resolve()
        digest = hashlib.sha256(str(root).encode("utf-8")).hexdigest()[:12]
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in root.name)[:40]
        return self.cache_dir / "corpora" / f"{safe}-{digest}"

    def settings_file(self) -> Path:
        return self.config_dir / "settings.yaml"


def use_private_umask() -> None:
    """Make every file and folder this process creates private (0600 / 0700).

    Notes, corpora and their originals, the overlay, settings, the search index (it holds
    the full text) and caches are all private data; a umask set once at start covers every
    writer, including third-party ones (Whoosh, SQLite) that take the process default.
    """
    if os.name == "posix":
        os.umask(PRIVATE_UMASK)


def tighten_modes(root: Path, *, full: bool = True) -> int:
    """Remove group and other permission bits from ``root`` and everything below it.

    Bits are only ever removed, never added, so a file the user made read-only (0400, or
    0444, which becomes 0400) stays read-only. Symbolic links are neither followed nor
    changed. ``full=False`` checks only ``root`` and its direct children. Returns how many
    entries were changed.
    """
    root = Path(root)
    changed = 0
    stack = [(root, 0)]
    while stack:
        path, depth = stack.pop()
        try:
            st = path.lstat()
        except OSError:
            continue
        if stat.S_ISLNK(st.st_mode):
            continue
        mode = stat.S_IMODE(st.st_mode)
        if mode & 0o077:
            try:
                path.chmod(mode & ~0o077)
                changed += 1
            except OSError as exc:  # not ours (another owner) or a read-only mount: leave it
                log.debug("cannot tighten %s: %s", path, exc)
        if stat.S_ISDIR(st.st_mode) and (full or depth == 0):
            try:
                stack.extend((child, depth + 1) for child in path.iterdir())
            except OSError:
                continue
    return changed


def secure_app_dirs(paths: AppPaths) -> None:
    """At start: a private umask, then tighten what earlier versions left readable.

    The full walk runs once per folder (a marker records it); after that only the folder
    and its direct children are checked, which costs a few stat calls.
    """
    use_private_umask()
    if os.name != "posix":
        return
    for root in (paths.data_dir, paths.cache_dir, paths.config_dir):
        if not root.is_dir():
            continue
        marker = root / PRIVATE_MARKER
        if marker.exists():
            tighten_modes(root, full=False)
            continue
        tighten_modes(root)
        try:
            fd = os.open(marker, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        except OSError as exc:
            log.debug("cannot mark %s as tightened: %s", root, exc)
