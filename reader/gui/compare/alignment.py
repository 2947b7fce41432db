"""The compare view's alignment: shared passages as layers in the panes and bands between them.

One of the compare view's four jobs: align neighbouring panes (through the session's
aligner), colour the aligned passages and the word differences, draw the connector bands,
and step from pair to pair.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor

from reader.core import background
from reader.core.align import Aligner, Alignment
from reader.core.align.model import KINDS, is_weak
from reader.core.align.worddiff import pair_word_diff
from reader.core.background import context_spec
from reader.core.errors import ReaderError
from reader.gui.compare.connectors import KIND_COLORS, KIND_LABELS, ConnectorHandle, kind_color
from reader.gui.compare.scrollsync import offset_y
from reader.gui.reader.layers import Layer, LayerSpan, background_format
from reader.gui.reader.view import ReaderView
from reader.gui.workers import Job, JobError

log = logging.getLogger(__name__)

#: Corpora from this size build their word weights and align pairs in a child process (:mod:`reader.core.background`).
CHILD_MIN_DOCS = 1000

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QLabel

    from reader.gui.compare.connectors import CompareSplitter
    from reader.gui.compare.panes import PaneFrame
    from reader.gui.compare.scrollsync import ScrollSync


class AlignmentLayers:
    """Alignment of neighbouring panes (a mixin of :class:`~reader.gui.compare.view.CompareView`)."""

    window_: Any
    frames: list[PaneFrame]
    splitter: CompareSplitter
    sync: ScrollSync
    _aligner: Aligner | None
    _stats_job: Job | None
    _stats_generation: int
    _pair_job: Job | None
    _pair_wanted: dict[tuple[str, str], tuple[Any, Any]]
    _pair_failed: set[tuple[str, str]]
    _alignments: dict[tuple[str, str], Alignment]
    _band_cache: dict[int, list[tuple[int, Any, float, float, float, float]]]
    _pair_index: dict[int, int]
    _mention_source: Any
    show_weak: bool
    word_diffs: bool
    act_weak: QAction
    act_word_diff: QAction
    coverage_label: QLabel

    if TYPE_CHECKING:
        from PySide6.QtCore import SignalInstance

        destroyed: SignalInstance

        def views(self) -> list[ReaderView]: ...
        def active_view(self) -> ReaderView: ...
        def _on_panes_changed(self) -> None: ...

    def aligner(self) -> Aligner | None:
        """The session's aligner once its corpus word weights are ready, else None (for now).

        The weights are document frequencies over every passage of the corpus: at 20,000
        documents that walk takes many seconds, so the first call starts it in a background job
        and the panes show unaligned (proportional scrolling) until it ends; then the
        alignment is applied. The weights are cached on disk, so later sessions load them.
        """
        if self._aligner is None and self.window_.corpus is not None and self._stats_job is None:
            self._start_stats_job()
        return self._aligner

    @property
    def alignment_pending(self) -> bool:
        """Whether the corpus word weights are still being computed (the panes are unaligned)."""
        return self._stats_job is not None or self._pair_job is not None or bool(self._pair_wanted)

    def _start_stats_job(self) -> None:
        session = self.window_.session
        generation = self._stats_generation

        corpus = self.window_.corpus
        far = corpus is not None and len(corpus) >= CHILD_MIN_DOCS and background.can_run_children()
        spec = context_spec(session.ctx, corpus.root) if far and corpus is not None else None

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> tuple[int, Any]:
            aligner = session.aligner()  # builds the entity service and the corpus key off the GUI thread
            # Weights on disk load here; building them walks every passage of the corpus (seconds
            # of Python at 20,000 documents that took the GUI thread's GIL): a child builds and
            # stores them, then they load here.
            if spec is not None and not aligner.prepare_stats(None, lambda: True):
                background.run("reader.core.background_tasks:alignment_stats", {"spec": spec}, progress, cancelled)
            return generation, (aligner if aligner.prepare_stats(progress, cancelled) else None)

        job = Job(work)  # no Qt parent: the pump keeps it until it ends, a closed window included
        job.finished.connect(self._on_stats_ready)
        job.failed.connect(self._on_stats_failed)
        self._stats_job = job
        self.destroyed.connect(job.cancel)  # a closed window stops walking the corpus
        log.debug("building the corpus word weights for alignment in the background")
        job.start()

    def _on_stats_ready(self, result: tuple[int, Aligner | None]) -> None:
        generation, aligner = result
        if generation != self._stats_generation:
            return  # the corpus was reloaded meanwhile: a newer job is on its way
        self._stats_job = None
        if aligner is None:
            return
        self._aligner = aligner
        self._alignments.clear()
        self._band_cache.clear()
        self.sync.invalidate()
        self._on_panes_changed()

    def _on_stats_failed(self, error: JobError) -> None:
        self._stats_job = None
        log.warning("the corpus word weights for alignment could not be built: %s", error)
        self.window_.notify(f"Could not align: {error}", 8000)

    def reset_corpus(self) -> None:
        if self._stats_job is not None:
            self._stats_job.cancel()
            self._stats_job = None
        if self._pair_job is not None:
            self._pair_job.cancel()
            self._pair_job = None
        self._stats_generation += 1
        self._aligner = None
        self._alignments.clear()
        self._pair_wanted.clear()
        self._pair_failed.clear()
        self._mention_source = None

    def alignment_at(self, i: int) -> Alignment | None:
        views = self.views()
        if i + 1 >= len(views):
            return None
        a, b = views[i].doc, views[i + 1].doc
        aligner = self.aligner()
        if a is None or b is None or aligner is None:
            return None
        key = (a.content_hash, b.content_hash)
        if key not in self._alignments:
            if key in self._pair_failed:
                return None
            try:
                cached = aligner.cached(a, b)
            except (ReaderError, OSError) as exc:
                self.window_.notify(f"Could not align: {exc}", 8000)
                return None
            if cached is None:
                # computing a pair takes 25-150 ms of Python: off the GUI thread, applied when done
                self._pair_wanted[key] = (a, b)
                if self._pair_job is None:
                    self._start_pair_job(aligner)
                return None
            self._alignments[key] = cached
        return self._alignments[key]

    def _start_pair_job(self, aligner: Aligner) -> None:
        wanted = dict(self._pair_wanted)
        self._pair_wanted.clear()
        generation = self._stats_generation
        corpus = self.window_.corpus
        far = corpus is not None and len(corpus) >= CHILD_MIN_DOCS and background.can_run_children()
        spec = context_spec(self.window_.session.ctx, corpus.root) if far and corpus is not None else None

        def work(_progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> tuple[int, dict[Any, Any]]:
            done: dict[tuple[str, str], Alignment] = {}
            if spec is not None:
                # A pair is ~0.4 s of Python at 20,000 documents; in a thread of this process it
                # took the GIL from the GUI thread while the panes opened (stalls of 150-250 ms).
                try:
                    got = background.run("reader.core.background_tasks:alignment_pairs",
                                         {"spec": spec, "pairs": [(a.id, b.id) for a, b in wanted.values()]},
                                         None, cancelled)
                except background.ChildFailed as exc:
                    log.warning("aligning in a child failed (%s); aligning here", exc)
                    got = {}
                for key, (a, b) in wanted.items():
                    if key in got:
                        done[key] = Aligner.relabel(got[key], a, b)
            for key, (a, b) in wanted.items():  # what the child could not align (or no child)
                if cancelled():
                    break
                if key not in done:
                    done[key] = aligner.align(a, b)
            return generation, done

        job = Job(work)  # no Qt parent: the pump keeps it until it ends
        job.finished.connect(self._on_pairs_ready)
        job.failed.connect(lambda error, keys=list(wanted): self._on_pairs_failed(keys, error))
        self._pair_job = job
        self.destroyed.connect(job.cancel)
        job.start()

    def _on_pairs_ready(self, result: tuple[int, dict[tuple[str, str], Alignment]]) -> None:
        generation, done = result
        if generation != self._stats_generation:
            return
        self._pair_job = None
        self._alignments.update(done)
        aligner = self._aligner
        if self._pair_wanted and aligner is not None:
            self._start_pair_job(aligner)  # pairs asked for while this job ran
        self._band_cache.clear()
        self.sync.invalidate()
        self._on_panes_changed()

    def _on_pairs_failed(self, keys: list[tuple[str, str]], error: JobError) -> None:
        self._pair_job = None
        self._pair_failed.update(keys)  # not retried until the corpus or the entities change
        self.window_.notify(f"Could not align: {error}", 8000)

    def _apply_alignment_layers(self) -> None:
        views = self.views()
        spans: dict[int, list[LayerSpan]] = {id(v): [] for v in views}
        for i in range(len(views) - 1):
            alignment = self.alignment_at(i)
            if alignment is None:
                continue
            left, right = views[i], views[i + 1]
            for pair in self.shown_pairs(alignment):
                label = f"{KIND_LABELS.get(pair.kind, pair.kind)} · score {pair.score:.2f}"
                spans[id(left)].append(LayerSpan(pair.a_start, pair.a_end, pair.kind,
                                                 f"{label} · with {pane_outlet(right)}"))
                spans[id(right)].append(LayerSpan(pair.b_start, pair.b_end, pair.kind,
                                                  f"{label} · with {pane_outlet(left)}"))
        fmt = background_format(QColor(kind_color("similar", 0.0, base_alpha=26, span=0)))
        for view in views:
            view.set_layer(Layer("align", sorted(spans[id(view)], key=lambda s: s.start), fmt, z=-10))
        self._apply_word_diffs()

    def shown_pairs(self, alignment: Alignment) -> list[Any]:
        return [p for p in alignment.pairs if self.show_weak or not is_weak(p)]

    def set_show_weak(self, on: bool) -> None:
        self.show_weak = on
        if self.act_weak.isChecked() != on:
            self.act_weak.setChecked(on)
        self._band_cache.clear()
        self._on_panes_changed()

    def set_word_diffs(self, on: bool) -> None:
        self.word_diffs = on
        if self.act_word_diff.isChecked() != on:
            self.act_word_diff.setChecked(on)
        self._apply_word_diffs()
        if on and len(self.frames) < 2:
            self.window_.notify("Word differences need two panes side by side.", 5000)

    def _apply_word_diffs(self) -> None:
        """Differing words of every shown quote / similar pair between neighbours, in both panes."""
        views = self.views()
        spans: dict[int, list[LayerSpan]] = {id(v): [] for v in views}
        if self.word_diffs and len(views) > 1:
            for i in range(len(views) - 1):
                alignment = self.alignment_at(i)
                left, right = views[i], views[i + 1]
                if alignment is None or left.doc is None or right.doc is None:
                    continue
                for pair in self.shown_pairs(alignment):
                    diff = pair_word_diff(left.doc.text, right.doc.text, pair)
                    tip = f"Worded differently in {pane_outlet(right)}"
                    spans[id(left)] += [LayerSpan(a, b, pair.kind, tip) for a, b in diff.a_spans]
                    tip = f"Worded differently in {pane_outlet(left)}"
                    spans[id(right)] += [LayerSpan(a, b, pair.kind, tip) for a, b in diff.b_spans]
        fmt = word_diff_format(self.window_.theme)
        for view in views:
            if spans[id(view)]:
                view.set_layer(Layer("worddiff", sorted(spans[id(view)], key=lambda s: s.start), fmt, z=30))
            else:
                view.remove_layer("worddiff")

    def _update_coverage(self) -> None:
        views = self.views()
        parts = []
        for i in range(len(views) - 1):
            alignment = self.alignment_at(i)
            if alignment is not None:
                parts.append(f"{pane_outlet(views[i])} {alignment.coverage_a:.0%} ↔ {alignment.coverage_b:.0%} "
                             f"{pane_outlet(views[i + 1])}")
        short = [f"{a.coverage_a:.0%} ↔ {a.coverage_b:.0%}" for a in
                 (self.alignment_at(i) for i in range(len(views) - 1)) if a is not None]
        self.coverage_label.setText(("Shared text: " + "  ·  ".join(short)) if short else "")
        self.coverage_label.setToolTip(
            "Shared text: the share of each article that has a counterpart (a shared quotation, a verbatim run "
            "or a similar passage) in the pane beside it. 16% ↔ 13% means 16% of the left text and 13% of the "
            "right text are matched.\n" + "\n".join(parts))

    def _summary(self, handle: ConnectorHandle) -> str:
        i = self.splitter.indexOf(handle) - 1
        alignment = self.alignment_at(i)
        if alignment is None:
            return ""
        views = self.views()
        return (f"{len(alignment.pairs)} aligned pairs ({len(alignment.chain)} in order)\n"
                f"{alignment.coverage_a:.0%} of {pane_outlet(views[i])} and {alignment.coverage_b:.0%} of "
                f"{pane_outlet(views[i + 1])} have a counterpart in the other")

    def _band_geometry(self, handle: ConnectorHandle) -> list[tuple[int, Any, float, float, float, float]]:
        i = self.splitter.indexOf(handle) - 1
        views = self.views()
        if i < 0 or i + 1 >= len(views):
            return []
        if i not in self._band_cache:
            alignment = self.alignment_at(i)
            items = []
            if alignment is not None:
                left, right = views[i], views[i + 1]
                for k, pair in enumerate(alignment.pairs):
                    if is_weak(pair) and not self.show_weak:
                        continue
                    ya0, ya1 = offset_y(left, pair.a_start), _end_y(left, pair.a_end)
                    yb0, yb1 = offset_y(right, pair.b_start), _end_y(right, pair.b_end)
                    if None in (ya0, ya1, yb0, yb1):
                        continue
                    items.append((k, pair, ya0, ya1, yb0, yb1))
            self._band_cache[i] = items  # type: ignore[assignment]
        left, right = views[i], views[i + 1]
        top_a = left.text.viewport().mapTo(self.splitter, QPoint(0, 0)).y() - handle.y()
        top_b = right.text.viewport().mapTo(self.splitter, QPoint(0, 0)).y() - handle.y()
        da = top_a - left.text.verticalScrollBar().value()
        db = top_b - right.text.verticalScrollBar().value()
        handle.clip = (float(min(top_a, top_b)), float(handle.height()))
        handle.current = self._pair_index.get(i, -1)
        return [(k, p, y0a + da, y1a + da, y0b + db, y1b + db) for k, p, y0a, y1a, y0b, y1b in self._band_cache[i]]

    def _repaint_gutters(self) -> None:
        for handle in self.splitter.connector_handles():
            handle.update()

    def _on_pair_clicked(self, handle_index: int, pair_index: int) -> None:
        self.bring_pair_level(handle_index - 1, pair_index)

    def bring_pair_level(self, i: int, pair_index: int) -> None:
        alignment = self.alignment_at(i)
        views = self.views()
        if alignment is None or not 0 <= pair_index < len(alignment.pairs):
            return
        pair = alignment.pairs[pair_index]
        ya, yb = offset_y(views[i], pair.a_start), offset_y(views[i + 1], pair.b_start)
        self._pair_index[i] = pair_index
        if ya is None or yb is None:
            views[i].scroll_to_offset(pair.a_start)
            views[i + 1].scroll_to_offset(pair.b_start)
        else:
            self.sync.bring_level(i, ya, yb)
        self._repaint_gutters()

    def step_pair(self, step: int) -> None:
        """Alt+Down / Alt+Up: the next or previous pair between the active pane and its neighbour."""
        views = self.views()
        if len(views) < 2:
            return
        k = views.index(self.active_view())
        i = k if k + 1 < len(views) else k - 1
        alignment = self.alignment_at(i)
        if alignment is None or not alignment.pairs:
            return
        shown = [k for k, p in enumerate(alignment.pairs) if self.show_weak or not is_weak(p)]
        if not shown:
            return
        current = self._pair_index.get(i, -1 if step > 0 else len(alignment.pairs))
        later = [k for k in shown if (k > current if step > 0 else k < current)]
        target = (later[0] if step > 0 else later[-1]) if later else (shown[-1] if step > 0 else shown[0])
        self.bring_pair_level(i, target)


#: the legend's short words for each kind (the tooltips and the guide use KIND_LABELS in full)
LEGEND_WORDS = {"quote": "quotation", "verbatim": "verbatim", "similar": "similar"}


def connector_legend() -> str:
    """The toolbar legend: one swatch per connector kind, in the colours the bands use."""
    items = [f"<span style='color:{KIND_COLORS[k]}; font-size:large;'>■</span>&nbsp;{LEGEND_WORDS[k]}" for k in KINDS]
    return "&nbsp;&nbsp;".join(items)


def word_diff_format(theme: Any) -> Any:
    """Differing words: a warm tint and a thick underline, readable on every theme."""
    from PySide6.QtGui import QTextCharFormat

    from reader.gui.window.theme import readable_alpha

    tint = QColor("#e07b24")
    tint.setAlpha(readable_alpha(tint, 110, theme))
    fmt = QTextCharFormat()
    fmt.setBackground(tint)
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
    fmt.setUnderlineColor(QColor("#e07b24"))
    return fmt


def _end_y(view: ReaderView, offset: int) -> float | None:
    """Bottom of the line holding the last character of a span."""
    y = offset_y(view, max(0, offset - 1))
    return None if y is None else y + view.text.fontMetrics().lineSpacing() * 1.4


def pane_outlet(view: ReaderView) -> str:
    if view.doc is None:
        return "(empty)"
    return view.doc.meta.outlet or view.doc.id


