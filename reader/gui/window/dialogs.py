"""Small dialogs: corpus problems, keyboard shortcuts, the reader's guide."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader.core.frontmatter import Problem
from reader.core.paths import _source_root


class ProblemsDialog(QDialog):
    """Every problem found in the corpus: severity, file, line and what is wrong."""

    def __init__(self, problems: list[Problem], notices: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Corpus problems")
        self.resize(860, 420)
        self.problems = problems
        intro = QLabel(self)
        intro.setWordWrap(True)
        errors = sum(p.severity == "error" for p in problems)
        intro.setText(
            f"{errors} file(s) could not be loaded and were skipped; the other documents are available. "
            "Fix a file and choose File ▸ Reload Corpus (Ctrl+R)." if errors else
            "No file was skipped. Warnings are listed below."
        )
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Severity", "File", "Line", "Problem"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        for note in notices:
            QTreeWidgetItem(self.tree, ["notice", "", "", note])
        for p in problems:
            QTreeWidgetItem(self.tree, [p.severity, p.path, str(p.line or ""), p.message])
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.tree.setColumnWidth(1, 300)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = QPushButton("Copy All", self)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_all)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)

    def copy_all(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(str(p) for p in self.problems))


def _menu_actions(menu: QMenu) -> list[QAction]:
    out: list[QAction] = []
    for action in menu.actions():
        sub = action.menu()
        if isinstance(sub, QMenu):
            out += _menu_actions(sub)
        else:
            out.append(action)
    return out


class ShortcutsDialog(QDialog):
    """Every action that has a shortcut, derived from the actions themselves, grouped by the menu
    it lives in (File, Edit, View, Compare...), with a filter field over action and key."""

    def __init__(self, menus: dict[str, Any], actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(560, 560)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter: type an action or a key…")
        self.filter.setAccessibleName("Filter shortcuts")
        self.filter.setClearButtonEnabled(True)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Action", "Shortcut"])
        self.tree.setAccessibleName("Keyboard shortcuts")
        seen: set[int] = set()
        groups: list[tuple[str, list[QAction]]] = []
        for menu in menus.values():
            if isinstance(menu, QMenu):
                listed = [a for a in _menu_actions(menu) if a.shortcuts() and id(a) not in seen]
                seen.update(id(a) for a in listed)
                groups.append((menu.title().replace("&", ""), listed))
        groups.append(("Other", [a for a in actions if a.shortcuts() and id(a) not in seen]))
        for title, listed in groups:
            if not listed:
                continue
            group = QTreeWidgetItem(self.tree, [title, ""])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            for action in listed:
                keys = ", ".join(s.toString() for s in action.shortcuts())
                QTreeWidgetItem(group, [action.text().replace("&", ""), keys])
            group.setExpanded(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.filter.textChanged.connect(self.apply_filter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.filter.setFocus()

    def group_titles(self) -> list[str]:
        return [self.tree.topLevelItem(i).text(0) for i in range(self.tree.topLevelItemCount())]

    def apply_filter(self, text: str) -> None:
        words = text.lower().split()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                item = group.child(j)
                hay = f"{item.text(0)} {item.text(1)} {group.text(0)}".lower()
                hide = not all(w in hay for w in words)
                item.setHidden(hide)
                shown += not hide
            group.setHidden(shown == 0)

    def visible_rows(self) -> list[tuple[str, str]]:
        rows = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            rows += [(group.child(j).text(0), group.child(j).text(1)) for j in range(group.childCount())
                     if not group.child(j).isHidden()]
        return rows


GUIDE_FALLBACK = """# Reader's guide

Choose a document in the library (double-click or Enter) to read it. Open Beside (Ctrl+Shift+O)
puts another outlet next to it; the panes scroll together. Ctrl+F finds words, Ctrl+Shift+F
searches every document, Ctrl+Shift+N notes the selected passage. Ctrl+/ lists every key.
"""


class GuideWindow(QDialog):
    """Help ▸ Reader's Guide: how to use the app, for readers, in the window's own theme."""

    def __init__(self, theme: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reader's guide — Parallax Reader")
        self.resize(680, 600)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(False)
        self.browser.setAccessibleName("Reader's guide")
        path = _source_root() / "docs" / "guide.md"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = GUIDE_FALLBACK
        self.text = text
        self.apply_theme(theme)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)

    def apply_theme(self, theme: Any) -> None:
        c = theme.colors
        self.browser.setStyleSheet(f"QTextBrowser {{ background: {c['reader_background']}; color: {c['reader_text']};"
                                   f" padding: 12px; }}")
        self.browser.document().setDefaultStyleSheet(
            f"a {{ color: {c['link']}; }} h1, h2, h3 {{ color: {c['reader_text']}; }}"
            f" code {{ background: {c['alternate_base']}; color: {c['text']}; }}")
        self.browser.setMarkdown(self.text)
