"""The first-run panel: three things to try on the sample corpus, each one click.

It sits in the empty reader until one of them is used (the ``ui.welcome`` setting then turns
off) and comes back from Help ▸ Things to Try. Each action drives the same features a person
would reach through the menus, so what it shows is what the menus do.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

#: (button text, what it does) in the order shown
TRIES = (
    ("&Search a name", "Find every article naming Ablyazov, with the passages marked."),
    ("&Compare three outlets", "The Frontier Post, New Eastern Outlook and Moon of Alabama side by side, kept level."),
    ("&Present the lesson", "Step through the sample lesson as a trainer would on a projector (Esc to leave)."),
)
SAMPLE_NAME = "Ablyazov"
COMPARE_IDS = ("frontier-post-alma-ata", "neo-outside-forces", "moa-failed-rebellion")


class WelcomePanel(QFrame):
    """Three one-click tries; ``used`` is called after any of them."""

    def __init__(self, window: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.setObjectName("welcomePanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedWidth(500)  # a known width: the wrapped explanations get their full height
        title = QLabel("<b>Three things to try</b>", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(6)
        layout.addWidget(title)
        self.buttons: list[QPushButton] = []
        for (text, explanation), slot in zip(TRIES, (self.search_name, self.compare_three, self.present_lesson),
                                             strict=True):
            button = QPushButton(text, self)
            button.setAccessibleName(text.replace("&", ""))
            button.setToolTip(explanation)
            button.clicked.connect(lambda _=False, s=slot: self._run(s))
            note = QLabel(explanation, self)
            note.setWordWrap(True)
            note.setObjectName("welcomeNote")
            note.setMinimumHeight(note.heightForWidth(500 - 36))
            layout.addWidget(button)
            layout.addWidget(note)
            self.buttons.append(button)
        hint = QLabel("Help ▸ Things to Try brings this back.", self)
        hint.setObjectName("welcomeNote")
        layout.addWidget(hint)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def _run(self, slot: Any) -> None:
        self.window.settings.set("ui.welcome", False, save=self.window.persist)
        slot()
        self.window.update_welcome()

    def search_name(self) -> None:
        search = self.window.features.get("search")
        if search is None:
            return
        search.show_panel()
        search.panel.set_query(SAMPLE_NAME)

    def compare_three(self) -> None:
        w = self.window
        if w.corpus is None:
            return
        ids = [d for d in COMPARE_IDS if d in w.corpus]
        if not ids:
            w.statusBar().showMessage("This corpus has none of the sample documents.", 5000)
            return
        w.compare.close_all_but_main()
        w.open_document(ids[0])
        for doc_id in ids[1:]:
            w.compare.open_beside(doc_id, after=w.reader_views()[-1])
        w.compare.set_mode("aligned", save=False)

    def present_lesson(self) -> None:
        lessons = self.window.features.get("lessons")
        if lessons is None:
            return
        lessons.open_sample()
        if lessons.session.lesson is not None:
            lessons.present(0, fullscreen=self.window.persist)
