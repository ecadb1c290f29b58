"""The layer palette: every catalog layer by category, with a search box.

Drag an entry onto the canvas (the MIME data carries the layer's type id), or
double-click it to add the layer at the centre of the view.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from guibuilder import catalog
from guibuilder.catalog import LayerSpec
from guibuilder.ui import theme

#: MIME type of a palette drag: the payload is the layer's type id in UTF-8.
LAYER_MIME = "application/x-guibuilder-layer"

TYPE_ROLE = Qt.ItemDataRole.UserRole
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 2


def abbreviation(type_id: str) -> str:
    """Two letters for a layer's icon: ``Conv2D`` -> ``C2``, ``Dense`` -> ``De``."""
    marks = [c for c in type_id if c.isupper() or c.isdigit()]
    return marks[0] + marks[1] if len(marks) >= 2 else type_id[:2]


class PaletteDelegate(QStyledItemDelegate):
    """Draws a category header, or an entry: icon tile, type in bold, summary below."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        if index.data(TYPE_ROLE):
            return QSize(200, 42)
        return QSize(200, 28)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        t = theme.current()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect)
        type_id = index.data(TYPE_ROLE)
        category = index.data(CATEGORY_ROLE)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected or hovered:
            fill = t.color("accent")
            fill.setAlpha(40 if selected else 18)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(rect.adjusted(2, 1, -2, -1), 4, 4)
        if not type_id:
            font = theme.ui_font(8.5, bold=True)
            painter.setFont(font)
            painter.setPen(t.color("muted"))
            painter.drawText(
                rect.adjusted(4, 0, 0, 0),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                f"{category.upper()}  ·  {index.data(SUMMARY_ROLE)}",
            )
            painter.restore()
            return
        tile = QRectF(rect.left() + 4, rect.top() + 8, 26, 26)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.category_color(category))
        painter.drawRoundedRect(tile, 5, 5)
        painter.setPen(QColor("#ffffff"))
        painter.setFont(theme.ui_font(8, bold=True))
        painter.drawText(tile, Qt.AlignmentFlag.AlignCenter, abbreviation(type_id))
        text_left = tile.right() + 8
        width = rect.right() - text_left - 4
        painter.setFont(theme.ui_font(9.5, bold=True))
        painter.setPen(t.color("text"))
        painter.drawText(
            QRectF(text_left, rect.top() + 4, width, 18),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            type_id,
        )
        small = theme.ui_font(8.5)
        painter.setFont(small)
        painter.setPen(t.color("muted"))
        summary = QFontMetricsF(small).elidedText(
            index.data(SUMMARY_ROLE), Qt.TextElideMode.ElideRight, width
        )
        painter.drawText(
            QRectF(text_left, rect.top() + 21, width, 16),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            summary,
        )
        painter.restore()


class PaletteTree(QTreeWidget):
    """The tree of layers; dragging an entry carries :data:`LAYER_MIME`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(0)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setMouseTracking(True)
        self.setUniformRowHeights(False)
        self.setItemDelegate(PaletteDelegate(self))
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    def mimeTypes(self) -> list[str]:
        return [LAYER_MIME]

    def mimeData(self, items: Sequence[QTreeWidgetItem]) -> QMimeData:
        mime = QMimeData()
        type_ids = [i.data(0, TYPE_ROLE) for i in items if i.data(0, TYPE_ROLE)]
        if type_ids:
            mime.setData(LAYER_MIME, type_ids[0].encode("utf-8"))
            mime.setText(type_ids[0])
        return mime

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


class PalettePanel(QWidget):
    """Search box over the layer tree."""

    #: A layer chosen by double-click or Enter: add it at the view centre.
    layer_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search layers…")
        self.search.setClearButtonEnabled(True)
        self.tree = PaletteTree(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._populate(catalog.all_specs())
        self.search.textChanged.connect(self.filter)
        self.tree.itemActivated.connect(self._activated)

    def _populate(self, specs: list[LayerSpec]) -> None:
        groups: dict[str, list[LayerSpec]] = {}
        for spec in specs:
            groups.setdefault(spec.category, []).append(spec)
        for category, members in groups.items():
            header = QTreeWidgetItem(self.tree)
            header.setData(0, CATEGORY_ROLE, category)
            header.setData(0, SUMMARY_ROLE, str(len(members)))
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for spec in members:
                item = QTreeWidgetItem(header)
                item.setData(0, TYPE_ROLE, spec.type_id)
                item.setData(0, SUMMARY_ROLE, spec.summary)
                item.setData(0, CATEGORY_ROLE, spec.category)
                item.setToolTip(0, f"<b>{spec.type_id}</b><br>{spec.summary}")
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable
                    | Qt.ItemFlag.ItemIsDragEnabled
                )
                self._items[spec.type_id] = item
        self.tree.expandAll()

    def item(self, type_id: str) -> QTreeWidgetItem:
        return self._items[type_id]

    def filter(self, text: str) -> None:
        """Show the layers whose type, class, category or summary contains ``text``."""
        words = text.lower().split()
        for i in range(self.tree.topLevelItemCount()):
            header = self.tree.topLevelItem(i)
            visible = 0
            for j in range(header.childCount()):
                child = header.child(j)
                spec = catalog.get(child.data(0, TYPE_ROLE))
                haystack = " ".join(
                    (spec.type_id, spec.keras_class, spec.category, spec.summary)
                ).lower()
                shown = all(w in haystack for w in words)
                child.setHidden(not shown)
                visible += shown
            header.setHidden(visible == 0)
            header.setData(0, SUMMARY_ROLE, str(visible))
        self.tree.expandAll()

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        type_id = item.data(0, TYPE_ROLE)
        if type_id:
            self.layer_activated.emit(type_id)
