"""The per-run context both faces share: folders, settings and which corpus is current.

The folders are resolved once (options, then the documented ``PARALLAX_*_DIR`` overrides, then
the platform defaults) and passed explicitly from here on: nothing writes them back into
``os.environ``. The corpus itself is owned by :class:`reader.core.session.Session`, which tells
the context which one is in use (:meth:`AppContext.use_corpus`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reader.core.corpus import Corpus
from reader.core.paths import AppPaths, bundled_corpus_path
from reader.core.settings import Settings

#: the folders of this run (set by :meth:`AppContext.create`); read through :func:`run_paths`
_RUN_PATHS: AppPaths | None = None


def run_paths() -> AppPaths:
    """The folders of the current run, for code that has a document but no context (the search
    index's entity field): the ones ``--data-dir`` / ``--cache-dir`` chose, else the defaults.
    Kept in this process (and inherited by forked index workers), never written to os.environ."""
    return _RUN_PATHS if _RUN_PATHS is not None else AppPaths.resolve()


@dataclass
class AppContext:
    """Resolved once per run from options, environment, settings and defaults."""

    paths: AppPaths
    settings: Settings
    corpus_override: Path | None = None
    _corpus: Corpus | None = field(default=None, init=False, repr=False)

    @classmethod
    def create(
        cls,
        corpus: str | None = None,
        data_dir: str | None = None,
        cache_dir: str | None = None,
        config_dir: str | None = None,
    ) -> AppContext:
        global _RUN_PATHS
        paths = AppPaths.resolve(config_dir=config_dir, data_dir=data_dir, cache_dir=cache_dir)
        # only folders given on the command line need remembering: the rest resolve the same anywhere
        _RUN_PATHS = paths if (config_dir or data_dir or cache_dir) else None
        settings = Settings(paths.settings_file())
        return cls(paths, settings, Path(corpus).expanduser() if corpus else None)

    @property
    def corpus_root(self) -> Path:
        """``--corpus`` wins, then the remembered corpus, then the bundled sample."""
        if self.corpus_override is not None:
            return self.corpus_override
        remembered = self.settings.get("corpus.path")
        if remembered and Path(remembered).is_dir():
            return Path(remembered)
        return bundled_corpus_path()

    @property
    def is_bundled(self) -> bool:
        try:
            return self.corpus_root.resolve() == bundled_corpus_path().resolve()
        except OSError:
            return False

    def use_corpus(self, corpus: Corpus | None) -> None:
        """The session's corpus (None: read it again on next use); only the session calls this."""
        self._corpus = corpus

    def corpus(self, *, scan: bool = True) -> Corpus:
        """The current corpus, scanned on first use (raises CorpusError if unusable).

        Prefer ``session.corpus()``: this is kept for the core helpers that take a context."""
        if self._corpus is None:
            corpus = Corpus(self.corpus_root, read_only=self.is_bundled)
            if scan:
                corpus.scan()
            self._corpus = corpus
        return self._corpus

    @property
    def corpus_key(self) -> str:
        """The current corpus's identity (``id`` in its ``corpus.yaml``): the key of the user's
        data about it (notes, entity overlay), so moving or renaming the folder hides nothing."""
        from reader.core.corpus import corpus_key_at

        return corpus_key_at(self.corpus_root)

    @property
    def cache_dir(self) -> Path:
        """This corpus's own folder in the cache dir (index, span caches)."""
        return self.paths.corpus_cache_dir(self.corpus_root)
