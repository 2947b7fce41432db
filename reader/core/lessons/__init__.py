"""Lessons: a trainer's prepared sequence of comparison views, stored as YAML."""

from reader.core.lessons.model import LAYERS, SYNC_MODES, Lesson, Step
from reader.core.lessons.validate import LessonProblem, check_lesson, load_lesson

__all__ = ["LAYERS", "SYNC_MODES", "Lesson", "LessonProblem", "Step", "check_lesson", "load_lesson"]
