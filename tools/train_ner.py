"""Train the entity recogniser shipped with Parallax Reader (a CRF over CoNLL-2003).

    .venv/bin/python tools/train_ner.py [--data ../shared/testdata/conll2003] [--iterations 120]

Reads the training part, trains a linear-chain CRF (CRFsuite, L-BFGS with L1+L2 regularisation:
the L1 term prunes most features, which keeps the model a few MB), scores it on the development
part (exact span and type, PER/ORG/LOC) and writes

- ``reader/core/entities/models/conll2003-crf.crfsuite`` (the weights), and
- ``reader/core/entities/models/conll2003-crf.json`` (provenance, parameters, measured quality).

It takes a few minutes on one core. The data is research-use only (see docs/entities.md for what
that means for the shipped weights); it is read from ``../shared`` and never copied into the repo.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import pycrfsuite

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.entities.conll import read_conll, score  # noqa: E402
from reader.core.entities.ner_features import FEATURES_VERSION, doc_context, sentence_features  # noqa: E402
from reader.core.entities.recogniser import MODEL_DIR, MODEL_NAME, Recogniser  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "testdata" / "conll2003")
    ap.add_argument("--iterations", type=int, default=120)
    ap.add_argument("--c1", type=float, default=0.15)
    ap.add_argument("--c2", type=float, default=0.02)
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    args = ap.parse_args(argv)
    train_path, dev_path = args.data / "train.txt", args.data / "valid.txt"
    if not train_path.exists() or not dev_path.exists():
        print(f"train_ner: CoNLL-2003 not found in {args.data} (needs train.txt and valid.txt)", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    trainer = pycrfsuite.Trainer(verbose=False)
    n_tokens = 0
    for doc in read_conll(train_path):
        ctx = doc_context([[w for w, _ in s] for s in doc])
        for sent in doc:
            words = [w for w, _ in sent]
            trainer.append(sentence_features(words, ctx), [t for _, t in sent])
            n_tokens += len(words)
    trainer.set_params({"c1": args.c1, "c2": args.c2, "max_iterations": args.iterations,
                        "feature.possible_transitions": True})
    args.out.mkdir(parents=True, exist_ok=True)
    model_path = args.out / f"{MODEL_NAME}.crfsuite"
    print(f"train_ner: {n_tokens} training tokens; training {args.iterations} iterations ...", file=sys.stderr)
    trainer.train(str(model_path))
    train_seconds = time.perf_counter() - t0

    rec = Recogniser(model_path)
    gold, pred = [], []
    for doc in read_conll(dev_path):
        sents = [[w for w, _ in s] for s in doc]
        for sent, tags in zip(doc, rec.tag_document(sents), strict=True):
            gold.append([t for _, t in sent])
            pred.append(tags)
    scores = score(gold, pred)
    digest = hashlib.sha256(model_path.read_bytes()).hexdigest()
    meta = {
        "name": MODEL_NAME,
        "kind": "linear-chain CRF (CRFsuite 0.12 via python-crfsuite), L-BFGS",
        "features_version": FEATURES_VERSION,
        "trained_on": "CoNLL-2003 English, training part (Reuters 1996-97; Tjong Kim Sang and De Meulder 2003)",
        "licence": "trained on research-use data; see docs/entities.md",
        "training_tokens": n_tokens,
        "params": {"c1": args.c1, "c2": args.c2, "max_iterations": args.iterations},
        "train_seconds": round(train_seconds, 1),
        "sha256": digest,
        "size_bytes": model_path.stat().st_size,
        "dev": {t: {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4)}
                for t, s in scores.items()},
    }
    (args.out / f"{MODEL_NAME}.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    for t, s in scores.items():
        print(f"{t:>4}  P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}")
    print(f"train_ner: wrote {model_path} ({meta['size_bytes'] / 1e6:.1f} MB) in {train_seconds:.0f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
