"""Live training curves: per-batch loss, per-epoch loss and a chosen metric.

Each series is one persistent pyqtgraph curve, updated with ``setData`` from the GUI
thread only. Hovering a plot shows the values of every series at the nearest point; a
check box puts the loss plots on a log scale. Finished runs can be overlaid in muted
colours to compare them with the live one.

The plots redraw while a model trains, in the GUI thread, so a redraw must be cheap: the
grid is an item of its own (:class:`TickGrid`) rather than the axes' grid, which makes each
axis cover the whole plot, so that every new point repainted the axes' text as well (about
six times the cost of a redraw; ``benchmarks/ui_latency.py`` measures the stalls).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from guibuilder.ui import theme

#: Colours of the live run's training and validation series.
TRAIN_COLOR = "#2563eb"
VAL_COLOR = "#ea580c"
#: Colours that overlaid runs take in turn.
OVERLAY_COLORS = ("#7c3aed", "#0d9488", "#db2777", "#ca8a04", "#64748b", "#16a34a")
#: Keys of a history that are not metrics.
NOT_METRICS = frozenset({"epoch", "loss", "lr"})


def metric_names(keys: Sequence[str]) -> list[str]:
    """The training metrics among a history's columns (``accuracy``, not ``val_accuracy``)."""
    return [k for k in keys if k not in NOT_METRICS and not k.startswith("val_")]


def _live_color(color: str) -> str:
    """The accent of the theme in use stands in for the light theme's blue."""
    return theme.current().accent if color == TRAIN_COLOR else color


class TickGrid(pg.UIGraphicsItem):
    """Faint lines across a plot at its axes' tick positions (major ticks stronger)."""

    def __init__(self, plot: pg.PlotItem) -> None:
        super().__init__()
        self._plot = plot
        self._pens: tuple[QPen, ...] = ()
        self.setZValue(-100)
        self.set_color(QColor("#888888"))

    def set_color(self, color: QColor) -> None:
        """Draw the major lines in ``color`` at low opacity, the minor ones fainter."""
        pens = []
        for alpha in (60, 25):
            faint = QColor(color)
            faint.setAlpha(alpha)
            pen = QPen(faint, 1)
            pen.setCosmetic(True)
            pens.append(pen)
        self._pens = tuple(pens)
        self.update()

    def paint(self, painter: QPainter, *_args: object) -> None:
        view = self._plot.vb
        rect = view.viewRect()
        for side, vertical in (("bottom", True), ("left", False)):
            lo, hi = (rect.left(), rect.right()) if vertical else (rect.top(), rect.bottom())
            pixels = view.width() if vertical else view.height()
            if not (pixels > 0 and math.isfinite(lo) and math.isfinite(hi) and hi > lo):
                continue
            levels = self._plot.getAxis(side).tickValues(lo, hi, pixels)
            for pen, (_, values) in zip(self._pens, levels, strict=False):
                painter.setPen(pen)
                for v in values:
                    if vertical:
                        painter.drawLine(QPointF(v, rect.top()), QPointF(v, rect.bottom()))
                    else:
                        painter.drawLine(QPointF(rect.left(), v), QPointF(rect.right(), v))


