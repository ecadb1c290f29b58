"""The summary panel: one row per node (name, type, output shape, params) and the total.

A layer the teacher locked shows the canvas' padlock before its name; a frozen one shows
the canvas' ❄ after its parameter count. Both say what they mean in the row's tooltip.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from PySide6.QtCore import QItemSelectionModel, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from guibuilder import catalog
from guibuilder.graph import GraphError
from guibuilder.ui import theme
from guibuilder.ui.canvas.items import LOCKED_WHAT, draw_lock, format_shapes, lock_html
from guibuilder.ui.window_editor import WindowEditor

COLUMNS = ("Name", "Type", "Output shape", "Params")
ID_ROLE = Qt.ItemDataRole.UserRole
FROZEN_NOTE = "❄ Frozen: training leaves its weights as they are."


def lock_icon() -> QIcon:
    """The canvas' padlock badge as an icon, in the current theme's colours (and in the
    selection's, on a selected row)."""
    return _lock_icon(theme.current())


@cache
def _lock_icon(t: theme.Theme) -> QIcon:
    icon = QIcon()
    looks = (
        (QIcon.Mode.Normal, t),
        (QIcon.Mode.Selected, replace(t, muted=t.on_accent, card=t.accent)),
    )
    for mode, colors in looks:
        pixmap = QPixmap(32, 32)
        pixmap.setDevicePixelRatio(2)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        draw_lock(painter, QPointF(8, 8.5), colors)
        painter.end()
        icon.addPixmap(pixmap, mode)
    return icon


class SummaryPanel(QWidget):
    """A live table of the model; clicking a row asks to select that node."""

    node_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: WindowEditor | None = None
        self._selected: list[str] = []
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.total = QLabel()
        self.total.setProperty("role", "muted")
        footer = QHBoxLayout()
        footer.setContentsMargins(8, 4, 8, 4)
        footer.addWidget(self.total)
        footer.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.table)
        layout.addLayout(footer)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(30)
        self._timer.timeout.connect(self.refresh)
        self.table.cellClicked.connect(self._clicked)

    def set_session(self, session: WindowEditor | None) -> None:
        if self.session is not None:
            self.session.shapes.updated.disconnect(self._schedule)
            self.session.graph.events.node_changed.disconnect(self._on_changed)
            self.session.project.events.classroom.disconnect(self._on_changed)
        self.session = session
        if session is not None:
            session.shapes.updated.connect(self._schedule)
            session.graph.events.node_changed.connect(self._on_changed)
            # A teacher's lock changes the project's classroom, not the graph.
            session.project.events.classroom.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, *_args: object) -> None:
        self._schedule()

    def _schedule(self) -> None:
        self._timer.start()

    def row_ids(self) -> list[str]:
        return [self.table.item(r, 0).data(ID_ROLE) for r in range(self.table.rowCount())]

    def refresh(self) -> None:
        """Rebuild the rows from the graph and the shapes (cheap: a few hundred rows)."""
        self._timer.stop()
        table = self.table
        if self.session is None:
            table.setRowCount(0)
            self.total.setText("")
            return
        graph = self.session.graph
        results = self.session.shapes.results()
        try:
            order = graph.topological_order()
        except GraphError:
            order = list(graph.nodes)
        t = theme.current()
        classroom = self.session.project.classroom
        locked = classroom.locked_nodes if classroom is not None else frozenset()
        table.setUpdatesEnabled(False)
        table.setRowCount(len(order))
        total = non_trainable = errors = frozen_count = 0
        for row, node_id in enumerate(order):
            node = graph.node(node_id)
            spec = catalog.get(node.type_id)
            info = results.get(node_id)
            if info is None or info.pending:
                shape = "…"
            elif info.error:
                shape = "error"
                errors += 1
            else:
                shape = format_shapes(info.outputs)
            count = info.params if info else 0
            total += count
            non_trainable += info.non_trainable if info else 0
            frozen = not node.trainable and node.type_id != "Input"
            frozen_count += frozen
            notes = (
                [f"{lock_html()} Locked by the teacher: {LOCKED_WHAT}"] if node_id in locked else []
            )
            notes += [FROZEN_NOTE] if frozen else []
            notes += [info.error] if info is not None and info.error else []
            cells = (node.name, spec.type_id, shape, f"{count:,}{' ❄' if frozen else ''}")
            for col, text in enumerate(cells):
                item = table.item(row, col)
                if item is None:
                    item = QTableWidgetItem()
                    table.setItem(row, col, item)
                item.setText(text)
                item.setData(ID_ROLE, node_id)
                item.setToolTip("<br>".join(notes))
                if col == 0:
                    item.setIcon(lock_icon() if node_id in locked else QIcon())
                if col == 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if info is not None and info.error:
                    item.setForeground(t.color("error"))
                elif col == 1:
                    item.setForeground(theme.category_text_color(spec.category))
                else:
                    item.setForeground(QColor(t.text))
        table.setUpdatesEnabled(True)
        self.select_ids(self._selected)
        text = f"<b>Total: {total:,} parameters</b>"
        if non_trainable:
            text += f" · {total - non_trainable:,} trainable · {non_trainable:,} non-trainable"
        text += f" · {len(order)} layers"
        if frozen_count:
            text += f" · {frozen_count} frozen"
        if locked:
            text += f" · {len(locked & set(order))} locked"
        if errors:
            text += f" · <span style='color:{t.error}'>{errors} with errors</span>"
        self.total.setText(text)

    def select_ids(self, node_ids: list[str]) -> None:
        """Highlight the rows of ``node_ids`` without emitting a click."""
        self._selected = list(node_ids)
        wanted = set(node_ids)
        table = self.table
        selection = table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        table.blockSignals(True)
        table.clearSelection()
        for row in range(table.rowCount()):
            if table.item(row, 0).data(ID_ROLE) in wanted:
                selection.select(table.model().index(row, 0), flags)
        table.blockSignals(False)

    def _clicked(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.node_clicked.emit(item.data(ID_ROLE))
