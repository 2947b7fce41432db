"""Recognised mentions become entities: the short forms of one name resolve to one entity.

Two passes, so that the per-document function the search index calls stays a per-document
function:

1. :func:`build_table` looks at the recognised mentions of the whole corpus once and writes down
   what only the corpus knows: which full name a bare surname stands for when a document never
   gives it (``Blair`` -> ``Tony Blair`` because that is the only Blair the corpus names, by a
   clear majority), which expansion an acronym has (``Democratic Choice of Kazakhstan (DCK)``),
   and which id and canonical spelling each entity gets. The table is small and is kept in the
   derived store.
2. :func:`resolve_document` resolves one document's mentions with that table: titles (``Mr``,
   ``Prime Minister``) are cut from the span, case and diacritics fold, a surname resolves to the
   full name met in the same document first, then in the corpus, an acronym to its expansion.
   Every further capitalised occurrence of a recognised name in the document is a mention too
   (one sense per document: this is what labels a headline in capitals).

The user's ``reject`` (this text is not a name, in one document or anywhere) and ``split`` (this
spelling is its own entity, do not resolve it into a longer name) are applied here.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from reader.core.entities.matcher import Matcher, fold
from reader.core.entities.model import Entity, slugify
from reader.core.entities.recogniser import NEVER_NAMES

log = logging.getLogger(__name__)

RawSpan = Sequence[Any]  # [start, end, type] as stored


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())

# Leading words cut from a person's mention: they describe the office, not the name.
TITLE_WORDS = _words("""
mr mr. mrs mrs. ms ms. miss dr dr. sir dame lord lady baroness baron prof prof. professor president
prime minister chancellor secretary deputy home foreign shadow general chief judge justice senator
governor mayor rev reverend father sen. gov. ambassador commissioner chairman leader tory labour
conservative liberal democrat premier
""")
HONORIFICS = _words("mr mr. mrs mrs. ms ms. miss dr dr. sir dame lord lady")  # whatever the model said: a person
_CONNECT = frozenset({"of", "and", "the", "for", "&", "de", "du", "la", "le", "des"})
_ACRONYM = re.compile(r"\(\s*([A-Z][A-Za-z&]{1,9})\s*\)")


def name_key(text: str) -> str:
    """Case, diacritics, hyphens and spacing folded: ``Alma-Ata`` == ``ALMA ATA`` == ``alma–ata``."""
    # compatibility forms first (NFKD turns "𝔸" into "A"), then case, then the marks case folding exposes
    decomposed = unicodedata.normalize("NFKD", fold(unicodedata.normalize("NFKD", text)))
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(base.replace("-", " ").replace(".", " ").split())


def strip_title(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without leading titles (``Mr Blair`` -> ``Blair``); the last word always stays."""
    while True:
        surface = text[start:end]
        first, sep, rest = surface.partition(" ")
        if not sep or not rest.strip() or first.lower() not in TITLE_WORDS:
            return start, end
        start += len(first) + 1
        while start < end and text[start] == " ":
            start += 1


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s-]+", name) if w]
    return "".join(w[0] for w in words if w.lower() not in _CONNECT and w[0].isalpha()).upper()


def acronym_pairs(text: str, spans: Iterable[tuple[int, int, str]]) -> dict[str, str]:
    """``Full Name (ACR)`` in a text: acronym key -> full name key, where the initials agree."""
    ends = {e: (s, t) for s, e, t in spans}
    out: dict[str, str] = {}
    for m in _ACRONYM.finditer(text):
        before = m.start()
        while before > 0 and text[before - 1] == " ":
            before -= 1
        hit = ends.get(before)
        if hit is None:
            continue
        full = text[hit[0]:before]
        acr = m.group(1)
        letters = "".join(c for c in acr if c.isalpha()).upper()
        if len(letters) >= 2 and (_initials(full) == letters or _initials(full).startswith(letters)):
            out[name_key(acr)] = name_key(full)
    return out


@dataclass
class Rules:
    """The user's word on recognition: texts rejected (anywhere, or per document) and split spellings."""

    rejected: set[str] = field(default_factory=set)  # name keys rejected everywhere
    rejected_in: set[tuple[str, str]] = field(default_factory=set)  # (doc id, name key)
    split: set[str] = field(default_factory=set)  # name keys never resolved into a longer name

    def is_rejected(self, doc_id: str, key: str) -> bool:
        return key in self.rejected or (doc_id, key) in self.rejected_in

    def fingerprint(self) -> str:
        return repr((sorted(self.rejected), sorted(self.rejected_in), sorted(self.split)))


