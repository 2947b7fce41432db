"""Bringing the user's own sources into a corpus: text, Markdown, saved web pages, PDF, Word, EPUB, e-mail.

``import_paths(corpus_root, paths, progress=..., cancelled=...)`` returns an
:class:`ImportReport` of what was imported, skipped (with a reason) and found to be a
duplicate. Modules: ``sniff`` (format and binary detection), ``decode`` (encodings),
``plaintext``, ``html``, ``pdf`` (with ``pdf_layout``), ``docx``, ``epub`` and ``mail``
(readers), ``deps`` (a missing library as one actionable line), ``render`` (corpus-file
text with page and outline offsets, checked by the loader's rules), ``batch`` (files and
folders, atomic writes, originals, duplicates, linked attachments).
"""

from reader.core.importer.batch import (
    DEFAULT_MAX_MB,
    ORIGINALS,
    Duplicate,
    Imported,
    Importer,
    ImportRefused,
    ImportReport,
    Skipped,
    check_target,
    collect,
    import_paths,
    read_source,
)
from reader.core.importer.model import Extracted, ExtractedComment, Skip

__all__ = [
    "DEFAULT_MAX_MB", "ORIGINALS", "Duplicate", "Extracted", "ExtractedComment", "ImportRefused", "ImportReport",
    "Imported", "Importer", "Skip", "Skipped", "check_target", "collect", "import_paths", "read_source",
]