class CurvePlot(pg.PlotWidget):
    """One plot of named series with a hover read-out of their values."""

    def __init__(
        self,
        title: str,
        x_label: str = "epoch",
        parent: QWidget | None = None,
        *,
        whole_epochs: bool = False,
    ) -> None:
        super().__init__(parent)
        self.title = title
        #: Points at whole epochs 1, 2, ...: the x axis runs from half an epoch before the
        #: first to half after the last (at least two), so a lone first point sits left of
        #: the legend, not under it.
        self.whole_epochs = whole_epochs
        self.setMinimumSize(160, 150)
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setLabel("bottom", x_label)
        self.grid = TickGrid(item)
        item.vb.addItem(self.grid, ignoreBounds=True)
        self.legend = item.addLegend(offset=(-6, 6), verSpacing=-8, labelTextSize="8pt")
        self.legend.hide()  # until a series has a name to show
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._labels: dict[str, str] = {}
        self.readout = pg.TextItem(anchor=(0, 0))
        self.readout.setZValue(20)
        self.cursor = pg.InfiniteLine(angle=90, movable=False)
        for extra in (self.readout, self.cursor):
            extra.hide()
            item.addItem(extra, ignoreBounds=True)
        self.scene().sigMouseMoved.connect(self._hover)
        self.restyle()

    # ---------------------------------------------------------------- series
    def series(
        self,
        key: str,
        label: str,
        color: str,
        *,
        dashed: bool = False,
        width: float = 2.0,
        alpha: int = 255,
        legend: bool = True,
    ) -> pg.PlotDataItem:
        """The curve ``key``, made on first use (later calls return the same curve)."""
        curve = self._curves.get(key)
        if curve is None:
            curve = pg.PlotDataItem(name=label if legend else None)
            curve.setClipToView(True)
            curve.setDownsampling(auto=True, method="peak")
            self.getPlotItem().addItem(curve)
            self._curves[key] = curve
            self._labels[key] = label
            self.legend.setVisible(bool(self.legend.items))
        qcolor = QColor(_live_color(color))
        qcolor.setAlpha(alpha)
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        curve.setPen(pg.mkPen(qcolor, width=width, style=style))
        return curve

    def set_series(self, key: str, x: Sequence[float], y: Sequence[float]) -> None:
        """Give the curve ``key`` (made with :meth:`series`) its points."""
        xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        self._data[key] = (xs, ys)
        curve = self._curves[key]
        # A line through one point draws nothing: a lone value (a run of one epoch) is a dot.
        if np.count_nonzero(np.isfinite(ys)) == 1:
            color = curve.opts["pen"].color()
            curve.setSymbol("o")
            curve.setSymbolSize(7)
            curve.setSymbolPen(pg.mkPen(color))
            curve.setSymbolBrush(pg.mkBrush(color))
        elif curve.opts["symbol"] is not None:
            curve.setSymbol(None)
        curve.setData(xs, ys, connect="finite")
        if self.whole_epochs:
            last = max((float(x.max()) for x, _ in self._data.values() if len(x)), default=1.0)
            self.getPlotItem().vb.setXRange(0.5, max(last, 2.0) + 0.5, padding=0)
        self._place_legend()

    def _place_legend(self) -> None:
        """Put the legend in the right-hand corner the curves' ends are away from.

        A rising curve (accuracy) ends at the top right, a falling one (loss) at the bottom
        right: the legend goes to the other corner, so it does not hide the newest points.
        """
        ends, values = [], []
        for _, ys in self._data.values():
            finite = ys[np.isfinite(ys)]
            if len(finite):
                ends.append(finite[-1])
                values.append(finite)
        if not values:
            return
        every = np.concatenate(values)
        low, high = float(every.min()), float(every.max())
        high_end = high > low and (float(np.mean(ends)) - low) / (high - low) > 0.5
        offset = (-6, -6) if high_end else (-6, 6)
        if self.legend.opts["offset"] != offset:
            self.legend.setOffset(offset)

    def series_keys(self) -> list[str]:
        return list(self._curves)

    def data(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """The points of ``key`` as given (not log-transformed)."""
        return self._data.get(key, (np.empty(0), np.empty(0)))

    def drop(self, keys: Sequence[str]) -> None:
        """Remove the curves ``keys`` and their legend entries."""
        item = self.getPlotItem()
        for key in keys:
            curve = self._curves.pop(key, None)
            if curve is None:
                continue
            self.legend.removeItem(curve)
            item.removeItem(curve)
            self._data.pop(key, None)
            self._labels.pop(key, None)
        self.legend.setVisible(bool(self.legend.items))

    def values_at(self, x: float) -> list[str]:
        """``label: value`` of every series at its point nearest to ``x``."""
        lines = []
        for key, (xs, ys) in self._data.items():
            if not len(xs) or not self._curves[key].isVisible():
                continue
            i = int(np.argmin(np.abs(xs - x)))
            if math.isfinite(ys[i]):
                lines.append(f"{self._labels[key]}: {ys[i]:.4g}")
        return lines

    # ----------------------------------------------------------------- hover
    def _hover(self, pos: QPointF) -> None:
        box = self.getPlotItem().vb
        if not box.sceneBoundingRect().contains(pos) or not self._data:
            self.readout.hide()
            self.cursor.hide()
            return
        point = box.mapSceneToView(pos)
        nearest = self._nearest_x(point.x())
        lines = self.values_at(nearest)
        if not lines:
            self.readout.hide()
            self.cursor.hide()
            return
        (x0, x1), (_, y1) = box.viewRange()
        self.readout.setText(f"{self._x_text(nearest)}\n" + "\n".join(lines))
        right_half = nearest > (x0 + x1) / 2
        self.readout.setAnchor((1, 0) if right_half else (0, 0))
        self.readout.setPos(nearest, y1)
        self.cursor.setPos(nearest)
        self.readout.show()
        self.cursor.show()

    def _nearest_x(self, x: float) -> float:
        best, distance = x, math.inf
        for xs, _ in self._data.values():
            if len(xs):
                i = int(np.argmin(np.abs(xs - x)))
                if abs(xs[i] - x) < distance:
                    best, distance = float(xs[i]), abs(xs[i] - x)
        return best

    def _x_text(self, x: float) -> str:
        label = self.getPlotItem().getAxis("bottom").labelText or "x"
        return f"{label} {x:.0f}" if float(x).is_integer() else f"{label} {x:.2f}"

    # ----------------------------------------------------------------- theme
    def restyle(self) -> None:
        """Follow the theme in use."""
        t = theme.current()
        self.setBackground(t.base)
        item = self.getPlotItem()
        item.setTitle(self.title, color=t.text, size=f"{9 * t.font_scale:g}pt")
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(t.border))
            axis.setTextPen(pg.mkPen(t.muted))
            axis.setLabel(axis.labelText, color=t.muted)
        self.legend.setBrush(pg.mkBrush(QColor(t.panel)))
        self.legend.setPen(pg.mkPen(t.border))
        self.legend.setLabelTextColor(t.text)
        for _, label in self.legend.items:  # the colour applies when a label's text is set
            label.setText(label.text)
        self.readout.setColor(QColor(t.text))
        self.readout.fill = pg.mkBrush(QColor(t.panel))
        self.readout.border = pg.mkPen(t.border)
        self.cursor.setPen(pg.mkPen(t.muted, style=Qt.PenStyle.DotLine))
        self.grid.set_color(QColor(t.muted))
        for key, curve in self._curves.items():
            pen = curve.opts["pen"]
            if key.endswith("train") or key.startswith("batch"):
                color = QColor(t.accent)
                color.setAlpha(pen.color().alpha())
                pen.setColor(color)
                curve.setPen(pen)