@dataclass
class Table:
    """What the corpus knows: surname and acronym expansions, and each entity's id, name and type."""

    surnames: dict[str, str] = field(default_factory=dict)  # "blair" -> "tony blair"
    acronyms: dict[str, str] = field(default_factory=dict)  # "dck" -> "democratic choice of kazakhstan"
    variants: dict[str, str] = field(default_factory=dict)  # "lib dem" -> "lib dems"
    ids: dict[str, str] = field(default_factory=dict)  # name key -> entity id
    names: dict[str, str] = field(default_factory=dict)  # entity id -> canonical spelling
    types: dict[str, str] = field(default_factory=dict)  # entity id -> type
    forms: dict[str, list[str]] = field(default_factory=dict)  # entity id -> spellings seen
    #: spellings the corpus attests well enough to count wherever they are capitalised, even in a
    #: document where the model missed them (one sense per corpus)
    attested: list[str] = field(default_factory=list)
    _matcher: Any = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"surnames": self.surnames, "acronyms": self.acronyms, "variants": self.variants, "ids": self.ids,
                "names": self.names, "types": self.types, "forms": self.forms, "attested": self.attested}

    def matcher(self) -> Matcher | None:
        """One automaton over the attested spellings (built on first use, kept with the table)."""
        if self._matcher is None and self.attested:
            self._matcher = Matcher(Entity(str(i), form, "person") for i, form in enumerate(self.attested))
        return self._matcher

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Table:
        return cls(dict(data.get("surnames", {})), dict(data.get("acronyms", {})), dict(data.get("variants", {})),
                   dict(data.get("ids", {})), dict(data.get("names", {})), dict(data.get("types", {})),
                   {k: list(v) for k, v in data.get("forms", {}).items()}, list(data.get("attested", [])))


@dataclass(frozen=True)
class Resolved:
    """One recognised mention after resolution: its span (titles cut), name key and type guess."""

    start: int
    end: int
    key: str
    type: str


def _cleaned(doc_id: str, text: str, raw: Iterable[RawSpan], rules: Rules) -> list[Resolved]:
    out: list[Resolved] = []
    for item in raw:
        s, e, t = int(item[0]), int(item[1]), str(item[2])
        if text[s:e].split(" ", 1)[0].lower() in HONORIFICS and " " in text[s:e]:
            t = "person"
        if t == "person":
            s, e = strip_title(text, s, e)
        surface = text[s:e]
        key = name_key(surface)
        if not key or key in NEVER_NAMES or rules.is_rejected(doc_id, key):
            continue
        if t == "person" and key in TITLE_WORDS:
            continue  # "Tory co-chairman", "Chancellor": an office or a party, not a person
        out.append(Resolved(s, e, key, t))
    return out


def _propagate(doc_id: str, text: str, found: list[Resolved], rules: Rules) -> list[Resolved]:
    """Further capitalised occurrences of names recognised in this document (headline, starters)."""
    forms: dict[str, tuple[str, str]] = {}
    for r in found:
        surface = text[r.start:r.end]
        forms.setdefault(surface, (r.key, r.type))
        forms.setdefault(surface.upper(), (r.key, r.type))
        if r.type == "person" and " " in surface:
            last = surface.rsplit(" ", 1)[1]
            if len(last) >= 3:
                forms.setdefault(last, (name_key(last), "person"))
                forms.setdefault(last.upper(), (name_key(last), "person"))
    forms = {f: v for f, v in forms.items()
             if len(f) >= 2 and f[:1].isupper() and v[0] not in NEVER_NAMES and not rules.is_rejected(doc_id, v[0])}
    if not forms:
        return found
    pattern = re.compile(r"(?<![\w'’-])(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
                         + r")(?![\w-]|['’]\w\w)")
    taken = sorted((r.start, r.end) for r in found)
    out = list(found)
    starts = [s for s, _ in taken]
    for m in pattern.finditer(text):
        s, e = m.span()
        i = bisect.bisect_right(starts, s) - 1
        if i >= 0 and taken[i][1] > s:
            continue
        if i + 1 < len(taken) and taken[i + 1][0] < e:
            continue
        key, etype = forms[m.group()]
        out.append(Resolved(s, e, key, etype))
    out.sort(key=lambda r: r.start)
    return out


