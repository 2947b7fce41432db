"""British and American spellings normalised to one form, so ``colour`` finds ``color``.

The map is applied to whole lower-case words before stemming, at index and at query
time alike, so both spellings (and their inflections) meet in the same index term.
It is deliberately small and explicit: spelling rules applied blindly (``-our`` →
``-or``) would merge words that are not variants (``four``, ``pour``, ``hour``).
"""

from __future__ import annotations

# British stem -> American stem; inflections are generated below.
_OUR = ("colour", "honour", "favour", "behaviour", "labour", "neighbour", "rumour", "harbour",
        "armour", "vapour", "humour", "flavour", "endeavour", "savour", "valour", "vigour",
        "clamour", "glamour", "odour", "parlour", "splendour", "tumour", "rancour", "fervour",
        "candour", "ardour", "saviour")
_OUR_SUFFIXES = ("", "s", "ed", "ing", "ful", "fully", "less", "able", "ably", "er", "ers", "ite", "ites",
                 "ism", "ist", "ists", "hood", "hoods", "ly", "ings")
_RE = {"centre": "center", "theatre": "theater", "metre": "meter", "fibre": "fiber", "litre": "liter",
       "calibre": "caliber", "sombre": "somber", "spectre": "specter", "sabre": "saber", "lustre": "luster"}
_RE_SUFFIXES = (("", ""), ("s", "s"), ("d", "ed"), ("ing", "ing"))
_ENCE = {"defence": "defense", "offence": "offense", "licence": "license", "pretence": "pretense"}
_ISE = ("organis", "recognis", "realis", "apologis", "criticis", "mobilis", "legalis", "normalis",
        "privatis", "stabilis", "destabilis", "modernis", "authoris", "characteris", "emphasis",
        "summaris", "prioritis", "polaris", "radicalis", "militaris", "democratis", "nationalis",
        "globalis", "liberalis", "centralis", "decentralis", "neutralis", "minimis", "maximis",
        "utilis", "civilis", "colonis", "capitalis", "finalis", "formalis", "idealis", "jeopardis",
        "legitimis", "marginalis", "memorialis", "motoris", "penalis", "popularis", "publicis",
        "revolutionis", "sympathis", "terroris", "vandalis", "visualis", "westernis", "hospitalis",
        "categoris", "rationalis", "specialis", "standardis", "subsidis", "synchronis", "mesmeris",
        "harmonis", "familiaris", "industrialis", "internationalis", "demoralis", "demobilis",
        "agonis", "antagonis", "economis", "optimis", "fertilis", "galvanis", "naturalis", "paralys",
        "analys", "catalys")
_ISE_SUFFIXES = ("e", "es", "ed", "ing", "er", "ers", "ation", "ations", "able")
_WORDS = {"catalogue": "catalog", "catalogues": "catalogs", "dialogue": "dialog", "dialogues": "dialogs",
          "programme": "program", "programmes": "programs", "travelled": "traveled", "travelling": "traveling",
          "traveller": "traveler", "travellers": "travelers", "cancelled": "canceled", "cancelling": "canceling",
          "labelled": "labeled", "labelling": "labeling", "modelled": "modeled", "modelling": "modeling",
          "fuelled": "fueled", "fuelling": "fueling", "counsellor": "counselor", "counsellors": "counselors",
          "jewellery": "jewelry", "grey": "gray", "greys": "grays", "tyre": "tire", "tyres": "tires",
          "plough": "plow", "ploughs": "plows", "sceptic": "skeptic", "sceptics": "skeptics",
          "sceptical": "skeptical", "scepticism": "skepticism", "manoeuvre": "maneuver",
          "manoeuvres": "maneuvers", "aluminium": "aluminum", "mould": "mold", "moustache": "mustache",
          "judgement": "judgment", "judgements": "judgments", "ageing": "aging", "enrolment": "enrollment",
          "fulfil": "fulfill", "fulfilment": "fulfillment", "kerb": "curb", "cheque": "check",
          "cheques": "checks", "paediatric": "pediatric", "anaesthetic": "anesthetic", "oestrogen": "estrogen",
          "encyclopaedia": "encyclopedia", "foetus": "fetus", "haemorrhage": "hemorrhage",
          "mediaeval": "medieval"}


def _build() -> dict[str, str]:
    table: dict[str, str] = {}
    for word in _OUR:
        american = word[:-2] + "r"
        for suffix in _OUR_SUFFIXES:
            table[word + suffix] = american + suffix
    for brit, amer in _RE.items():
        for b_suffix, a_suffix in _RE_SUFFIXES:
            table[brit + b_suffix] = amer + a_suffix if b_suffix else amer
            if b_suffix == "d":
                table[brit[:-1] + "ed"] = amer + "ed"  # "centred"
    for brit, amer in _ENCE.items():
        table[brit] = amer
        table[brit + "s"] = amer + "s"
    for stem in _ISE:
        american = stem[:-1] + "z"
        for suffix in _ISE_SUFFIXES:
            table[stem + suffix] = american + suffix
    table.update(_WORDS)
    table.pop("emphasise", None)
    table["emphasise"] = "emphasize"
    return table


#: Lower-case British spelling -> American spelling.
VARIANTS: dict[str, str] = _build()


def normalise_spelling(word: str) -> str:
    """The American spelling of a lower-case word when it is a known British variant."""
    return VARIANTS.get(word, word)
