"""The summary panel: one row per node (name, type, output shape, params) and the total."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor
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
from guibuilder.ui.items import format_shapes
from guibuilder.ui.session import Session

COLUMNS = ("Name", "Type", "Output shape", "Params")
ID_ROLE = Qt.ItemDataRole.UserRole


class SummaryPanel(QWidget):
    """A live table of the model; clicking a row asks to select that node."""

    node_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: Session | None = None
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

    def set_session(self, session: Session | None) -> None:
        if self.session is not None:
            self.session.shapes.updated.disconnect(self._schedule)
            self.session.graph.events.node_changed.disconnect(self._on_changed)
        self.session = session
        if session is not None:
            session.shapes.updated.connect(self._schedule)
            session.graph.events.node_changed.connect(self._on_changed)
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
        table.setUpdatesEnabled(False)
        table.setRowCount(len(order))
        total = non_trainable = errors = 0
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
            cells = (node.name, spec.type_id, shape, f"{count:,}")
            for col, text in enumerate(cells):
                item = table.item(row, col)
                if item is None:
                    item = QTableWidgetItem()
                    table.setItem(row, col, item)
                item.setText(text)
                item.setData(ID_ROLE, node_id)
                item.setToolTip(info.error if info and info.error else "")
                if col == 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if info is not None and info.error:
                    item.setForeground(t.color("error"))
                elif col == 1:
                    item.setForeground(theme.category_color(spec.category))
                else:
                    item.setForeground(QColor(t.text))
        table.setUpdatesEnabled(True)
        self.select_ids(self._selected)
        text = f"<b>Total: {total:,} parameters</b>"
        if non_trainable:
            text += f" · {total - non_trainable:,} trainable · {non_trainable:,} non-trainable"
        text += f" · {len(order)} layers"
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
