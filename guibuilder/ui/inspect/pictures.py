"""pyqtgraph views of the Attribution, Adversarial and Predict tabs.

:class:`PictureRow` shows a few titled images side by side, each optionally with a map
laid over it in a colour map (transparent where the map is near zero);
:class:`ValueBars` is a bar chart of one or two series over named classes. This module
imports pyqtgraph, so the pages import it the first time they are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from guibuilder.inspect.sample_input import is_sequence_shape
from guibuilder.ui import theme

#: Colour maps: signed maps (blue below zero, red above) and maps from zero up.
DIVERGING = "CET-D1"
SEQUENTIAL = "turbo"


def _grey(image: np.ndarray) -> np.ndarray:
    """A 2-D grey image or an ``(h, w, 3)`` colour image from one sample."""
    array = np.asarray(image, dtype="float32")
    if array.ndim == 3 and array.shape[-1] == 1:
        return array[:, :, 0]
    return array


#: Sequences with more features than this are drawn as a heat map strip, not as lines.
MAX_LINES = 3
#: Colours of a sequence's lines, feature by feature (the accent colour first).
LINE_COLORS = ("#ff7f0e", "#2ca02c")


def sequence_image(sample: np.ndarray, width: int, height: int) -> QImage | None:
    """A ``width`` x ``height`` picture of one sequence sample, time along x; None when
    ``sample`` is not a ``(steps, features)`` sequence.

    Up to :data:`MAX_LINES` features are drawn as a small line plot (each feature on the
    scale of all of them, a faint line at zero); more as a heat map strip, one row per
    feature, each row on its own scale.
    """
    array = np.asarray(sample, dtype="float64")
    if not is_sequence_shape(array.shape):
        return None
    t = theme.current()
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(t.base))
    array = np.nan_to_num(array)
    steps, features = array.shape
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pad = 3.0
    box = QRectF(pad, pad, width - 2 * pad, height - 2 * pad)
    if features > MAX_LINES:
        low, high = array.min(axis=0), array.max(axis=0)
        scaled = (array - low) / np.where(high > low, high - low, 1.0)
        rgba = pg.colormap.get("viridis").map(scaled.T.ravel(), mode="byte")
        strip = np.ascontiguousarray(rgba.reshape(features, steps, 4)[:, :, :3])
        picture = QImage(strip.data, steps, features, 3 * steps, QImage.Format.Format_RGB888)
        painter.drawImage(box, picture.copy())
    else:
        low, high = float(array.min()), float(array.max())
        if high - low < 1e-12:
            low, high = low - 1.0, high + 1.0
        x = box.left() + box.width() * np.arange(steps) / max(1, steps - 1)

        def y_of(values: np.ndarray) -> np.ndarray:
            return box.bottom() - box.height() * (values - low) / (high - low)

        if low < 0.0 < high:
            painter.setPen(QPen(QColor(t.border), 1))
            zero = float(y_of(np.array(0.0)))
            painter.drawLine(QPointF(box.left(), zero), QPointF(box.right(), zero))
        for k in range(features):
            color = t.accent if k == 0 else LINE_COLORS[(k - 1) % len(LINE_COLORS)]
            pen = QPen(QColor(color), 1.5)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            y = y_of(array[:, k])
            painter.drawPolyline(QPolygonF([QPointF(a, b) for a, b in zip(x, y, strict=True)]))
    painter.end()
    return image


def _xy(image: np.ndarray) -> np.ndarray:
    """Rows and columns swapped: pyqtgraph's ImageItem takes x (columns) first."""
    return np.swapaxes(image, 0, 1)


def overlay_colours(values: np.ndarray, bound: float, signed: bool, opacity: float) -> np.ndarray:
    """RGBA bytes of ``values`` in a colour map, more opaque the further from zero.

    Values span ``[-bound, bound]`` when ``signed`` (diverging map), else ``[0, bound]``;
    ``opacity`` (0..1) is the alpha of the strongest value.
    """
    bound = bound if bound > 0 else 1.0
    values = np.asarray(values, dtype="float64")
    if signed:
        position = np.clip(values / bound * 0.5 + 0.5, 0.0, 1.0)
        strength = np.clip(np.abs(values) / bound, 0.0, 1.0)
    else:
        position = np.clip(values / bound, 0.0, 1.0)
        strength = position
    cmap = pg.colormap.get(DIVERGING if signed else SEQUENTIAL)
    rgba = cmap.map(position.ravel(), mode="byte").reshape(*values.shape, 4)
    rgba[..., 3] = np.round(255 * opacity * strength).astype("uint8")
    return rgba


@dataclass
class Picture:
    """One panel of a :class:`PictureRow` and what it shows (for tests and re-tinting)."""

    plot: pg.PlotItem
    base: pg.ImageItem
    overlay: pg.ImageItem
    note: pg.TextItem
    values: np.ndarray | None = None
    bound: float = 1.0
    signed: bool = True


