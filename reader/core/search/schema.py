"""The index schema: one Whoosh document per section (article, comments) of a corpus document.

Indexing each section on its own keeps comments out of article results and lets
``section:comments`` return hits whose snippets come from comments only. The stored
``key`` (``<id>#<section>``) is unique; ``id`` groups a document's sections.
"""

from __future__ import annotations

from whoosh.analysis import IDTokenizer, LowercaseFilter, RegexTokenizer
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, STORED, TEXT, Schema

from reader.core.search.analysis import StemmingAnalyzer
from reader.core.search.fields import fields_signature, registered_fields
from reader.core.search.formats import FastPositions

#: Bump when the core schema or the analyzer changes; stored indexes then rebuild.
#: 4: a stored token map per record; the state remembers ctime and inode.
#: 5: the token map and the indexed text move to per-record columns, out of the stored record.
#: 6: every segment also keeps its postings as flat arrays (whoosh_postings), for the ranker.
SCHEMA_VERSION = 6

#: Title weight against body under BM25F.
TITLE_BOOST = 3.0

#: Fields a query may name as ``field:value``.
QUERY_FIELDS: tuple[str, ...] = ("title", "outlet", "author", "section", "language", "published", "body", "id")


def schema_version() -> str:
    """The core version plus the registered fields: what an index must match to be reused."""
    signature = fields_signature()
    return f"{SCHEMA_VERSION}" + (f"+{signature}" if signature else "")


def build_schema() -> Schema:
    lowered_id = IDTokenizer() | LowercaseFilter()
    simple = RegexTokenizer(r"\w+(?:[.'’]\w+)*") | LowercaseFilter()
    schema = Schema(
        key=ID(stored=True, unique=True),
        id=ID(stored=True),
        hash=STORED(),
        # Columns, read per record only for the hits whose snippets are cut: kept out of the stored
        # record, which every hit row unpickles (the token map made that ~70 µs a hit).
        # Offsets written with the column (a few bytes a record): else opening it derives them in a
        # Python loop over every record, ~10 ms per column and index generation at 20,000 documents.
        tokens=COLUMN(VarBytesColumn(write_offsets_cutoff=0)),  # the body's token map (formats.analyse_for_index)
        text=COLUMN(VarBytesColumn(write_offsets_cutoff=0)),  # the indexed text (records.pack_text): no file read
        date=STORED(),
        title=TEXT(analyzer=StemmingAnalyzer(), stored=True, field_boost=TITLE_BOOST,
                   multitoken_query="phrase"),
        outlet=TEXT(analyzer=simple, stored=True),
        facet_outlet=ID(sortable=True),
        author=TEXT(analyzer=simple, stored=True),
        published=DATETIME(),
        day=ID(sortable=True),
        language=ID(analyzer=lowered_id, stored=True),
        section=ID(analyzer=lowered_id, stored=True, sortable=True),
        body=TEXT(analyzer=StemmingAnalyzer(), phrase=True, multitoken_query="phrase"),
    )
    schema["body"].format = FastPositions(field_boost=schema["body"].format.field_boost)
    schema["title"].format = FastPositions(field_boost=schema["title"].format.field_boost)
    for spec in registered_fields():
        schema.add(spec.name, spec.factory())
    return schema


def extra_query_fields() -> tuple[str, ...]:
    return tuple(spec.name for spec in registered_fields())


def facet_fields() -> tuple[str, ...]:
    """Facet names in output order: the core three, then registered facets."""
    return ("outlet", "section", "published", *(s.name for s in registered_fields() if s.facet))
