"""The team corpus: one PostgreSQL 15 server (with RUM and pg_trgm) shared by a newsroom.

Nothing here is imported, and no connection is opened, unless the user configured a team
server (``parallax team init URL``); the laptop default stays Whoosh + SQLite, offline.
psycopg is an optional dependency (the ``team`` extra) imported only inside these modules.
"""