class PictureRow(pg.GraphicsLayoutWidget):
    """Titled images side by side; each can carry a colour-mapped overlay or a note."""

    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        t = theme.current()
        self.setBackground(t.base)
        self.setMinimumSize(150 * count, 190)
        self.opacity = 0.85
        self.pictures: list[Picture] = []
        for column in range(count):
            plot = self.addPlot(row=0, col=column)
            plot.hideAxis("left")
            plot.hideAxis("bottom")
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(False, False)
            plot.setAspectLocked(True)
            plot.invertY(True)
            base = pg.ImageItem()
            overlay = pg.ImageItem()
            note = pg.TextItem("", color=t.muted, anchor=(0.5, 0.5))
            plot.addItem(base)
            plot.addItem(overlay)
            plot.addItem(note)
            self.pictures.append(Picture(plot, base, overlay, note))

    def show_image(
        self,
        index: int,
        title: str,
        image: np.ndarray,
        levels: tuple[float, float],
        cmap: str | None = None,
    ) -> None:
        """Draw ``image`` (one sample) in panel ``index``: grey, colour, or in ``cmap``."""
        picture = self.pictures[index]
        grey = _grey(image)
        if cmap is not None:
            picture.base.setColorMap(pg.colormap.get(cmap))
        else:
            picture.base.setLookupTable(None)
        picture.base.setImage(_xy(grey), autoLevels=False, levels=levels)
        picture.base.show()
        picture.overlay.hide()
        picture.note.setText("")
        picture.values = None
        self._frame(picture, title, grey.shape[:2])

    def show_overlay(
        self,
        index: int,
        values: np.ndarray,
        signed: bool,
        bound: float | None = None,
    ) -> None:
        """Lay ``values`` (height by width) over panel ``index``'s image in a colour map."""
        picture = self.pictures[index]
        values = np.asarray(values, dtype="float32")
        if bound is None:
            finite = values[np.isfinite(values)]
            bound = float(np.max(np.abs(finite))) if finite.size else 1.0
        picture.values, picture.bound, picture.signed = values, bound, signed
        self._tint(picture)
        picture.overlay.show()

    def show_note(self, index: int, title: str, text: str) -> None:
        """Panel ``index`` shows ``text`` instead of an image."""
        picture = self.pictures[index]
        picture.base.hide()
        picture.overlay.hide()
        picture.values = None
        picture.note.setText(_wrap(text, 28))
        picture.note.setPos(0.5, 0.5)
        picture.plot.setTitle(title, color=theme.current().text, size="9pt")
        picture.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.05)

    def set_opacity(self, opacity: float) -> None:
        """The alpha (0..1) of the strongest overlay values, for every panel."""
        self.opacity = opacity
        for picture in self.pictures:
            if picture.values is not None:
                self._tint(picture)

    def _tint(self, picture: Picture) -> None:
        rgba = overlay_colours(picture.values, picture.bound, picture.signed, self.opacity)
        picture.overlay.setImage(_xy(rgba), autoLevels=False, levels=(0, 255))

    def _frame(self, picture: Picture, title: str, shape: tuple[int, int]) -> None:
        picture.plot.setTitle(title, color=theme.current().text, size="9pt")
        h, w = shape
        picture.plot.setRange(xRange=(0, w), yRange=(0, h), padding=0.02)


def _wrap(text: str, width: int) -> str:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


class ValueBars(pg.PlotWidget):
    """Bars over named classes: one series, or two side by side (e.g. before and after)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        t = theme.current()
        self.setBackground(t.base)
        self.setMinimumSize(220, 160)
        self.plot = self.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(False, False)
        self.plot.showGrid(y=True, alpha=0.25)
        self.series: list[pg.BarGraphItem] = []
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setPen(pg.mkPen(t.border))
            axis.setTextPen(pg.mkPen(t.muted))
            axis.enableAutoSIPrefix(False)

    def show_values(
        self,
        series: Sequence[tuple[str, np.ndarray, str | Sequence[str]]],
        names: Sequence[str],
        title: str,
        y_label: str = "probability",
        fixed: tuple[float, float] | None = (0.0, 1.0),
        highlight: int | None = None,
    ) -> None:
        """Draw each ``(label, values, colour)`` of ``series`` as bars over ``names``.

        ``colour`` is one colour for the series or one per bar.

        ``highlight`` outlines one class; ``fixed`` pins the value axis (None fits it).
        """
        t = theme.current()
        for item in self.series:
            self.plot.removeItem(item)
        self.series = []
        width = 0.8 / max(1, len(series))
        count = 0
        for k, (_label, values, colour) in enumerate(series):
            values = np.asarray(values, dtype="float64").ravel()
            count = max(count, values.size)
            offset = (k - (len(series) - 1) / 2) * width
            colours = [colour] * values.size if isinstance(colour, str) else list(colour)
            pens = [
                pg.mkPen(t.text, width=2) if i == highlight else pg.mkPen(c)
                for i, c in enumerate(colours)
            ]
            bars = pg.BarGraphItem(
                x=np.arange(values.size) + offset,
                height=values,
                width=width * 0.92,
                brushes=colours,
                pens=pens,
            )
            self.plot.addItem(bars)
            self.series.append(bars)
        labels = list(names) if len(names) == count else [str(i) for i in range(count)]
        step = max(1, int(np.ceil(count / 20)))
        self.plot.getAxis("bottom").setTicks([[(i, labels[i]) for i in range(0, count, step)], []])
        self.plot.setLabel("left", y_label, color=t.muted)
        if len(series) > 1:
            keys = " ".join(
                f"<span style='color:{colour}'>&#9632;</span> {label}"
                for label, _values, colour in series
            )
            title = f"{title} &nbsp; {keys}"
        self.plot.setTitle(title, color=t.text, size="10pt")
        self.plot.setXRange(-0.6, max(count, 1) - 0.4, padding=0)
        if fixed is not None:
            self.plot.setYRange(*fixed, padding=0.02)
        else:
            self.plot.enableAutoRange(axis="y")

    def heights(self, index: int = 0) -> np.ndarray:
        """The bar heights of series ``index`` as drawn."""
        return np.asarray(self.series[index].opts["height"], dtype="float64")