def document_mentions(doc_id: str, text: str, raw: Iterable[RawSpan], rules: Rules) -> list[Resolved]:
    """One document's mentions with titles cut, rejections applied, names propagated; keys not yet resolved."""
    return _propagate(doc_id, text, _cleaned(doc_id, text, raw, rules), rules)


def _local_map(text: str, found: Sequence[Resolved], rules: Rules) -> dict[str, str]:
    """Within one document: surname key -> full name key, acronym key -> expansion key."""
    fulls: Counter[str] = Counter(r.key for r in found if r.type == "person" and " " in r.key)
    by_last: dict[str, Counter[str]] = {}
    by_first: dict[str, set[str]] = {}
    for key, n in fulls.items():
        by_last.setdefault(key.rsplit(" ", 1)[1], Counter())[key] += n
        by_first.setdefault(key.split(" ", 1)[0], set()).add(key)
    out: dict[str, str] = {}
    for r in found:
        if " " in r.key or r.key in rules.split:
            continue
        options = by_last.get(r.key)
        if options:
            out[r.key] = options.most_common(1)[0][0]
        elif r.type == "person" and len(by_first.get(r.key, ())) == 1:  # "Sandra" after "Sandra Gidley"
            out[r.key] = next(iter(by_first[r.key]))
    out.update({a: f for a, f in acronym_pairs(text, [(r.start, r.end, r.type) for r in found]).items()
                if a not in rules.split})
    return out


def build_table(docs: Iterable[tuple[str, str, Sequence[RawSpan]]], rules: Rules,
                taken_ids: Iterable[str] = (), known: Mapping[str, str] | None = None) -> Table:
    """The corpus-wide table from every document's recognised spans ``(doc id, text, spans)``.

    ``known`` maps name keys of the curated list's spellings to their entity ids: a recognised
    name the list already has is that entity (the curated list wins), never a second one.
    """
    known = known or {}
    type_votes: dict[str, Counter[str]] = {}
    form_votes: dict[str, Counter[str]] = {}
    surname_votes: dict[str, Counter[str]] = {}
    acronym_votes: dict[str, Counter[str]] = {}
    pending: list[tuple[list[Resolved], dict[str, str], str]] = []
    for doc_id, text, raw in docs:
        found = document_mentions(doc_id, text, raw, rules)
        local = _local_map(text, found, rules)
        pending.append((found, local, text))
        for r in found:
            if r.type == "person" and " " in r.key:
                surname_votes.setdefault(r.key.rsplit(" ", 1)[1], Counter())[r.key] += 1
        for a, f in acronym_pairs(text, [(r.start, r.end, r.type) for r in found]).items():
            acronym_votes.setdefault(a, Counter())[f] += 1
    table = Table()
    for last, votes in surname_votes.items():
        best, n = votes.most_common(1)[0]
        if last not in rules.split and n >= 0.75 * sum(votes.values()):
            table.surnames[last] = best
    for acr, votes in acronym_votes.items():
        best, n = votes.most_common(1)[0]
        if acr not in rules.split and n >= 0.75 * sum(votes.values()):
            table.acronyms[acr] = best
    first_pass: dict[str, Counter[str]] = {}
    for found, local, _text in pending:
        for r in found:
            first_pass.setdefault(_final_key(r.key, local, table), Counter())[r.type] += 1
    table.variants = _variants(first_pass, rules)
    for found, local, text in pending:
        for r in found:
            key = _final_key(r.key, local, table)
            type_votes.setdefault(key, Counter())[r.type] += 1
            form_votes.setdefault(key, Counter())[text[r.start:r.end]] += 1
    used = set(taken_ids)
    for key in sorted(type_votes):
        if key in known:
            table.ids[key] = known[key]
            continue
        forms = form_votes[key]
        name = _canonical(key, forms)
        etype = type_votes[key].most_common(1)[0][0]
        base = slugify(name)
        ent_id, n = base, 1
        while ent_id in used:
            n += 1
            ent_id = f"{base}-{n}"
        used.add(ent_id)
        table.ids[key] = ent_id
        table.names[ent_id] = name
        table.types[ent_id] = etype
        table.forms[ent_id] = sorted(forms, key=lambda f: (-forms[f], f))
    table.attested = sorted(_attested(form_votes, rules))
    return table


def _attested(form_votes: Mapping[str, Counter[str]], rules: Rules) -> set[str]:
    """Spellings worth matching everywhere: a name of two words or more seen twice, or a single word
    (an acronym included) seen three times, never a title, a day or a month."""
    out: set[str] = set()
    for key, forms in form_votes.items():
        if key in rules.rejected:
            continue
        for form, n in forms.items():
            fkey = name_key(form)
            if not fkey or fkey in NEVER_NAMES or fkey in TITLE_WORDS or fkey in rules.rejected or len(form) < 2:
                continue
            if (" " in form and n >= 2) or n >= 3:
                out.add(form)
    return out


