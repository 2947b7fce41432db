"""The lesson being edited: its steps as a Qt model, autosave, and undo by snapshots.

Every edit goes through :meth:`LessonSession.edit`, which records the lesson before and
after as one undo command and saves the file atomically, so typing is never lost and
Ctrl+Z walks back through whole edits.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from reader.core.lessons.model import Lesson, Step
from reader.core.lessons.validate import save_lesson

StepRole = Qt.ItemDataRole.UserRole + 1
PromptRole = Qt.ItemDataRole.UserRole + 2
DocumentsRole = Qt.ItemDataRole.UserRole + 3

_Index = QModelIndex | QPersistentModelIndex


class StepsModel(QAbstractListModel):
    """One row per step: "2. Who is named" with the prompt as tooltip."""

    def __init__(self, session: LessonSession) -> None:
        super().__init__(session)
        self.session = session

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.session.lesson is None else len(self.session.lesson.steps)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        lesson = self.session.lesson
        if lesson is None or not index.isValid() or index.row() >= len(lesson.steps):
            return None
        step = lesson.steps[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{index.row() + 1}. {step.title}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return step.prompt or step.title
        if role == StepRole:
            return step
        if role == PromptRole:
            return step.prompt
        if role == DocumentsRole:
            return list(step.documents)
        return None

    def reset(self) -> None:
        self.beginResetModel()
        self.endResetModel()


class _Snapshot(QUndoCommand):
    def __init__(self, session: LessonSession, before: Lesson, after: Lesson, text: str, merge_key: str) -> None:
        super().__init__(text)
        self.session, self.before, self.after, self.merge_key = session, before, after, merge_key
        self._first = True

    def id(self) -> int:
        return 4200 if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _Snapshot) or other.merge_key != self.merge_key or not self.merge_key:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        if self._first:  # the edit itself already happened
            self._first = False
            return
        self.session._restore(self.after)

    def undo(self) -> None:
        self.session._restore(self.before)


class LessonSession(QObject):
    """Holds the open lesson; emits ``changed`` after every edit, undo or redo."""

    changed = Signal()
    saved = Signal(str)
    saveFailed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lesson: Lesson | None = None
        self.path: Path | None = None
        self.read_only = False
        self.undo = QUndoStack(self)
        self.model = StepsModel(self)
        self._save_timer = QTimer(self, singleShot=True, interval=400)
        self._save_timer.timeout.connect(self.save_now)

    def open(self, lesson: Lesson, path: Path | None, *, read_only: bool = False) -> None:
        self.lesson, self.path, self.read_only = lesson, path, read_only
        self.undo.clear()
        self.model.reset()
        self.changed.emit()

    def edit(self, text: str, change: Any, merge_key: str = "") -> None:
        """Apply ``change(lesson)`` as one undoable, autosaved edit."""
        if self.lesson is None:
            return
        before = copy.deepcopy(self.lesson)
        change(self.lesson)
        after = copy.deepcopy(self.lesson)
        self.undo.push(_Snapshot(self, before, after, text, merge_key))
        self.model.reset()
        self.changed.emit()
        self._save_timer.start()

    def _restore(self, lesson: Lesson) -> None:
        self.lesson = copy.deepcopy(lesson)
        self.model.reset()
        self.changed.emit()
        self._save_timer.start()

    def save_now(self) -> None:
        self._save_timer.stop()
        if self.lesson is None or self.path is None or self.read_only:
            return
        try:
            save_lesson(self.lesson, self.path)
        except OSError as exc:
            self.saveFailed.emit(f"Could not save the lesson to {self.path}: {exc.strerror or exc}")
            return
        self.saved.emit(str(self.path))

    # -- step operations (each one undoable) ------------------------------------------
    def add_step(self, step: Step, at: int | None = None) -> int:
        index = len(self.lesson.steps) if self.lesson and at is None else (at or 0)
        self.edit("Add step", lambda lesson: lesson.steps.insert(index, step))
        return index

    def duplicate_step(self, row: int) -> None:
        self.edit("Duplicate step", lambda lesson: lesson.steps.insert(row + 1, copy.deepcopy(lesson.steps[row])))

    def delete_step(self, row: int) -> None:
        self.edit("Delete step", lambda lesson: lesson.steps.pop(row))

    def move_step(self, row: int, delta: int) -> int:
        target = row + delta
        if self.lesson is None or not (0 <= target < len(self.lesson.steps)):
            return row

        def move(lesson: Lesson) -> None:
            lesson.steps.insert(target, lesson.steps.pop(row))

        self.edit("Move step", move)
        return target

    def set_field(self, row: int, name: str, value: Any) -> None:
        def change(lesson: Lesson) -> None:
            setattr(lesson.steps[row], name, value)

        self.edit(f"Edit {name}", change, merge_key=f"{row}:{name}")
