"""The Evaluation tab of the Inspect panel: how well the model does on the validation set.

For a classifier: a table of each class's precision, recall and support, the accuracy, and
a strip of the samples the model got wrong with the highest confidence (a thumbnail for
image inputs, the values otherwise); clicking one makes it the panel's sample. For a
regression: predicted against true values, with the line y = x, R², MSE and MAE. The
predictions are the worker's, shared with the confusion matrix: one pass per version; the
scores are worked out by :func:`guibuilder.inspect.evaluation.evaluation_job`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from guibuilder.inspect.evaluation import (
    ClassifierReport,
    RegressionReport,
    compact_values,
    evaluation_job,
)
from guibuilder.ui import theme
from guibuilder.ui.inspect.tab_base import WorkerTab
from guibuilder.ui.inspect.views import _Plot, _style, _ticks

if TYPE_CHECKING:
    from guibuilder.ui.inspect.panel import InspectPanel

#: Most points of the predicted-against-true scatter (evenly thinned beyond).
MAX_POINTS = 5000
#: Side of a wrong sample's thumbnail, in pixels.
THUMB = 56
#: Widest caption of a wrong sample, in thumbnail widths, before it is elided.
MAX_CAPTION = 3
COLUMNS = ("Class", "Precision", "Recall", "Support")
SAMPLE_ROLE = Qt.ItemDataRole.UserRole


def _percent(value: float) -> str:
    return "—" if not np.isfinite(value) else f"{value:.1%}"


class _NumberItem(QTableWidgetItem):
    """A table cell shown as text and sorted by its number (undefined values first)."""

    def __init__(self, text: str, value: float) -> None:
        super().__init__(text)
        self.value = value if np.isfinite(value) else -1.0
        self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        if isinstance(other, _NumberItem):
            return self.value < other.value
        return super().__lt__(other)


class ClassTable(QTableWidget):
    """One row per class: precision, recall and support; a click on a header sorts."""

    def __init__(self) -> None:
        super().__init__(0, len(COLUMNS))
        self.setObjectName("EvaluationClasses")
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setMinimumWidth(380)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
            self.horizontalHeaderItem(column).setTextAlignment(
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

    def show_report(self, report: ClassifierReport) -> None:
        """Fill the table from ``report``, in class order."""
        self.setSortingEnabled(False)
        self.setRowCount(len(report.class_names))
        weak = theme.current().error
        for row, name in enumerate(report.class_names):
            self.setItem(row, 0, QTableWidgetItem(name))
            for column, value in ((1, report.precision[row]), (2, report.recall[row])):
                item = _NumberItem(_percent(value), float(value))
                if np.isfinite(value) and value < 0.5:
                    item.setForeground(pg.mkColor(weak))
                self.setItem(row, column, item)
            support = int(report.support[row])
            self.setItem(row, 3, _NumberItem(str(support), float(support)))
        self.setSortingEnabled(True)

    def row_values(self) -> dict[str, tuple[str, str, str]]:
        """What each class's row shows: precision, recall and support, by class name."""
        return {
            self.item(r, 0).text(): tuple(self.item(r, c).text() for c in range(1, 4))
            for r in range(self.rowCount())
        }


