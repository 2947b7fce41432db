"""Parallax Reader's Qt face: widgets, item models and views over ``reader.core``.

Views emit intent signals; :mod:`reader.gui.window.mainwindow` wires them to the core.
"""
