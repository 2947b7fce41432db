"""Reading and checking lesson files: every problem names the file, line and step.

A lesson names documents and quoted passages; documents may be edited after the lesson was
written, so passages are found the way notes re-anchor: exactly, else whitespace- and
quote-insensitively, else fuzzily above a threshold.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reader.core.atomic import atomic_write_text
from reader.core.corpus import Corpus
from reader.core.errors import ReaderError
from reader.core.lessons.model import LAYERS, SYNC_MODES, Lesson, Step

log = logging.getLogger(__name__)

_TOP_KEYS = {"title", "audience", "duration", "description", "steps"}
_STEP_KEYS = {"title", "documents", "sync", "focus", "layers", "techniques", "scroll", "prompt", "notes", "reveal",
              "comments"}


@dataclass(frozen=True)
class LessonProblem:
    path: str
    line: int | None
    step: int | None  # 1-based
    severity: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        step = f" step {self.step}:" if self.step else ""
        return f"{where}:{step} {self.severity}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "step": self.step, "severity": self.severity,
                "message": self.message}


class LessonError(ReaderError):
    """The lesson file cannot be used at all (unreadable, not YAML, no steps)."""

    def __init__(self, problems: list[LessonProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def load_lesson(path: Path) -> tuple[Lesson, list[LessonProblem]]:
    """Parse a lesson; format problems are returned, fatal ones raise :class:`LessonError`."""
    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError([LessonProblem(shown, None, None, "error", f"cannot read lesson: {exc}")]) from None
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        root = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise LessonError([LessonProblem(shown, line, None, "error", f"YAML error: {exc.problem}")]) from None
    if not isinstance(data, dict) or root is None:
        message = "a lesson must be a mapping with 'title' and 'steps'"
        raise LessonError([LessonProblem(shown, 1, None, "error", message)])
    problems: list[LessonProblem] = []
    step_lines = _step_lines(root)
    for key in sorted(set(data) - _TOP_KEYS):
        problems.append(LessonProblem(shown, 1, None, "warning", f"unknown key {key!r}"))
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise LessonError([LessonProblem(shown, 1, None, "error", "the lesson has no 'steps' list")])
    steps = []
    for i, raw in enumerate(raw_steps, 1):
        line = step_lines[i - 1] if i - 1 < len(step_lines) else None
        step = _parse_step(raw, i, line, shown, problems)
        if step is not None:
            steps.append(step)
    if not str(data.get("title") or "").strip():
        problems.append(LessonProblem(shown, 1, None, "error", "missing 'title'"))
    lesson = Lesson(title=str(data.get("title") or Path(path).stem), steps=steps,
                    audience=str(data.get("audience") or ""), duration=str(data.get("duration") or ""),
                    description=str(data.get("description") or ""), path=Path(path))
    return lesson, problems


def _step_lines(root: yaml.Node) -> list[int]:
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if getattr(key, "value", None) == "steps" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _parse_step(raw: Any, n: int, line: int | None, shown: str, problems: list[LessonProblem]) -> Step | None:
    def problem(message: str, severity: str = "error") -> None:
        problems.append(LessonProblem(shown, line, n, severity, message))

    if not isinstance(raw, dict):
        problem("a step must be a mapping")
        return None
    for key in sorted(set(raw) - _STEP_KEYS):
        problem(f"unknown key {key!r}", "warning")
    docs = raw.get("documents")
    if isinstance(docs, str):
        docs = [docs]
    if not isinstance(docs, list) or not docs or not all(isinstance(d, str) for d in docs):
        problem("'documents' must list 1 to 4 document ids")
        docs = [str(d) for d in docs] if isinstance(docs, list) else []
    if len(docs) > 4:
        problem(f"{len(docs)} documents: a step shows at most 4")
    sync = str(raw.get("sync") or "aligned")
    if sync not in SYNC_MODES:
        problem(f"unknown sync mode {sync!r} (use {', '.join(SYNC_MODES)})")
        sync = "aligned"
    layers_raw = raw.get("layers") or {}
    layers = {"entities": True, "framing": False, "notes": False}
    if isinstance(layers_raw, list):
        layers_raw = {name: True for name in layers_raw}
    if isinstance(layers_raw, dict):
        for name, on in layers_raw.items():
            if name not in LAYERS:
                problem(f"unknown layer {name!r} (use {', '.join(LAYERS)})")
                continue
            layers[name] = bool(on)
    else:
        problem("'layers' must map layer names to true/false")
    reveal = raw.get("reveal") or []
    if isinstance(reveal, str):
        reveal = [reveal]
    for name in reveal:
        if name not in LAYERS:
            problem(f"cannot reveal unknown layer {name!r}")
    scroll = raw.get("scroll") or {}
    if not isinstance(scroll, dict):
        problem("'scroll' must map document ids to a quoted passage")
        scroll = {}
    techniques = raw.get("techniques") or []
    comments = raw.get("comments") or 0
    if comments is True:
        comments = 3
    if not isinstance(comments, int) or comments < 0:
        problem("'comments' must be how many reader comments to show (a whole number, or true for 3)")
        comments = 0
    return Step(
        title=str(raw.get("title") or f"Step {n}"), documents=list(docs), sync=sync,
        focus=(str(raw["focus"]) if raw.get("focus") else None), layers=layers,
        techniques=[str(t) for t in techniques] if isinstance(techniques, list) else [],
        scroll={str(k): str(v) for k, v in scroll.items()}, prompt=str(raw.get("prompt") or "").strip(),
        notes=str(raw.get("notes") or "").strip(), reveal=[str(r) for r in reveal if r in LAYERS], line=line or 0,
        comments=comments,
    )


_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "\u00a0": " "})


def find_passage(text: str, quote: str) -> int | None:
    """Offset of ``quote`` in ``text``: exact, else ignoring quote style, case and spacing; None if absent."""
    if not quote.strip():
        return None
    at = text.find(quote)
    if at >= 0:
        return at
    words = quote.translate(_QUOTES).split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    match = re.search(pattern, text.translate(_QUOTES), re.IGNORECASE)
    if match:
        return match.start()  # translate() keeps lengths, so offsets are canonical
    from rapidfuzz import fuzz  # a dependency; imported late to keep startup light

    found = fuzz.partial_ratio_alignment(quote, text, score_cutoff=85)
    return found.dest_start if found is not None else None


def check_lesson(lesson: Lesson, corpus: Corpus, known_entities: set[str] | None = None,
                 known_techniques: set[str] | None = None) -> list[LessonProblem]:
    """Problems of a parsed lesson against a corpus: missing documents, passages, entities."""
    shown = str(lesson.path or lesson.title)
    problems: list[LessonProblem] = []
    for n, step in enumerate(lesson.steps, 1):
        def problem(message: str, severity: str = "error", step: Step = step, n: int = n) -> None:
            problems.append(LessonProblem(shown, step.line or None, n, severity, message))

        for doc_id in step.documents:
            if doc_id not in corpus:
                problem(f"document {doc_id!r} is not in the corpus")
        for doc_id, quote in step.scroll.items():
            if doc_id not in step.documents:
                problem(f"scroll names {doc_id!r}, which is not one of the step's documents")
                continue
            if doc_id not in corpus:
                continue
            if find_passage(corpus.document(doc_id).text, quote) is None:
                problem(f"passage not found in {doc_id!r}: {quote[:60]!r}")
        if step.focus and known_entities is not None and step.focus not in known_entities:
            problem(f"focus entity {step.focus!r} is not in the gazetteer")
        if step.sync == "entity" and not step.focus:
            problem("sync 'entity' needs a 'focus' entity")
        if known_techniques is not None:
            for tech in step.techniques:
                if tech not in known_techniques:
                    problem(f"unknown framing technique {tech!r}")
    return problems


def save_lesson(lesson: Lesson, path: Path) -> None:
    """Write the lesson atomically (autosave after every edit)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Parallax Reader lesson. See docs/lessons.md for the format.\n"
    atomic_write_text(path, header + yaml.safe_dump(lesson.to_yaml(), allow_unicode=True, sort_keys=False,
                                                    width=100))