class WrongStrip(QListWidget):
    """The most confidently wrong samples, as thumbnails or as lines of values."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("EvaluationWrong")
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        self.setMinimumWidth(260)

    def show_report(self, report: ClassifierReport, vocabulary: Sequence[str] = ()) -> None:
        """List ``report``'s wrong samples, most confident first (token ids as the words of
        ``vocabulary``)."""
        from guibuilder.ui.inspect.panel import preview_image

        self.clear()
        names = report.class_names
        images = [preview_image(s, THUMB) for s in report.wrong_samples]
        pictures = bool(images) and all(image is not None for image in images)
        self.setViewMode(QListView.ViewMode.IconMode if pictures else QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight if pictures else QListView.Flow.TopToBottom)
        self.setWrapping(pictures)
        icon = QSize(
            max((image.width() for image in images), default=THUMB) if pictures else THUMB, THUMB
        )
        self.setIconSize(icon)
        self.setSpacing(4 if pictures else 0)
        metrics = self.fontMetrics()
        captions = [
            f"{names[report.wrong_true[k]]} → {names[report.wrong_pred[k]]}"
            for k in range(len(report.wrong))
        ]
        # Each cell is as wide as its longest caption needs, up to MAX_CAPTION thumbnails'
        # width; only a caption longer than that is elided (the tooltip says it whole).
        room = max(icon.width(), MAX_CAPTION * THUMB)
        text_width = max((metrics.horizontalAdvance(c) for c in captions), default=0)
        cell = min(room, max(icon.width(), text_width + 2))
        if pictures:
            self.setGridSize(QSize(cell + 16, icon.height() + 2 * metrics.height() + 14))
        else:
            self.setGridSize(QSize())
        for k, index in enumerate(report.wrong):
            true, pred = names[report.wrong_true[k]], names[report.wrong_pred[k]]
            confidence = f"{report.confidence[k]:.0%}"
            if pictures:
                caption = metrics.elidedText(captions[k], Qt.TextElideMode.ElideMiddle, cell)
                item = QListWidgetItem(f"{caption}\n{confidence}")
                item.setIcon(QIcon(QPixmap.fromImage(images[k])))
                item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            else:
                values = compact_values(report.wrong_samples[k], vocabulary=vocabulary)
                item = QListWidgetItem(f"{true} → {pred}  {confidence}  ·  {values}")
            item.setData(SAMPLE_ROLE, int(index))
            item.setToolTip(
                f"Sample {index}: a {true}, predicted {pred} with {confidence} confidence"
            )
            self.addItem(item)

    def samples(self) -> list[int]:
        """The sample index of each entry, in order."""
        return [int(self.item(i).data(SAMPLE_ROLE)) for i in range(self.count())]

    def mark(self, sample: int) -> None:
        """Select the entry of ``sample`` (none when it is not listed); no signal is sent."""
        self.blockSignals(True)
        self.clearSelection()
        for i, index in enumerate(self.samples()):
            if index == sample:
                self.setCurrentRow(i)
        self.blockSignals(False)


class RegressionView(_Plot):
    """Predicted against true values, one point per value, with the line y = x."""

    def __init__(self, tab: EvaluationTab) -> None:
        super().__init__()
        self.tab = tab
        t = theme.current()
        self.identity = self.plot.plot(pen=pg.mkPen(t.muted, width=1.5, style=Qt.PenStyle.DashLine))
        self.points = pg.ScatterPlotItem(
            size=6,
            pen=pg.mkPen(t.base, width=0.5),
            brush=pg.mkBrush(t.accent),
            hoverable=True,
            hoverSize=10,
            tip=tab.point_tip,
        )
        self.points.sigClicked.connect(self._clicked)
        self.plot.addItem(self.points)
        self.marker = pg.ScatterPlotItem(size=15, pen=pg.mkPen(t.text, width=2), brush=None)
        self.marker.setZValue(10)
        self.plot.addItem(self.marker)
        self.plot.setLabel("bottom", "true value")
        self.plot.setLabel("left", "predicted value")
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        _ticks(self.plot, True)
        _style(self.plot, "Predicted against true")
        self.report: RegressionReport | None = None
        self.shown = np.zeros(0, dtype="int64")

    def show_report(self, report: RegressionReport) -> None:
        """Draw ``report``'s points (at most MAX_POINTS of them) and the line y = x."""
        self.report = report
        count = report.true.size
        step = max(1, int(np.ceil(count / MAX_POINTS)))
        self.shown = np.arange(0, count, step)
        self.points.setData(report.true[self.shown], report.predicted[self.shown], data=self.shown)
        values = np.concatenate([report.true, report.predicted])
        finite = values[np.isfinite(values)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if high <= low:
            low, high = low - 0.5, high + 0.5
        pad = 0.04 * (high - low)
        self.identity.setData([low - pad, high + pad], [low - pad, high + pad])
        self.plot.setXRange(low - pad, high + pad, padding=0)
        self.plot.setYRange(low - pad, high + pad, padding=0)
        r2 = "—" if not np.isfinite(report.r2) else f"{report.r2:.3f}"
        thinned = f", every {step}th drawn" if step > 1 else ""
        what = "values" if report.targets > 1 else "samples"
        _style(
            self.plot,
            f"Predicted against true ({count} validation {what}{thinned}): "
            f"R² {r2} · MSE {report.mse:.4g} · MAE {report.mae:.4g}",
        )

    def _clicked(self, _item: Any, points: Any, _event: Any = None) -> None:
        if len(points) and self.report is not None:
            self.tab.pick_sample(int(points[0].data()) // self.report.targets)

    def mark(self, sample: int) -> None:
        """Ring the values of validation sample ``sample``."""
        report = self.report
        if report is None or not 0 <= sample * report.targets < report.true.size:
            self.marker.clear()
            return
        chosen = slice(sample * report.targets, (sample + 1) * report.targets)
        self.marker.setData(report.true[chosen], report.predicted[chosen])

    def point_center(self, value: int) -> QPointF:
        """Where value ``value`` (a flat index) is drawn, in viewport coordinates."""
        x, y = self.report.true[value], self.report.predicted[value]
        scene = self.plot.vb.mapViewToScene(QPointF(float(x), float(y)))
        return self.mapFromScene(scene).toPointF()


class EvaluationTab(WorkerTab):
    """Per-class precision and recall with the worst misses, or predicted against true."""

    kinds = ("evaluation",)

    def __init__(self, panel: InspectPanel) -> None:
        super().__init__(panel)
        self.setObjectName("InspectEvaluation")
        self.result: ClassifierReport | RegressionReport | None = None
        self.table: ClassTable | None = None
        self.strip: WrongStrip | None = None
        self.scatter: RegressionView | None = None
        self.pages: QStackedWidget | None = None
        self.add_controls(self.status)
        panel.sample_box.valueChanged.connect(self._mark)

    def build(self) -> None:
        self.table = ClassTable()
        self.mean_label = QLabel("")
        self.mean_label.setProperty("role", "muted")
        self.mean_label.setWordWrap(True)
        self.strip = WrongStrip()
        self.strip.itemClicked.connect(self._wrong_clicked)
        self.strip.itemActivated.connect(self._wrong_clicked)
        self.wrong_title = QLabel("Most confidently wrong")
        self.wrong_title.setProperty("role", "section")
        classes_title = QLabel("Per class")
        classes_title.setProperty("role", "section")
        left = QVBoxLayout()
        left.setSpacing(2)
        left.addWidget(classes_title)
        left.addWidget(self.table, 1)
        left.addWidget(self.mean_label)
        right = QVBoxLayout()
        right.setSpacing(2)
        right.addWidget(self.wrong_title)
        right.addWidget(self.strip, 1)
        classes = QWidget()
        row = QHBoxLayout(classes)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        row.addLayout(left, 2)
        row.addLayout(right, 3)
        self.scatter = RegressionView(self)
        self.pages = QStackedWidget()
        self.pages.addWidget(classes)
        self.pages.addWidget(self.scatter)
        self.pages.hide()
        self.layout().addWidget(self.pages, 1)

    def update_jobs(self) -> None:
        if self.ask("evaluation", evaluation_job):
            self.status.setText("Predicting the validation set…")
        elif self.result is not None:
            self._mark(self.panel.sample_box.value())

    def project_changed(self) -> None:
        session = self.panel.session
        if session is not None and not session.project.dataset:
            self.result = None
            if self.pages is not None:
                self.pages.hide()
            self.status.setText(
                "Choose a dataset in Training to see how the model does on its validation set."
            )

    # ----------------------------------------------------------------- results
    def show_result(self, kind: str, value: Any) -> None:
        self.result = value
        self.pages.show()
        if isinstance(value, RegressionReport):
            self._show_regression(value)
        else:
            self._show_classifier(value)
        self._mark(self.panel.sample_box.value())

    def _show_classifier(self, report: ClassifierReport) -> None:
        self.pages.setCurrentIndex(0)
        self.table.show_report(report)
        data = self.panel.dataset
        self.strip.show_report(report, tuple(getattr(data, "vocabulary", ()) or ()))
        total = int(report.matrix.sum())
        mean_p, mean_r = (
            float(np.nanmean(v)) if np.isfinite(v).any() else float("nan")
            for v in (report.precision, report.recall)
        )
        self.mean_label.setText(
            f"Mean over classes: precision {_percent(mean_p)}, recall {_percent(mean_r)}."
        )
        wrong = total - int(np.trace(report.matrix))
        if not report.wrong.size:
            self.wrong_title.setText("Most confidently wrong: none, every sample is right")
        else:
            self.wrong_title.setText(
                f"Most confidently wrong ({report.wrong.size} of {wrong}): click one to show it"
            )
        how = " (confidence: softmax of the outputs)" if report.softmax else ""
        self._say(f"Validation set: {total} samples, accuracy {_percent(report.accuracy)}{how}.")

    def _show_regression(self, report: RegressionReport) -> None:
        self.pages.setCurrentIndex(1)
        self.scatter.show_report(report)
        r2 = "—" if not np.isfinite(report.r2) else f"{report.r2:.3f}"
        self._say(
            f"Validation set: R² {r2}, MSE {report.mse:.4g}, MAE {report.mae:.4g}. "
            "Points on the dashed line are exact; click one to show its sample."
        )

    def _say(self, text: str) -> None:
        self.status.setText(" ".join(filter(None, (_untrained_note(self.panel), text))))

    def show_failure(self, kind: str, text: str) -> None:
        self.result = None
        if self.pages is not None:
            self.pages.hide()
        super().show_failure(kind, text)

    # -------------------------------------------------------------- samples
    def pick_sample(self, index: int) -> None:
        """Make validation sample ``index`` the panel's sample, so every tab shows it."""
        self.panel.sample_box.setValue(index)
        self._mark(index)

    def _wrong_clicked(self, item: QListWidgetItem) -> None:
        self.pick_sample(int(item.data(SAMPLE_ROLE)))

    def _mark(self, sample: int) -> None:
        if isinstance(self.result, ClassifierReport) and self.strip is not None:
            self.strip.mark(sample)
        elif isinstance(self.result, RegressionReport) and self.scatter is not None:
            self.scatter.mark(sample)

    def point_tip(self, x: float, y: float, data: Any) -> str:
        """The hover text of a regression point: its sample, true and predicted values."""
        report = self.result
        per = report.targets if isinstance(report, RegressionReport) else 1
        return f"sample {int(data) // per} · true {x:.4g} · predicted {y:.4g}"


def _untrained_note(panel: InspectPanel) -> str:
    """A sentence when the project's model has no trained weights; else nothing."""
    weights = panel.session.project.weights if panel.session is not None else None
    if weights is not None and len(weights):
        return ""
    return "The model has no trained weights yet, so these are the scores of random weights."
