"""Find a layer on the canvas (Ctrl+F): matches by name and type as you type.

The bar sits in the canvas' top-right corner. Typing lists the layers whose name, id or
type contains every word typed, and shows the first; Enter or F3 goes to the next match,
Shift+Enter or Shift+F3 to the previous one, a click on a listed layer to that one. The
layer shown is selected and centred at a readable zoom. Escape closes the bar.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
)

from guibuilder.graph import Graph
from guibuilder.ui import theme

#: The bar's width and its distance from the view's edges, in pixels.
WIDTH = 340
MARGIN = 12
#: Rows the list of matches shows before it scrolls.
ROWS = 8


def matches(graph: Graph, text: str) -> list[str]:
    """The ids of the nodes whose name, id or type contains every word of ``text``."""
    words = text.lower().split()
    if not words:
        return []
    found = []
    for node_id, node in graph.nodes.items():
        haystack = f"{node.name} {node_id} {node.type_id}".lower()
        if all(word in haystack for word in words):
            found.append(node_id)
    return found


class FindBar(QFrame):
    """The "Find layer" box over a canvas view."""

    def __init__(self, view: QGraphicsView) -> None:
        super().__init__(view)
        self.setObjectName("FindBar")
        self.view = view
        self.found: list[str] = []
        self.index = -1
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Find layer by name or type…")
        self.edit.setClearButtonEnabled(True)
        self.edit.setAccessibleName("Find layer")
        self.count = QLabel(self)
        self.count.setProperty("role", "muted")
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Close (Esc)")
        close.clicked.connect(self.close_bar)
        self.list = QListWidget(self)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.itemClicked.connect(lambda item: self.go(self.list.row(item)))
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self.edit, 1)
        row.addWidget(self.count)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(row)
        layout.addWidget(self.list)
        self.edit.textChanged.connect(self.search)
        self.edit.installEventFilter(self)
        view.installEventFilter(self)
        self.setFixedWidth(WIDTH)
        self.find_action = self._action("&Find Layer…", QKeySequence.StandardKey.Find, self.open)
        self.next_action = self._action("Find &Next", QKeySequence("F3"), lambda: self.step(1))
        self.previous_action = self._action(
            "Find Pre&vious", QKeySequence("Shift+F3"), lambda: self.step(-1)
        )
        self.find_action.setToolTip("Find a layer by its name or type (Ctrl+F)")
        self.search("")
        self.hide()

    def _action(self, text: str, key, slot) -> QAction:
        action = QAction(text, self.view)
        action.setShortcut(key)
        action.triggered.connect(slot)
        return action

    def actions_for_menu(self) -> list[QAction]:
        """Find, Find Next and Find Previous, for the window's Edit menu."""
        return [self.find_action, self.next_action, self.previous_action]

    # ------------------------------------------------------------ showing
    def open(self) -> None:
        """Show the bar with its text selected, ready to type."""
        self.show()
        self.raise_()
        self._place()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()
        self.search(self.edit.text())

    def close_bar(self) -> None:
        """Hide the bar; the canvas gets the keyboard back."""
        self.hide()
        self.view.setFocus()

    def _place(self) -> None:
        self.adjustSize()
        self.move(self.view.width() - self.width() - MARGIN, MARGIN)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        elif watched is self.edit and event.type() == QEvent.Type.KeyPress:
            return self._key(event)
        return False

    def _key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            back = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            self.step(-1 if back else 1)
            return True
        if key == Qt.Key.Key_Escape:
            self.close_bar()
            return True
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.step(1 if key == Qt.Key.Key_Down else -1)
            return True
        return False

    # ------------------------------------------------------------ finding
    def search(self, text: str) -> None:
        """List the layers matching ``text`` and show the first."""
        scene = self.view.scene()
        graph = scene.graph if scene is not None else None
        self.found = matches(graph, text) if graph is not None else []
        self.index = -1
        self.list.clear()
        room = self.list.viewport().width() - 8
        metrics = self.list.fontMetrics()
        for node_id in self.found:
            node = graph.node(node_id)
            label = node.name if node.name == node_id else f"{node.name} ({node_id})"
            full = f"{label}  ·  {node.type_id}"
            # The name tells the matches apart: the type is left out when both do not fit.
            item = QListWidgetItem(full if metrics.horizontalAdvance(full) <= room else label)
            item.setToolTip(f"{full}: show it on the canvas")
            self.list.addItem(item)
        rows = min(ROWS, len(self.found))
        self.list.setVisible(rows > 0)
        if rows:
            self.list.setFixedHeight(
                self.list.sizeHintForRow(0) * rows + 2 * self.list.frameWidth()
            )
        if self.found:
            self.go(0)
        else:
            self.count.setText("no match" if text.strip() else "")
        if self.isVisible():
            self._place()

    def step(self, by: int) -> None:
        """Go to the next (``by`` 1) or previous (-1) match; F3 opens the bar if hidden."""
        if not self.isVisible():
            self.open()
            return
        if self.found:
            self.go((self.index + by) % len(self.found))

    def go(self, index: int) -> None:
        """Select and centre the match at ``index``."""
        self.index = index
        self.list.setCurrentRow(index)
        self.count.setText(f"{index + 1} of {len(self.found)}")
        self.view.show_node(self.found[index])

    def paintEvent(self, event: QPaintEvent) -> None:
        t = theme.current()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(t.color("card_border"), 1))
        painter.setBrush(t.color("panel"))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
