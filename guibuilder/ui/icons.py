"""Toolbar icons drawn as simple line art in the theme's text colour."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from guibuilder.ui import theme

SIZE = 40  # drawn at 2x for sharp edges; shown at 20 px


def _new(p: QPainter) -> None:
    path = QPainterPath(QPointF(10, 5))
    path.lineTo(24, 5)
    path.lineTo(31, 12)
    path.lineTo(31, 35)
    path.lineTo(10, 35)
    path.closeSubpath()
    p.drawPath(path)
    p.drawPolyline([QPointF(24, 5), QPointF(24, 12), QPointF(31, 12)])


def _open(p: QPainter) -> None:
    path = QPainterPath(QPointF(5, 31))
    path.lineTo(5, 9)
    path.lineTo(15, 9)
    path.lineTo(18, 13)
    path.lineTo(31, 13)
    path.lineTo(31, 17)
    p.drawPath(path)
    front = QPainterPath(QPointF(5, 31))
    front.lineTo(10, 18)
    front.lineTo(35, 18)
    front.lineTo(30, 31)
    front.closeSubpath()
    p.drawPath(front)


def _save(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(6, 6, 28, 28), 3, 3)
    p.drawRect(QRectF(12, 6, 14, 9))
    p.drawRect(QRectF(11, 22, 18, 12))


def _arrow(p: QPainter, mirrored: bool) -> None:
    if mirrored:
        p.translate(SIZE, 0)
        p.scale(-1, 1)
    path = QPainterPath(QPointF(33, 30))
    path.cubicTo(QPointF(33, 16), QPointF(22, 13), QPointF(9, 15))
    p.drawPath(path)
    p.drawPolyline([QPointF(15, 8), QPointF(8, 15), QPointF(15, 22)])


def _delete(p: QPainter) -> None:
    p.drawLine(QPointF(7, 10), QPointF(33, 10))
    p.drawPolyline([QPointF(16, 10), QPointF(16, 6), QPointF(24, 6), QPointF(24, 10)])
    path = QPainterPath(QPointF(10, 10))
    path.lineTo(12, 34)
    path.lineTo(28, 34)
    path.lineTo(30, 10)
    p.drawPath(path)
    p.drawLine(QPointF(17, 16), QPointF(17, 28))
    p.drawLine(QPointF(23, 16), QPointF(23, 28))


def _fit(p: QPainter) -> None:
    for sx, sy in ((1, 1), (-1, 1), (1, -1), (-1, -1)):
        cx, cy = 20 - 14 * sx, 20 - 14 * sy
        p.drawPolyline([QPointF(cx, cy + 8 * sy), QPointF(cx, cy), QPointF(cx + 8 * sx, cy)])
    p.drawRoundedRect(QRectF(14, 14, 12, 12), 2, 2)


def _layout(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(14, 4, 12, 8), 2, 2)
    p.drawRoundedRect(QRectF(4, 28, 12, 8), 2, 2)
    p.drawRoundedRect(QRectF(24, 28, 12, 8), 2, 2)
    p.drawPolyline([QPointF(20, 12), QPointF(20, 20), QPointF(10, 20), QPointF(10, 28)])
    p.drawPolyline([QPointF(20, 20), QPointF(30, 20), QPointF(30, 28)])


def _filled(p: QPainter) -> None:
    p.setBrush(p.pen().color())


def _play(p: QPainter) -> None:
    _filled(p)
    p.drawPolygon([QPointF(13, 9), QPointF(31, 20), QPointF(13, 31)])


def _pause(p: QPainter) -> None:
    _filled(p)
    p.drawRoundedRect(QRectF(11, 9, 6, 22), 1.5, 1.5)
    p.drawRoundedRect(QRectF(23, 9, 6, 22), 1.5, 1.5)


def _stop(p: QPainter) -> None:
    _filled(p)
    p.drawRoundedRect(QRectF(10, 10, 20, 20), 2, 2)


def _step(p: QPainter) -> None:
    _filled(p)
    p.drawPolygon([QPointF(9, 9), QPointF(24, 20), QPointF(9, 31)])
    p.drawRoundedRect(QRectF(27, 9, 4, 22), 1, 1)


_DRAWINGS: dict[str, Callable[[QPainter], None]] = {
    "new": _new,
    "open": _open,
    "save": _save,
    "undo": lambda p: _arrow(p, False),
    "redo": lambda p: _arrow(p, True),
    "delete": _delete,
    "fit": _fit,
    "layout": _layout,
    "play": _play,
    "pause": _pause,
    "stop": _stop,
    "step": _step,
}


def icon(name: str) -> QIcon:
    """The icon ``name`` (new, open, save, undo, redo, delete, fit, layout, play, pause,
    stop, step): in the theme's text colour, and in its muted colour when disabled."""
    result = QIcon()
    for role, mode in (("text", QIcon.Mode.Normal), ("muted", QIcon.Mode.Disabled)):
        result.addPixmap(_drawn(name, theme.current().color(role)), mode)
    return result


def _drawn(name: str, color: QColor) -> QPixmap:
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(color, 2.6)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    _DRAWINGS[name](painter)
    painter.end()
    pixmap.setDevicePixelRatio(2.0)
    return pixmap
