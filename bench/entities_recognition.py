"""Recognition rows of ``bench entities`` (issue 16): speed on 2 cores, model load, CoNLL quality, resolution.

- words/s: every BBC News article (2,225, ~850,000 words) recognised from a cold cache with the
  app's own runner (two worker processes, start-up included); target >= 20,000 words/s.
- model load: a fresh process timing the import of the recogniser and the opening of the model
  (Python's own start-up excluded); target <= 1.0 s.
- CoNLL-2003 development part: precision, recall and F1 per type, exact span and type.
- resolution: on the 30 BBC politics articles the acceptance check uses, hand-checked pairs of
  spellings that must (or must not) be one entity.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, SHARED, Row
from reader.core.derived import DerivedStore
from reader.core.document import Document, DocumentMeta, build_document
from reader.core.entities.api import EntityService
from reader.core.entities.conll import read_conll, score
from reader.core.entities.recogniser import MODEL_DIR, MODEL_NAME, Recogniser
from reader.core.entities.recognition import recognise_missing

log = logging.getLogger(__name__)

BBC = SHARED / "testdata" / "bbc-news"
CONLL = SHARED / "testdata" / "conll2003"

#: Hand-checked on the first 30 politics articles (sorted by file name): (spelling, spelling, same entity?).
#: Each spelling is the text of a mention after titles are cut ("Mr Blair" is counted as "Blair").
PAIRS: tuple[tuple[str, str, bool], ...] = (
    ("Blair", "Tony Blair", True),
    ("Brown", "Gordon Brown", True),
    ("Howard", "Michael Howard", True),
    ("Straw", "Jack Straw", True),
    ("Kennedy", "Charles Kennedy", True),
    ("Fox", "Liam Fox", True),
    ("Campbell", "Alastair Campbell", True),
    ("Hewitt", "Patricia Hewitt", True),
    ("Lib Dem", "Lib Dems", True),
    ("Tory", "Tories", True),
    ("EOC", "Equal Opportunities Commission", True),
    ("Tony Blair", "Gordon Brown", False),
    ("Labour", "Tories", False),
    ("London", "Britain", False),
    ("Michael Howard", "Jack Straw", False),
    ("UK", "Britain", False),  # one country, but the app keeps the outlets' words apart unless told
)


def _read(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _doc(path: Path, n: int) -> Document:
    meta = DocumentMeta(f"d{n}", path.stem, path.parent.name, "", None, path)
    return build_document(meta, _read(path))[0]


def _speed() -> list[Row]:
    paths = sorted(BBC.glob("*/*.txt"))
    docs = [_doc(p, i) for i, p in enumerate(paths)]
    words = sum(len(d.text.split()) for d in docs)
    start = time.perf_counter()
    recognise_missing(DerivedStore(None), docs, workers=2)
    seconds = time.perf_counter() - start
    rate = words / seconds
    rec = Recogniser(MODEL_DIR / f"{MODEL_NAME}.crfsuite")
    one = docs[: len(docs) // 4]
    one_words = sum(len(d.text.split()) for d in one)
    t1 = time.perf_counter()
    for d in one:
        rec.recognise(d.text)
    single = one_words / (time.perf_counter() - t1)
    return [
        Row(f"recognise {len(docs):,} BBC articles ({words:,} words), 2 processes", rate, "words/s",
            ">= 20,000", rate >= 20_000, f"{seconds:.1f} s incl. start-up; machine shared, noisy"),
        Row("recognise, one thread (no worker processes)", single, "words/s", "", None, f"{len(one)} articles"),
    ]


def _load() -> Row:
    code = ("import time; t = time.perf_counter(); "
            "from reader.core.entities.recogniser import default_recogniser; r = default_recogniser(); "
            "r.recognise('Tony Blair visited London.'); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    seconds = float(out.stdout.strip().splitlines()[-1])
    size = (MODEL_DIR / f"{MODEL_NAME}.crfsuite").stat().st_size / 1e6
    return Row("model load + first sentence (fresh process)", seconds * 1000, "ms", "<= 1,000 ms",
               seconds <= 1.0, f"model {size:.1f} MB on disk")


def _quality() -> list[Row]:
    rec = Recogniser(MODEL_DIR / f"{MODEL_NAME}.crfsuite")
    gold, pred = [], []
    for doc in read_conll(CONLL / "valid.txt"):
        sents = [[w for w, _ in s] for s in doc]
        for sent, tags in zip(doc, rec.tag_document(sents), strict=True):
            gold.append([t for _, t in sent])
            pred.append(tags)
    scores = score(gold, pred)
    rows = []
    for t in ("PER", "ORG", "LOC"):
        s = scores[t]
        rows.append(Row(f"CoNLL dev {t}: F1 (P {s.precision:.3f}, R {s.recall:.3f})", s.f1, "F1", "", None,
                        f"{s.tp + s.fn} gold"))
    s = scores["all"]
    rows.append(Row(f"CoNLL dev PER/ORG/LOC: F1 (P {s.precision:.3f}, R {s.recall:.3f})", s.f1, "F1",
                    ">= 0.80", s.f1 >= 0.80, "exact span and type"))
    return rows


def _resolution() -> Row:
    paths = sorted((BBC / "politics").glob("*.txt"))[:30]
    docs = [_doc(p, i) for i, p in enumerate(paths)]
    with tempfile.TemporaryDirectory() as tmp:
        svc = EntityService(None, Path(tmp) / "overlay.yaml", Path(tmp) / "cache" / "entities",
                            documents=lambda: docs)
        svc.recognise(workers=1)
        votes: dict[str, dict[str, int]] = {}
        for d in docs:
            for m in svc.mentions(d):
                row = votes.setdefault(m.text, {})
                row[m.entity_id] = row.get(m.entity_id, 0) + 1
        svc.store.close()
    entity = {text: max(row, key=lambda k: row[k]) for text, row in votes.items()}
    right = wrong_merge = missed = absent = 0
    for a, b, same in PAIRS:
        if a not in entity or b not in entity:
            absent += 1
            continue
        together = entity[a] == entity[b]
        if together == same:
            right += 1
        elif together:
            wrong_merge += 1
        else:
            missed += 1
    checked = len(PAIRS) - absent
    share = right / checked if checked else 0.0
    return Row(f"resolution: {len(PAIRS)} hand-checked pairs, 30 BBC politics articles", share * 100, "% right",
               ">= 90 %", share >= 0.9, f"{wrong_merge} merged wrongly, {missed} left apart, {absent} not found")


def rows() -> list[Row]:
    out: list[Row] = []
    if not BBC.is_dir() or not CONLL.is_dir():
        return [Row("recognition (needs ../shared/testdata: bbc-news, conll2003)", 0, "", "", None, "skipped")]
    out.append(_load())
    out.extend(_speed())
    out.extend(_quality())
    out.append(_resolution())
    return out