class TrainingPlots(QWidget):
    """The three plots of the training panel, with a metric chooser and a log-scale box."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.batch_plot = CurvePlot("Loss per batch", "epoch")
        self.loss_plot = CurvePlot("Loss per epoch", "epoch", whole_epochs=True)
        self.metric_plot = CurvePlot("Metric per epoch", "epoch", whole_epochs=True)
        self.metric_box = QComboBox()
        self.metric_box.setToolTip("The metric the right-hand plot shows")
        self.metric_box.setMinimumContentsLength(10)
        self.metric_box.currentTextChanged.connect(self._metric_changed)
        self.log_box = QCheckBox("Log scale")
        self.log_box.setToolTip("Show the losses on a logarithmic scale")
        self.log_box.toggled.connect(self.set_log)
        self._history: dict[str, list[float]] = {}
        self._batches: tuple[Sequence[float], Sequence[float], Sequence[float]] = ([], [], [])
        #: Plots whose live data changed since they were last drawn, oldest change first.
        self._stale: list[CurvePlot] = []
        self._overlays: list[tuple[str, Mapping[str, Sequence[float]]]] = []

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        metric_label = QLabel("Metric")
        metric_label.setProperty("role", "muted")
        bar.addStretch(1)
        bar.addWidget(self.log_box)
        bar.addSpacing(12)
        bar.addWidget(metric_label)
        bar.addWidget(self.metric_box)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        for plot in self.plots:
            row.addWidget(plot, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(bar)
        layout.addLayout(row, 1)

    @property
    def plots(self) -> tuple[CurvePlot, CurvePlot, CurvePlot]:
        return (self.batch_plot, self.loss_plot, self.metric_plot)

    @property
    def metric(self) -> str:
        return self.metric_box.currentText()

    # ------------------------------------------------------------ live run
    def start_live(self, metrics: Sequence[str] = ()) -> None:
        """Empty the live curves for a new run reporting ``metrics``."""
        self._history = {}
        self._batches = ([], [], [])
        self._stale = []
        self.batch_plot.series("batch", "batch loss", TRAIN_COLOR, width=1.0, alpha=70)
        self.batch_plot.series("batch_smooth", "smoothed", TRAIN_COLOR, width=2.0)
        self.batch_plot.set_series("batch", [], [])
        self.batch_plot.set_series("batch_smooth", [], [])
        self.loss_plot.drop([k for k in self.loss_plot.series_keys() if k.startswith("live")])
        self.metric_plot.drop([k for k in self.metric_plot.series_keys() if k.startswith("live")])
        self._fill_metrics(list(metrics))

    def set_batches(
        self, x: Sequence[float], raw: Sequence[float], smooth: Sequence[float]
    ) -> None:
        """The live run's per-batch loss and its smoothed line (drawn by :meth:`redraw`)."""
        self._batches = (x, raw, smooth)
        self._mark(self.batch_plot)

    def set_history(self, history: Mapping[str, Sequence[float]]) -> None:
        """The live run's per-epoch values (``epoch``, ``loss``, ``val_loss``, metrics), drawn
        by :meth:`redraw`."""
        self._history = {k: list(v) for k, v in history.items()}
        self._fill_metrics(metric_names(list(history)))
        self._mark(self.loss_plot)
        self._mark(self.metric_plot)

    def _mark(self, plot: CurvePlot) -> None:
        if plot not in self._stale:
            self._stale.append(plot)

    def redraw(self, limit: int | None = None) -> None:
        """Draw the live data given since the last redraw: at most ``limit`` plots, those
        waiting longest first (every stale plot without a limit).

        While a model trains the panel redraws one plot per tick of its timer, so the window
        paints one plot at a time between its other events, not three at once.
        """
        count = len(self._stale) if limit is None else min(limit, len(self._stale))
        for plot in self._stale[:count]:
            if plot is self.batch_plot:
                x, raw, smooth = self._batches
                plot.set_series("batch", x, raw)
                plot.set_series("batch_smooth", x, smooth)
            else:
                self._draw_run("live", "", self._history, TRAIN_COLOR, VAL_COLOR, only=plot)
            # The range follows the new points now, not while the plot paints: a range set
            # in the paint makes the axes paint a second time.
            plot.getPlotItem().vb.updateAutoRange()
        del self._stale[:count]

    # ------------------------------------------------------------- overlays
    def set_overlays(self, runs: Sequence[tuple[str, Mapping[str, Sequence[float]]]]) -> None:
        """Show these finished runs (label, history) beside the live one."""
        for plot in (self.loss_plot, self.metric_plot):
            plot.drop([k for k in plot.series_keys() if k.startswith("run")])
        self._overlays = list(runs)
        names = metric_names(list(self._history))
        for _, history in self._overlays:
            names += [m for m in metric_names(list(history)) if m not in names]
        self._fill_metrics(names)
        self._draw_overlays()

    def _draw_overlays(self) -> None:
        for n, (label, history) in enumerate(self._overlays):
            color = OVERLAY_COLORS[n % len(OVERLAY_COLORS)]
            self._draw_run(f"run{n}", label, history, color, color, width=1.5, legend=False)

    def _draw_run(
        self,
        prefix: str,
        label: str,
        history: Mapping[str, Sequence[float]],
        train_color: str,
        val_color: str,
        width: float = 2.0,
        legend: bool = True,
        only: CurvePlot | None = None,
    ) -> None:
        epochs = list(history.get("epoch", []))
        metric = self.metric
        parts = [(self.loss_plot, "loss")]
        if metric:
            parts.append((self.metric_plot, metric))
        for plot, name in parts:
            if only is not None and plot is not only:
                continue
            for key, color, dashed in (
                (name, train_color, False),
                (f"val_{name}", val_color, True),
            ):
                values = history.get(key)
                if not values or len(values) != len(epochs):
                    continue
                text = f"{label} {key}".strip() if label else key
                curve_key = f"{prefix}:{'val' if dashed else 'train'}"
                plot.series(curve_key, text, color, dashed=dashed, width=width, legend=legend)
                plot.set_series(curve_key, epochs, values)

    def _fill_metrics(self, names: list[str]) -> None:
        current = [self.metric_box.itemText(i) for i in range(self.metric_box.count())]
        wanted = current + [n for n in names if n not in current]
        if wanted == current:
            return
        self.metric_box.blockSignals(True)
        chosen = self.metric_box.currentText()
        self.metric_box.clear()
        self.metric_box.addItems(wanted)
        self.metric_box.setCurrentText(chosen or wanted[0])
        self.metric_box.blockSignals(False)
        self._metric_changed(self.metric_box.currentText())

    def _metric_changed(self, name: str) -> None:
        self.metric_plot.title = (
            f"{name[:1].upper()}{name[1:]} per epoch" if name else "Metric per epoch"
        )
        self.metric_plot.drop(self.metric_plot.series_keys())
        self.metric_plot.restyle()
        if self._history:
            self._draw_run("live", "", self._history, TRAIN_COLOR, VAL_COLOR)
        self._draw_overlays()

    # ------------------------------------------------------------- display
    def set_log(self, on: bool) -> None:
        """Put the loss plots on a logarithmic scale (or back)."""
        for plot in (self.batch_plot, self.loss_plot):
            plot.getPlotItem().setLogMode(x=False, y=on)
        if self.log_box.isChecked() != on:
            self.log_box.setChecked(on)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            for plot in self.plots:
                plot.restyle()
        super().changeEvent(event)
