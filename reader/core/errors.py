"""Exceptions the core raises; each carries a message fit to show a user."""

from __future__ import annotations


class ReaderError(Exception):
    """Base class: something the user should be told about in plain words."""


class CorpusError(ReaderError):
    """The corpus folder itself cannot be used (missing, not a folder, unreadable)."""


class DocumentNotFound(ReaderError):
    """No document with the requested id exists in the corpus."""

    def __init__(self, doc_id: str) -> None:
        super().__init__(f"no document with id {doc_id!r} in this corpus")
        self.doc_id = doc_id


class SettingsError(ReaderError):
    """A setting name or value is invalid."""
