"""Small dialogs: corpus problems, keyboard shortcuts, about."""

from __future__ import annotations

from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader.core.frontmatter import Problem


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


class ShortcutsDialog(QDialog):
    """Every menu action that has a shortcut, derived from the actions themselves."""

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(520, 520)
        tree = QTreeWidget(self)
        tree.setHeaderLabels(["Action", "Shortcut"])
        tree.setRootIsDecorated(False)
        for action in actions:
            keys = ", ".join(s.toString() for s in action.shortcuts())
            if keys:
                QTreeWidgetItem(tree, [action.text().replace("&", ""), keys])
        tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tree)
        layout.addWidget(buttons)
