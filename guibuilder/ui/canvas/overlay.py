"""A view-only colouring of the canvas nodes, with its legend: gradient norms, for one.

:class:`CanvasOverlay` maps node ids to colours taken from a sequential colour map; the
scene tints those node cards and shows an :class:`OverlayLegend` in a corner of each view.
Nothing of it is stored in the graph or the project: taking the overlay off restores the
normal look.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from guibuilder.ui import theme

#: The viridis colour map, dark blue (low) to yellow (high), in nine stops.
VIRIDIS = (
    "#440154",
    "#472d7b",
    "#3b528b",
    "#2c728e",
    "#21918c",
    "#28ae80",
    "#5ec962",
    "#addc30",
    "#fde725",
)


def colormap(t: float, stops: tuple[str, ...] = VIRIDIS) -> QColor:
    """The colour at ``t`` in [0, 1] of the colour map through ``stops``."""
    t = min(1.0, max(0.0, t)) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    a, b = QColor(stops[i]), QColor(stops[i + 1])
    f = t - i
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * f,
        a.greenF() + (b.greenF() - a.greenF()) * f,
        a.blueF() + (b.blueF() - a.blueF()) * f,
    )


def ink_on(color: QColor) -> QColor:
    """Black or white, whichever reads better on ``color``."""
    luminance = 0.2126 * color.redF() + 0.7152 * color.greenF() + 0.0722 * color.blueF()
    return QColor("#111827") if luminance > 0.45 else QColor("#ffffff")


@dataclass(frozen=True)
class CanvasOverlay:
    """Colours for some nodes of the canvas and what the legend says about them.

    ``notes`` adds a line to a node's tooltip; nodes without a colour keep their look.
    """

    colors: Mapping[str, QColor]
    title: str
    low: str
    high: str
    notes: Mapping[str, str] = field(default_factory=dict)
    footnote: str = ""
    stops: tuple[str, ...] = VIRIDIS

    def tint(self, node_id: str) -> tuple[QColor | None, str]:
        """The colour of ``node_id`` (None to leave it as it is) and its tooltip line."""
        return self.colors.get(node_id), self.notes.get(node_id, "")


def log_overlay(
    values: Mapping[str, float],
    title: str,
    notes: Mapping[str, str] | None = None,
    decades: float = 1.0,
) -> CanvasOverlay:
    """An overlay colouring each node by the logarithm of its positive, finite value.

    The colour scale spans at least ``decades`` powers of ten around the values, so values
    close together get close colours. Nodes whose value is zero, negative or not finite
    keep their look.
    """
    logs = {k: math.log10(v) for k, v in values.items() if v > 0 and math.isfinite(v)}
    low, high = min(logs.values(), default=0.0), max(logs.values(), default=0.0)
    if high - low < decades:
        middle = (low + high) / 2
        low, high = middle - decades / 2, middle + decades / 2
    colors = {k: colormap((v - low) / (high - low)) for k, v in logs.items()}
    return CanvasOverlay(
        colors,
        title,
        f"{10**low:.2g}",
        f"{10**high:.2g}",
        dict(notes or {}),
        "log scale; plain cards have no value",
    )


class OverlayLegend(QWidget):
    """The legend of a :class:`CanvasOverlay`, kept in the bottom-left corner of a view."""

    MARGIN = 12

    def __init__(self, overlay: CanvasOverlay, viewport: QWidget) -> None:
        super().__init__(viewport)
        self.setObjectName("OverlayLegend")
        self.overlay = overlay
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        font = theme.ui_font(8.5)
        self.setFont(font)
        metrics = self.fontMetrics()
        width = max(190, metrics.horizontalAdvance(overlay.footnote) + 20)
        self.setFixedSize(width, metrics.height() * 3 + 26)
        viewport.installEventFilter(self)
        self._place()
        self.show()

    def remove(self) -> None:
        """Take the legend off its view."""
        parent = self.parentWidget()
        if parent is not None:
            parent.removeEventFilter(self)
        self.hide()
        self.deleteLater()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.move(self.MARGIN, parent.height() - self.height() - self.MARGIN)

    def paintEvent(self, event: QPaintEvent) -> None:
        t = theme.current()
        overlay = self.overlay
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(t.color("card_border"), 1))
        painter.setBrush(t.color("card"))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        line = self.fontMetrics().height()
        left, right = 10.0, self.width() - 10.0
        painter.setPen(t.color("text"))
        painter.drawText(QPointF(left, 6 + line * 0.8), overlay.title)
        bar = QRectF(left, 10 + line, right - left, 10)
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        for i, stop in enumerate(overlay.stops):
            gradient.setColorAt(i / (len(overlay.stops) - 1), QColor(stop))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(gradient)
        painter.drawRoundedRect(bar, 2, 2)
        painter.setPen(t.color("muted"))
        row = QRectF(left, bar.bottom() + 2, right - left, line)
        painter.drawText(row, Qt.AlignmentFlag.AlignLeft, overlay.low)
        painter.drawText(row, Qt.AlignmentFlag.AlignRight, overlay.high)
        painter.drawText(row.translated(0, line), Qt.AlignmentFlag.AlignLeft, overlay.footnote)
        painter.end()
