"""Passage alignment between two documents (no Qt): shared wording, similar passages, chain.

See ``docs/compare.md``. Entry points: :func:`align_documents` (pure) and
:class:`Aligner` (corpus weights, entities, cache).
"""

from reader.core.align.api import Aligner, align_documents
from reader.core.align.model import KINDS, QUOTE, SIMILAR, VERBATIM, Alignment, Pair

__all__ = ["KINDS", "QUOTE", "SIMILAR", "VERBATIM", "Aligner", "Alignment", "Pair", "align_documents"]
