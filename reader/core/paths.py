"""Where Parallax Reader keeps things: platformdirs locations, overridable per run.

Config dir: settings. Data dir: notes, overlays, the user's corpora and lessons.
Cache dir: anything that can be rebuilt (index, span caches), one folder per corpus.
Tests and portable installs pass explicit folders so the real home is never touched.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_DIR_NAME = "parallax-reader"


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
