"""Framing: propaganda-technique highlights that explain themselves, per-outlet profiles, KWIC.

The catalogue (``techniques.yaml``) and word lists (``lists.yaml``) are data a trainer edits;
``detect`` holds the explainable rules; ``engine`` ties lists, user overlay, caches and
profiles together; ``kwic`` is the corpus concordance.
"""

from reader.core.framing.catalogue import FramingDataError, Technique, load_catalogue
from reader.core.framing.detect import PATTERN_RULES, FramingDetector, FramingSpan
from reader.core.framing.engine import FramingEngine, Profile

__all__ = ["PATTERN_RULES", "FramingDataError", "FramingDetector", "FramingEngine", "FramingSpan", "Profile",
           "Technique", "load_catalogue"]
