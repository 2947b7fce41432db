"""The keyboard map, declared once: the README's key table is rendered from :data:`KEY_TABLE`
(a test compares them) and dock toggles take their keys from :data:`DOCK_KEYS`, so a new key is
added here and every place that lists keys agrees. The Keyboard Shortcuts dialog reads the live
actions themselves, so it can never disagree with what the keys do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyRow:
    """One row of the key table: keys as a person types them, and what they do."""

    keys: str
    action: str


#: dock name (``add_dock``'s ``name``) -> the key that shows or hides it
DOCK_KEYS: dict[str, str] = {
    "search": "Ctrl+Alt+F",
    "entities": "Ctrl+Alt+E",
    "framing": "Ctrl+Alt+H",
    "kwic": "Ctrl+Shift+K",
    "notes": "Ctrl+Shift+M",
    "lesson": "Ctrl+Alt+L",
    "research": "Ctrl+Alt+T",
}
#: View ▸ Word Differences: mark the words that differ inside aligned quote / similar pairs
WORD_DIFF_KEY = "Ctrl+D"
#: View ▸ Next Area / Previous Area: library, each pane, each open dock in turn
NEXT_AREA_KEY = "F6"
PREVIOUS_AREA_KEY = "Shift+F6"
#: Edit ▸ Highlight Passage: mark the selection in a colour without writing a note
HIGHLIGHT_KEY = "Ctrl+Shift+L"
#: Edit ▸ Copy Citation: a reference to the open document, with the selection's locator
COPY_CITATION_KEY = "Ctrl+Shift+C"
#: Edit ▸ Set Metadata of Selected Documents
BULK_EDIT_KEY = "Ctrl+Alt+M"

KEY_TABLE: tuple[KeyRow, ...] = (
    KeyRow("Ctrl+F, F3, Shift+F3, Esc", "find in the document, next, previous, close (F3 also steps through "
                                        "search hits or a clicked name)"),
    KeyRow("Ctrl+Shift+F, Ctrl+Alt+F", "search the corpus ([query language](docs/search.md)), the Search dock; "
                                       "Down moves from the query into the results, Enter opens one"),
    KeyRow("Ctrl+Shift+O, Ctrl+W", "open the selected document beside the current one, close a pane (2 to 4 panes)"),
    KeyRow("Alt+\\\\, Ctrl+Alt+Left/Right", "swap panes, move a pane"),
    KeyRow("Alt+Down / Alt+Up", "next / previous aligned passage pair"),
    KeyRow(WORD_DIFF_KEY, "mark the words that differ inside aligned quotations and similar passages"),
    KeyRow("F7 / Shift+F7", "every pane to its next / previous mention of the followed entity"),
    KeyRow("Ctrl+Shift+E, Ctrl+Alt+E", "entity highlights on/off, the Entities dock (list, coverage matrix, "
                                       "candidates)"),
    KeyRow("Ctrl+Shift+H, Ctrl+Alt+H, Ctrl+Shift+K", "framing highlights on/off, the Framing dock, the Concordance"),
    KeyRow("Ctrl+Shift+N, Ctrl+Shift+M", "add a note to the selection (or the current find match, search hit or "
                                         "name), the Notes dock (Ctrl+Z / Ctrl+Shift+Z undo / redo)"),
    KeyRow(f"{HIGHLIGHT_KEY}, {COPY_CITATION_KEY}", "highlight the selection without a note (listed and exported "
                                                    "with the notes), copy a citation of the open document"),
    KeyRow(f"Ctrl+I, Ctrl+Shift+I, Ctrl+E, {BULK_EDIT_KEY}", "import files, import a folder, edit the open "
                                                             "document's metadata, set metadata of the selected "
                                                             "documents"),
    KeyRow("Ctrl+Alt+T", "the Research dock: coverage timeline, batch search, saved searches"),
    KeyRow("F5, Ctrl+Alt+L", "present the open lesson (Page Down / Page Up, B blank, R reveal, S speaker view, "
                             "Esc leave), the Lesson dock"),
    KeyRow(f"{NEXT_AREA_KEY} / {PREVIOUS_AREA_KEY}", "move between the library, the reader panes and the open docks"),
    KeyRow("Ctrl+= / Ctrl+- / Ctrl+0", "larger / smaller / default text (remembered)"),
    KeyRow("Ctrl+Alt+= / Ctrl+Alt+-", "larger / smaller interface text"),
    KeyRow("Ctrl+L, F9", "filter the library, show or hide it"),
    KeyRow("Ctrl+O, Ctrl+R", "open a corpus folder, reload it"),
    KeyRow("Ctrl+/", "all keyboard shortcuts, grouped by menu, with a filter"),
)


def readme_table() -> str:
    """The README's key table (Markdown), rendered from :data:`KEY_TABLE`."""
    rows = ["| Key | Action |", "| --- | --- |"]
    rows += [f"| {row.keys} | {row.action} |" for row in KEY_TABLE]
    return "\n".join(rows)


def bound_keys(row: KeyRow) -> list[str]:
    """The keys of a row that must be bound to a window action (presentation keys are the presenter's)."""
    out = []
    for part in row.keys.replace(" / ", ", ").split(", "):
        part = part.strip().replace("\\\\", "\\")
        if part in ("Esc",) or "Left/Right" in part:
            continue
        out.append(part)
    return out
