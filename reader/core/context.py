"""The per-run context both faces share: folders, settings and the current corpus."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from reader.core.corpus import Corpus
from reader.core.paths import AppPaths, bundled_corpus_path
from reader.core.settings import Settings


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
        paths = AppPaths.resolve(config_dir=config_dir, data_dir=data_dir, cache_dir=cache_dir)
        # The run's folders become the process default, so code that resolves paths without a
        # context (a search-field extractor, a worker) still honours --data-dir / --cache-dir.
        os.environ["PARALLAX_CONFIG_DIR"] = str(paths.config_dir)
        os.environ["PARALLAX_DATA_DIR"] = str(paths.data_dir)
        os.environ["PARALLAX_CACHE_DIR"] = str(paths.cache_dir)
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

    def corpus(self, *, scan: bool = True) -> Corpus:
        """The current corpus, scanned on first use (raises CorpusError if unusable)."""
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
