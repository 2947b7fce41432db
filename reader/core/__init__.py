"""Parallax Reader's core: corpus, text and settings logic with no Qt import, ever.

Everything here returns values and raises :class:`reader.core.errors.ReaderError`
subclasses; it never talks to the user directly. The GUI and the CLI are two thin
faces over it.
"""