def _variants(keys: Mapping[str, Counter[str]], rules: Rules, min_ratio: float = 92.0) -> dict[str, str]:
    """Spellings of one name that only the corpus as a whole shows: a singular organisation and its
    plural (``Lib Dem`` / ``Lib Dems``, ``Tory`` / ``Tories``), and people's names that differ by a
    letter or two (``Kassym-Zhomart`` / ``Kassym-Jomart Tokayev``): the rarer joins the commoner.
    Weaker likenesses are left apart (discovery offers them as candidates to the user)."""
    out: dict[str, str] = {}
    total = {k: sum(v.values()) for k, v in keys.items()}
    kind = {k: v.most_common(1)[0][0] for k, v in keys.items()}
    for key in keys:
        if key in rules.split or kind[key] not in ("organisation", "group"):
            continue
        for plural in (key + "s", key[:-1] + "ies" if key.endswith("y") else ""):
            if plural and plural in keys and kind[plural] == kind[key] and plural not in rules.split:
                out[key] = plural
                break
    buckets: dict[tuple[str, str], list[str]] = {}
    for key in keys:
        if kind[key] == "person" and " " in key and key not in rules.split and key not in out:
            buckets.setdefault((key[0], key.rsplit(" ", 1)[1][:1]), []).append(key)
    for bucket in buckets.values():
        if len(bucket) < 2:
            continue
        for key in bucket:
            for other, ratio, _i in process.extract(key, bucket, scorer=fuzz.ratio, score_cutoff=min_ratio, limit=4):
                if other == key or ratio >= 100:
                    continue
                rare, common = sorted((key, other), key=lambda k: (total[k], k))
                if rare not in out and common not in out:
                    out[rare] = common
    return out


def _canonical(key: str, forms: Counter[str]) -> str:
    """The spelling shown: the most frequent full form, mixed case preferred over capitals."""
    full = [f for f in forms if name_key(f) == key] or list(forms)
    return max(full, key=lambda f: (not f.isupper() or len(f) <= 4, forms[f], f))


def _final_key(key: str, local: Mapping[str, str], table: Table) -> str:
    seen = set()
    while key not in seen:
        seen.add(key)
        nxt = (local.get(key) or table.acronyms.get(key) or table.variants.get(key)
               or (table.surnames.get(key) if " " not in key else None))
        if nxt is None or nxt == key:
            break
        key = nxt
    return key


def _attested_mentions(doc_id: str, text: str, found: list[Resolved], matcher: Matcher,
                       rules: Rules) -> list[Resolved]:
    """Add the corpus's attested spellings where the model missed them in this document."""
    taken = sorted((r.start, r.end) for r in found)
    starts = [s for s, _ in taken]
    extra: list[Resolved] = []
    for s, e, _i in matcher.find(text):
        i = bisect.bisect_right(starts, s) - 1
        if (i >= 0 and taken[i][1] > s) or (i + 1 < len(taken) and taken[i + 1][0] < e):
            continue
        key = name_key(text[s:e])
        if rules.is_rejected(doc_id, key):
            continue
        extra.append(Resolved(s, e, key, ""))
    if not extra:
        return found
    return sorted([*found, *extra], key=lambda r: r.start)


def resolve_document(doc_id: str, text: str, raw: Sequence[RawSpan], rules: Rules,
                     table: Table, known: Mapping[str, str] | None = None) -> list[tuple[int, int, str, str]]:
    """``(start, end, entity id or "", type)`` per recognised mention of one document.

    An empty id means the table (built before this text was recognised) does not know the
    entity yet; the caller leaves such mentions out until the table is rebuilt.
    """
    known = known or {}
    found = document_mentions(doc_id, text, raw, rules)
    matcher = table.matcher()
    if matcher is not None:
        found = _attested_mentions(doc_id, text, found, matcher, rules)
    local = _local_map(text, found, rules)
    out: list[tuple[int, int, str, str]] = []
    for r in found:
        key = _final_key(r.key, local, table)
        ent_id = table.ids.get(key) or known.get(key) or ""
        if ent_id:
            out.append((r.start, r.end, ent_id, table.types.get(ent_id, r.type or "person")))
    return out
