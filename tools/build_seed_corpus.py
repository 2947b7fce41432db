"""Build the bundled sample corpus (``corpus/``) from ``../shared/seeds/``.

Run once by a developer; its output is committed. It records, per document, exactly
which lines of the seed were treated as page furniture, so the choice can be reviewed.
Article and comment text is copied word for word (one paragraph per source line).
"""

from __future__ import annotations

import re
import sys
from datetime import datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
OUT = ROOT / "corpus"
EVENT = "January 2022 unrest in Kazakhstan"


def lines_of(name: str) -> list[str]:
    return (SEEDS / name).read_text(encoding="utf-8").split("\n")


def paragraphs(lines: list[str]) -> list[str]:
    return [ln.strip() for ln in lines if ln.strip()]


def front_matter(fields: dict[str, object]) -> str:
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=100) + "---\n\n"


def write(doc_id: str, fields: dict[str, object], article: list[str], comments: str = "") -> None:
    text = front_matter({"id": doc_id, **fields}) + "\n\n".join(article) + "\n"
    if comments:
        text += "\n## Comments\n\n" + comments
    (OUT / f"{doc_id}.md").write_text(text, encoding="utf-8")


def index_of(lines: list[str], exact: str, start: int = 0) -> int:
    for i in range(start, len(lines)):
        if lines[i].strip() == exact:
            return i
    raise SystemExit(f"marker not found: {exact!r}")


def frontier_post() -> None:
    src = "000_dbe4a7acfd622628.txt"
    lines = lines_of(src)
    body = lines[index_of(lines, "Victoria Nikiforova") + 1 :]
    write("frontier-post-alma-ata", {
        "title": lines[0].strip(),
        "outlet": "The Frontier Post",
        "author": "Victoria Nikiforova",
        "published": datetime(2022, 1, 7).date(),
        "date_note": "inferred, not printed: the text calls Ablyazov's Reuters interview of 6 January 2022 "
                     "'yesterday'",
        "language": "en",
        "event": EVENT,
        "provenance": {"seed": src, "removed": ["title line (in front matter)",
                                                  "byline 'Written by The Frontier Post'",
                                                  "author line (in front matter)"]},
    }, paragraphs(body))


def new_eastern_outlook() -> None:
    src = "001_292fef5df0ced0be.txt"
    lines = lines_of(src)
    end = index_of(lines, "By Vladimir Platov")
    write("neo-outside-forces", {
        "title": lines[0].strip(),
        "outlet": "New Eastern Outlook",
        "author": "Vladimir Platov",
        "published": datetime(2022, 1, 7).date(),
        "date_note": "inferred, not printed: the latest event the text mentions is of 6 January 2022",
        "language": "en",
        "event": EVENT,
        "provenance": {"seed": src, "removed": ["title line (in front matter)",
                                                  "signature 'By Vladimir Platov' / 'Source: New Eastern Outlook'",
                                                  "page furniture: 'Similar Posts', 'Leave a Reply', comment form"]},
    }, paragraphs(lines[1:end]))


def kavkazplus() -> None:
    src = "002_964a688ff88cd9e1.txt"
    lines = lines_of(src)
    assert lines[0].strip() == "ANALYTICS"
    title_at = next(i for i in range(1, len(lines)) if lines[i].strip())
    date_at = next(i for i in range(title_at + 1, len(lines)) if lines[i].strip())
    stamp = datetime.strptime(lines[date_at].strip(), "%d.%m.%y %H:%M")
    end = max(i for i, ln in enumerate(lines) if ln.strip() == "Kavkazplus")
    write("kavkazplus-gutted", {
        "title": lines[title_at].strip(),
        "outlet": "Kavkazplus",
        "author": "",
        "published": stamp.date(),
        "date_note": f"printed as '{lines[date_at].strip()}' (local time)",
        "language": "en",
        "event": EVENT,
        "category": "Analytics",
        "provenance": {"seed": src, "removed": ["section label 'ANALYTICS' (as category)",
                                                  "title and date lines (in front matter)",
                                                  "signature 'Kavkazplus'", "view counter 'Read: 595'",
                                                  "comment form and 'News feed'"]},
    }, paragraphs(lines[date_at + 1 : end]))


def eadaily() -> None:
    src = "003_2ff82080f37a8d7d.txt"
    lines = lines_of(src)
    title = lines[0].strip()
    repeat = next(i for i in range(1, len(lines)) if lines[i].strip() == title)
    end = index_of(lines, "Artur Priymak, EADaily")
    write("eadaily-ukrainian-trace", {
        "title": title,
        "outlet": "EADaily",
        "author": "Artur Priymak",
        "published": datetime(2022, 1, 10).date(),
        "date_note": "inferred, not printed: the latest event the text mentions is of 10 January 2022",
        "language": "en",
        "event": EVENT,
        "provenance": {"seed": src, "removed": ["title line (in front matter)",
                                                  "the title repeated under the standfirst (image caption)",
                                                  "signature 'Artur Priymak, EADaily'",
                                                  "'comments powered by HyperComments'"]},
    }, paragraphs(lines[1:repeat] + lines[repeat + 1 : end]))


_POSTED = re.compile(r"^Posted by: (?P<who>.+?) \| (?P<when>\w{3} \d{1,2} \d{4} \d{1,2}:\d{2}) utc \| (?P<n>\d+)$")


def moon_of_alabama() -> None:
    src = "004_98d7b06732575358.txt"
    lines = lines_of(src)
    title_at = 3
    byline = next(i for i, ln in enumerate(lines) if ln.startswith("Posted by b on"))
    prev_page = index_of(lines, "« previous page", byline)
    closed = index_of(lines, "The comments to this entry are closed.")
    last_prev = max(i for i in range(prev_page + 1, closed) if lines[i].strip() == "« previous page")
    comments: list[str] = []
    buf: list[str] = []
    for line in lines[prev_page + 1 : last_prev]:
        match = _POSTED.match(line.strip())
        if not match:
            buf.append(line)
            continue
        when = datetime.strptime(match["when"], "%b %d %Y %H:%M")
        head = f"### {match['who']} · {when:%Y-%m-%d %H:%M} UTC · #{match['n']}"
        comments.append(head + "\n\n" + "\n\n".join(paragraphs(buf)) + "\n")
        buf = []
    assert not paragraphs(buf), buf
    write("moa-failed-rebellion", {
        "title": lines[title_at].strip(),
        "outlet": "Moon of Alabama",
        "author": "b",
        "published": datetime(2022, 1, 8).date(),
        "date_note": "printed: 'Posted by b on January 8, 2022 at 18:26 UTC'",
        "language": "en",
        "event": EVENT,
        "provenance": {"seed": src, "removed": ["site header 'Moon of Alabama Brecht quote'",
                                                  "date and title lines (in front matter)",
                                                  "'Posted by b ... | Permalink' (in front matter)",
                                                  "'« previous page' links",
                                                  "'The comments to this entry are closed.'"],
                       "comments": "reader comments #201-#218 as published (#212 absent; #216 appears twice)"},
    }, paragraphs(lines[title_at + 1 : byline]), "\n".join(comments))


def main() -> int:
    if not SEEDS.is_dir():
        print(f"seeds not found at {SEEDS}", file=sys.stderr)
        return 1
    frontier_post()
    new_eastern_outlook()
    kavkazplus()
    eadaily()
    moon_of_alabama()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
