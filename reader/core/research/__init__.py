"""Research workflow: citations, saved and batch searches, coverage over time.

Qt-free; the CLI (``parallax cite``, ``parallax timeline``, ``parallax searches``) and the
window read the same functions.
"""
