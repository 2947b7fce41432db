"""The research feature in the window: coverage timeline, batch search, saved searches, Copy Citation.

Installed through :data:`reader.gui.features.FEATURES`. It builds no service of its own: searches
go through the search feature's engine, citations through :mod:`reader.core.research`.
"""
