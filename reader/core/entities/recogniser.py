"""Offline named-entity recognition: typed mentions with exact offsets, from a CRF shipped with the app.

The model (``models/conll2003-crf.crfsuite``, trained by ``tools/train_ner.py`` on CoNLL-2003; its
provenance and measured quality in ``models/conll2003-crf.json`` and docs/entities.md) is opened
on first use, never at import or window start: :func:`default_recogniser` loads it lazily and
keeps it per process. CRFsuite taggers are not thread-safe, so each thread gets its own tagger
over the same file (opening one costs a few milliseconds once the file is in the page cache).

``recognise(text)`` gives ``(start, end, type)`` spans into ``text`` with the model's types
mapped to the app's: PER -> person, ORG -> organisation, LOC -> place. MISC (nationalities,
events, titles of works, ...) is too mixed to become an entity of one type and is dropped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from reader.core.entities.ner_features import (
    FEATURES_VERSION,
    DocContext,
    doc_context,
    sentence_features,
    sentences,
)

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_NAME = "conll2003-crf"
TYPE_MAP = {"PER": "person", "ORG": "organisation", "LOC": "place"}

RecognisedSpan = tuple[int, int, str]  # (start, end, app entity type)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())

# Words that are never a name on their own however they are capitalised (the model sees
# "Wednesday" and "I'm" at sentence starts and in headlines; these never name an actor).
NEVER_NAMES = _words("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december today tomorrow yesterday tonight i i'm i’m mr mrs ms dr sir
he she it we they you the a an this that these those mon tue wed thu fri sat sun jan feb mar apr jun
jul aug sep sept oct nov dec christmas easter
""")
_TRIM_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


class ModelMissing(RuntimeError):
    """The shipped model file is absent (a broken install); recognition is off, the rest works."""


class Recogniser:
    """One CRF model; ``tag_document`` for pre-tokenised text, ``recognise`` for raw text."""

    def __init__(self, model_path: Path) -> None:
        import pycrfsuite  # C extension: imported with the model, not with the app

        self.path = Path(model_path)
        if not self.path.exists():
            raise ModelMissing(f"entity model {self.path} is missing; reinstall Parallax Reader")
        t0 = time.perf_counter()
        self._pycrfsuite = pycrfsuite
        self._local = threading.local()
        self._tagger()  # open once now, so a broken file fails here and load time is measured
        self.load_seconds = time.perf_counter() - t0
        meta_path = self.path.with_suffix(".json")
        try:
            self.meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.meta = {}
        digest = self.meta.get("sha256") or hashlib.sha256(self.path.read_bytes()).hexdigest()
        #: what cached mentions were computed by: model weights plus feature code
        self.fingerprint = f"{MODEL_NAME}:{digest[:16]}:f{FEATURES_VERSION}"

    def _tagger(self) -> object:
        tagger = getattr(self._local, "tagger", None)
        if tagger is None:
            tagger = self._pycrfsuite.Tagger()
            tagger.open(str(self.path))
            self._local.tagger = tagger
        return tagger

    def tag_document(self, sents: Sequence[Sequence[str]], ctx: DocContext | None = None) -> list[list[str]]:
        """IOB2 tags for each sentence of one document (document-wide features need all of it)."""
        ctx = ctx if ctx is not None else doc_context(sents)
        tagger = self._tagger()
        return [tagger.tag(sentence_features(words, ctx)) if words else [] for words in sents]  # type: ignore[attr-defined]

    def recognise(self, text: str) -> list[RecognisedSpan]:
        """Typed mention spans in ``text``, in order, never overlapping."""
        sent_spans = sentences(text)
        words = [[text[s:e] for s, e in sent] for sent in sent_spans]
        out: list[RecognisedSpan] = []
        for toks, tags in zip(sent_spans, self.tag_document(words), strict=True):
            start_tok, kind = -1, ""
            for i, tag in enumerate([*tags, "O"]):
                inside = tag.startswith("I-") and tag[2:] == kind
                if start_tok >= 0 and not inside:
                    span = _clean(text, toks[start_tok][0], toks[i - 1][1], kind)
                    if span is not None:
                        out.append(span)
                    start_tok, kind = -1, ""
                if tag != "O" and not inside:
                    start_tok, kind = i, tag[2:]
        return out


def _clean(text: str, start: int, end: int, kind: str) -> RecognisedSpan | None:
    etype = TYPE_MAP.get(kind)
    if etype is None:
        return None
    surface = text[start:end]
    m = _TRIM_EDGE.search(surface)
    while m is not None and m.group():  # stray quotes or dashes at the edges are not the name
        if m.start() == 0:
            start += m.end()
        else:
            end = start + m.start()
        surface = text[start:end]
        m = _TRIM_EDGE.search(surface)
    if not surface or not any(c.isalpha() for c in surface):
        return None
    if surface.lower() in NEVER_NAMES or not any(c.isupper() for c in surface):
        return None
    return (start, end, etype)


_FINGERPRINT: tuple[tuple[int, int] | None, str] | None = None


def model_fingerprint() -> str:
    """The shipped model's fingerprint without loading it (from its metadata, else its bytes).

    Remembered while the metadata file's size and mtime stay the same: it is asked once per
    document's spans (the metadata was read and parsed 20,000 times by one recount)."""
    global _FINGERPRINT
    path = MODEL_DIR / f"{MODEL_NAME}.crfsuite"
    try:
        st = path.with_suffix(".json").stat()
        stamp: tuple[int, int] | None = (st.st_size, st.st_mtime_ns)
    except OSError:
        stamp = None
    if stamp is not None and _FINGERPRINT is not None and _FINGERPRINT[0] == stamp:
        return _FINGERPRINT[1]
    value = _read_fingerprint(path)
    _FINGERPRINT = (stamp, value)
    return value


def _read_fingerprint(path: Path) -> str:
    try:
        digest = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            log.debug("no recogniser model to fingerprint: %s", exc)
            digest = "missing"
    return f"{MODEL_NAME}:{str(digest)[:16]}:f{FEATURES_VERSION}"


def recognise_batch(texts: list[str]) -> list[list[RecognisedSpan]]:
    """Recognise several texts with the shipped model (the unit of work a worker process runs)."""
    rec = default_recogniser()
    if rec is None:
        return [[] for _ in texts]
    return [rec.recognise(t) for t in texts]


_default: Recogniser | None = None
_default_lock = threading.Lock()
_default_failed: str | None = None


def default_recogniser() -> Recogniser | None:
    """The shipped model, loaded on first call (None, logged once, when it cannot be loaded)."""
    global _default, _default_failed
    with _default_lock:
        if _default is None and _default_failed is None:
            try:
                _default = Recogniser(MODEL_DIR / f"{MODEL_NAME}.crfsuite")
                log.info("entity model loaded in %.2f s", _default.load_seconds)
            except (ModelMissing, ImportError, OSError, RuntimeError) as exc:
                _default_failed = str(exc)
                log.warning("entity recognition is off: %s", exc)
        return _default
