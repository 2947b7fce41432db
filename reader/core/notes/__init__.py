"""Private notes anchored to passages: store, anchoring, search, export and import.

See ``docs/notes.md``. Import what you use from its modules (``store``, ``model``, ``anchoring``,
``exchange``, ...): the package itself loads nothing, so the window starts without the export code.
Nothing here imports Qt; the GUI and the CLI share these functions.
"""
