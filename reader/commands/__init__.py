"""CLI subcommands, one module each; ``reader.cli`` registers them in :data:`MODULES`.

Each module exposes ``register(subparsers, parents)``; the parser it adds sets
``func(args, session) -> int`` as its default (a :class:`reader.core.session.Session`).
Heavy imports stay inside ``func``.
"""

MODULES = (
    "reader.commands.corpus",
    "reader.commands.show",
    "reader.commands.settings",
    "reader.commands.importer",
    "reader.commands.lesson",
    "reader.commands.align",
    "reader.commands.notes",
    "reader.commands.index",
    "reader.commands.search",
    "reader.commands.entities",
    "reader.commands.framing",
    "reader.commands.kwic",
    "reader.commands.research",
    "reader.commands.team",
)
