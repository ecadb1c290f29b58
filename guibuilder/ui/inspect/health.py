"""The Health tab of the Inspect panel: is the signal flowing forward and back?

On a batch of validation samples, each layer's activation mean and spread against depth,
and the norm of the loss gradient with respect to its weights (log scale), after the usual
checklist for training deep nets. Problems (vanishing or exploding gradients, dead ReLUs)
are listed in plain words naming the nodes; clicking one, or a point of a plot, selects
the node on the canvas. A check box colours the canvas nodes by gradient norm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from guibuilder.inspect.health import EXPLODING, LayerHealth, signal_health
from guibuilder.inspect.subject import validation_split
from guibuilder.ui import theme
from guibuilder.ui.canvas.overlay import CanvasOverlay, log_overlay
from guibuilder.ui.inspect.tab_base import WorkerTab, thinned_ticks
from guibuilder.ui.inspect.views import _Plot, _style, _ticks

if TYPE_CHECKING:
    from collections.abc import Sequence

    from guibuilder.inspect.snapshots import Snapshot
    from guibuilder.inspect.subject import Context
    from guibuilder.ui.inspect.panel import InspectPanel

#: Validation samples the health is measured on (the first ones).
BATCH = 256
#: Colour of the activation spread curve (the mean takes the theme's accent).
SPREAD_COLOR = "#ea580c"
#: Most epochs of a training run drawn as faint spread curves.
MAX_EPOCH_CURVES = 12


@dataclass(frozen=True)
class HealthResult:
    """The health of every layer on the first ``samples`` validation samples."""

    layers: tuple[LayerHealth, ...]
    samples: int

    def norms(self) -> dict[str, float]:
        """Gradient norm per node, for the layers that have trainable weights."""
        return {h.node_id: h.grad_norm for h in self.layers if h.grad_norm is not None}


def health_job(context: Context) -> HealthResult:
    """Measure the signal health of the model (in the worker thread)."""
    x, y = validation_split(context.data)
    several = isinstance(x, list | tuple)
    count = min(BATCH, len(x[0]) if several else len(x))
    batch = [v[:count] for v in x] if several else x[:count]
    report = signal_health(context.model, batch, y[:count], probe=context.probe)
    return HealthResult(tuple(report), count)


def problems(result: HealthResult) -> list[tuple[str, str]]:
    """The flags of ``result`` as ``(node id, one plain sentence)``, worst first."""
    largest = max((v for v in result.norms().values() if math.isfinite(v)), default=0.0)
    found = []
    for h in result.layers:
        name = f"{h.node_id} ({h.layer_type})"
        if "exploding" in h.flags:
            found.append(
                (
                    h.node_id,
                    f"{name}: the gradient explodes (norm {h.grad_norm:.3g}, over {EXPLODING:g}); "
                    "lower the learning rate or add normalisation.",
                )
            )
        if "vanishing" in h.flags:
            times = largest / h.grad_norm if h.grad_norm else math.inf
            found.append(
                (
                    h.node_id,
                    f"{name}: the gradient vanishes (norm {h.grad_norm:.2g}, {times:.2g} times "
                    "below the largest), so its weights barely learn.",
                )
            )
        if "dead_relu" in h.flags:
            found.append(
                (
                    h.node_id,
                    f"{name}: {h.dead_fraction:.0%} of its ReLU units never fire on "
                    f"{result.samples} samples (dead ReLUs).",
                )
            )
    return found


def log_ticks(low: float, high: float) -> list[list[tuple[float, str]]]:
    """Ticks at 1, 2 and 5 times the powers of ten between ``10**low`` and ``10**high``.

    Positions are logarithms (the plot draws ``log10`` of the values); labels are values.
    When the range spans many decades only the powers of ten are labelled.
    """
    steps = (1,) if high - low > 3 else (1, 2, 5)
    ticks = []
    for power in range(math.floor(low), math.ceil(high) + 1):
        for step in steps:
            value = step * 10.0**power
            if low <= math.log10(value) <= high:
                ticks.append((math.log10(value), f"{value:g}"))
    return [ticks, []]


def snapshots_caption(snapshots: Sequence[Snapshot]) -> str:
    """When ``snapshots`` were taken, in words: ``epochs 0 to 2, and epoch 3 step 4``.

    Epoch-end snapshots are named by their epochs; a step snapshot (step mode, the newest
    one) by its epoch and step, as that epoch is not over yet.
    """
    epochs = [s.epoch for s in snapshots if not s.step]
    steps = [f"epoch {s.epoch} step {s.step}" for s in snapshots if s.step]
    if len(epochs) > 1:
        words = [f"epochs {epochs[0]} to {epochs[-1]}"]
    else:
        words = [f"epoch {e}" for e in epochs]
    if words and steps:
        return f"{words[0]}, and {', '.join(steps)}"
    return ", ".join(words + steps)


def gradient_overlay(result: HealthResult) -> CanvasOverlay:
    """The canvas colouring by gradient norm of ``result``."""
    notes = {k: f"Gradient norm {v:.3g}" for k, v in result.norms().items()}
    return log_overlay(result.norms(), "Gradient norm of the weights", notes)


class _DepthPlot(_Plot):
    """A plot against layer depth whose points name their node when hovered or clicked."""

    def __init__(self, tab: HealthTab) -> None:
        super().__init__()
        self.tab = tab
        self.plot.setLabel("bottom", "layer depth")
        self.plot.setMouseEnabled(False, False)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        _ticks(self.plot, True)

    def points(self, color: str, symbol: str = "o") -> pg.ScatterPlotItem:
        item = pg.ScatterPlotItem(
            size=9,
            pen=pg.mkPen(theme.current().base),
            brush=pg.mkBrush(color),
            symbol=symbol,
            hoverable=True,
            tip=self.tab.point_tip,
        )
        item.sigClicked.connect(self.tab.point_clicked)
        self.plot.addItem(item)
        return item

    def point_center(self, x: float, y: float) -> QPointF:
        """Where the data point ``(x, y)`` is, in this widget's viewport coordinates.

        On a log axis, ``y`` is the value's logarithm.
        """
        scene = self.plot.vb.mapViewToScene(QPointF(x, y))
        return self.mapFromScene(scene).toPointF()


class HealthTab(WorkerTab):
    """Activation statistics and gradient norms against depth, with the problems found."""

    kinds = ("health",)

    def __init__(self, panel: InspectPanel) -> None:
        super().__init__(panel)
        self.result: HealthResult | None = None
        self.activation_plot: _DepthPlot | None = None
        self.gradient_plot: _DepthPlot | None = None
        self.overlay_box = QCheckBox("Colour the canvas by gradient norm")
        self.overlay_box.setObjectName("HealthOverlay")
        self.overlay_box.setToolTip(
            "Tint each layer on the canvas by the norm of its weights' gradient (log scale)"
        )
        self.overlay_box.toggled.connect(self._overlay_toggled)
        self.epoch_curves: list[pg.PlotDataItem] = []
        self.problem_list = QListWidget()
        self.problem_list.setObjectName("HealthProblems")
        self.problem_list.setWordWrap(True)
        self.problem_list.itemClicked.connect(self._problem_clicked)
        self.add_controls(self.status, self.overlay_box)
        self._overlay_stale = False

    def build(self) -> None:
        t = theme.current()
        self.activation_plot = _DepthPlot(self)
        self.activation_plot.plot.setLabel("left", "activation")
        self.mean_curve = self.activation_plot.plot.plot(pen=pg.mkPen(t.accent, width=2))
        self.std_curve = self.activation_plot.plot.plot(
            pen=pg.mkPen(SPREAD_COLOR, width=2, style=Qt.PenStyle.DashLine)
        )
        self.mean_points = self.activation_plot.points(t.accent)
        self.std_points = self.activation_plot.points(SPREAD_COLOR, "s")
        _style(
            self.activation_plot.plot,
            f"Activation <span style='color:{t.accent}'>● mean</span>, "
            f"<span style='color:{SPREAD_COLOR}'>■ std</span>",
        )

        self.gradient_plot = _DepthPlot(self)
        self.gradient_plot.plot.setLabel("left", "gradient norm (log scale)")
        self.gradient_curve = self.gradient_plot.plot.plot(pen=pg.mkPen(t.muted, width=1.5))
        self.gradient_points = self.gradient_plot.points(t.accent)
        _style(self.gradient_plot.plot, "Weights' gradient norm")

        for plot in (self.activation_plot, self.gradient_plot):
            plot.plot.vb.sigResized.connect(lambda _vb: self.label_depths())
        # Which epochs the faint curves are: a small line under the plot that wraps, so a
        # long list of epochs never makes the plot wider than its column.
        self.epochs_note = QLabel()
        self.epochs_note.setObjectName("HealthEpochs")
        self.epochs_note.setWordWrap(True)
        self.epochs_note.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.epochs_note.setStyleSheet(
            f"color: {t.muted}; background: {t.base}; font-size: 8pt; padding-bottom: 2px;"
        )
        self.epochs_note.hide()
        column = QWidget()
        stack = QVBoxLayout(column)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.setSpacing(0)
        stack.addWidget(self.activation_plot, 1)
        stack.addWidget(self.epochs_note)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(column)
        splitter.addWidget(self.gradient_plot)
        splitter.addWidget(self.problem_list)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        self.problem_list.setMinimumWidth(220)
        self.layout().addWidget(splitter, 1)

    def update_jobs(self) -> None:
        if self.ask("health", health_job):
            self.status.setText(f"Measuring the signal on {BATCH} validation samples…")
        elif self._overlay_stale and self.result is not None:
            self._send_overlay()
        self.draw_epochs()

    def draw_epochs(self) -> None:
        """Faint spread curves of the panel's sample after each epoch of the last run.

        The training panel records the sample's activations in every layer before training
        and after each epoch; the latest epochs are drawn, older ones fainter.
        """
        snapshots = self.panel.live.snapshots[-MAX_EPOCH_CURVES:] if self.result else []
        plot = self.activation_plot.plot
        while len(self.epoch_curves) < len(snapshots):
            curve = pg.PlotDataItem(connect="finite")
            curve.setZValue(-1)
            plot.addItem(curve)
            self.epoch_curves.append(curve)
        for i, curve in enumerate(self.epoch_curves):
            curve.setVisible(i < len(snapshots))
        if not snapshots:
            plot.setToolTip("")
            self.epochs_note.hide()
            return
        layers = self.result.layers
        depth = np.array([h.depth for h in layers], dtype="float64")
        for i, snapshot in enumerate(snapshots):
            color = QColor(SPREAD_COLOR)
            color.setAlpha(int(40 + 150 * (i + 1) / len(snapshots)))
            std = [snapshot.std.get(h.node_id, np.nan) for h in layers]
            self.epoch_curves[i].setPen(pg.mkPen(color, width=1))
            self.epoch_curves[i].setData(depth, np.array(std, dtype="float64"))
        when = snapshots_caption(snapshots)
        tip = (
            f"Faint lines: the std of sample {self.panel.live_sample}'s activations in each "
            f"layer, recorded during the last run at {when}"
        )
        plot.setToolTip(tip)
        self.epochs_note.setText(f"Faint: {when}")
        self.epochs_note.setToolTip(tip)
        self.epochs_note.show()

    # ----------------------------------------------------------------- results
    def show_result(self, kind: str, value: Any) -> None:
        result: HealthResult = value
        self.result = result
        t = theme.current()
        depth = np.array([h.depth for h in result.layers], dtype="float64")
        mean = np.array([h.mean for h in result.layers])
        std = np.array([h.std for h in result.layers])
        self.mean_curve.setData(depth, mean)
        self.std_curve.setData(depth, std)
        self.mean_points.setData(depth, mean, data=[(h.node_id, h.mean) for h in result.layers])
        self.std_points.setData(depth, std, data=[(h.node_id, h.std) for h in result.layers])

        graded = [h for h in result.layers if h.grad_norm is not None and h.grad_norm > 0]
        x = np.array([h.depth for h in graded], dtype="float64")
        y = np.array([h.grad_norm for h in graded], dtype="float64")
        self.gradient_curve.setData(x, np.log10(y))
        brushes = [
            pg.mkBrush(t.error if {"vanishing", "exploding"} & set(h.flags) else t.accent)
            for h in graded
        ]
        self.gradient_points.setData(
            x, np.log10(y), brush=brushes, data=[(h.node_id, h.grad_norm) for h in graded]
        )
        self.label_depths()
        self.draw_epochs()
        for plot in (self.activation_plot, self.gradient_plot):
            plot.plot.enableAutoRange()
        if y.size:
            low, high = float(np.log10(y.min())), float(np.log10(y.max()))
            middle, half = (low + high) / 2, max(0.5, (high - low) / 2)
            low, high = middle - half, middle + half
            self.gradient_plot.plot.setYRange(low, high, padding=0.08)
            self.gradient_plot.plot.getAxis("left").setTicks(log_ticks(low, high))

        self.problem_list.clear()
        found = problems(result)
        for node_id, text in found:
            item = QListWidgetItem(f"⚠ {text}")
            item.setData(Qt.ItemDataRole.UserRole, node_id)
            item.setForeground(QBrush(QColor(t.error)))
            item.setToolTip("Click to select this layer on the canvas")
            self.problem_list.addItem(item)
        if not found:
            norms = list(result.norms().values())
            span = f" (norms {min(norms):.2g} to {max(norms):.2g})" if norms else ""
            item = QListWidgetItem(
                f"✓ No vanishing or exploding gradients{span} and no dead ReLUs on "
                f"{result.samples} validation samples."
            )
            item.setForeground(QBrush(QColor(t.ok)))
            self.problem_list.addItem(item)
        flagged = len({node for node, _ in found})
        self.status.setText(
            f"{len(result.layers)} layers measured on {result.samples} validation samples"
            + (f"; {flagged} need attention." if flagged else ".")
        )
        if self.overlay_box.isChecked():
            self._send_overlay()

    def label_depths(self) -> None:
        """Number as many depths as there is room for on each plot."""
        if self.result is None:
            return
        depths = [str(h.depth) for h in self.result.layers]
        for plot in (self.activation_plot, self.gradient_plot):
            width = plot.plot.vb.boundingRect().width()
            ticks = thinned_ticks(depths, width, 2.2 * plot.fontMetrics().height(), first=1.0)
            plot.plot.getAxis("bottom").setTicks([ticks])

    def show_failure(self, kind: str, text: str) -> None:
        super().show_failure(kind, text)
        if self.overlay_box.isChecked():
            self.panel.canvas_overlay.emit(None)

    # ------------------------------------------------------------------ canvas
    def point_tip(self, x: float, y: float, data: Any) -> str:
        """The hover text of a plot point: its node, depth and value."""
        node_id, value = data
        return f"{node_id} (depth {round(x)}): {value:.3g}"

    def point_clicked(self, _item: Any, points: Any, _event: Any = None) -> None:
        """Select the node of the first clicked point on the canvas."""
        if len(points):
            self.panel.node_chosen.emit(str(points[0].data()[0]))

    def _problem_clicked(self, item: QListWidgetItem) -> None:
        node_id = item.data(Qt.ItemDataRole.UserRole)
        if node_id:
            self.panel.node_chosen.emit(node_id)

    def follow_node(self, node_id: str, current: bool) -> bool:
        if current:
            for row in range(self.problem_list.count()):
                item = self.problem_list.item(row)
                if item.data(Qt.ItemDataRole.UserRole) == node_id:
                    self.problem_list.setCurrentItem(item)
                    break
            else:
                self.problem_list.clearSelection()
        return current

    def _overlay_toggled(self, on: bool) -> None:
        if not on:
            self.panel.canvas_overlay.emit(None)
        elif self.result is not None and not self._overlay_stale:
            self._send_overlay()
        else:
            self.panel.refresh()

    def _send_overlay(self) -> None:
        self._overlay_stale = False
        self.panel.canvas_overlay.emit(gradient_overlay(self.result))

    def project_changed(self) -> None:
        """The gradients are out of date: measure again while the overlay shows them."""
        if not self.overlay_box.isChecked():
            return
        self._overlay_stale = True
        QTimer.singleShot(0, self, self._remeasure)

    def _remeasure(self) -> None:
        if self.panel.dataset is not None and self.panel.is_shown():
            self.refresh()
        else:
            self.panel.canvas_overlay.emit(None)
