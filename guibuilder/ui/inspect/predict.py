"""The Predict tab of the Inspect panel: draw or drop an image and watch the prediction.

A drawing pad takes mouse strokes (left button draws, right button erases) and image
files dropped on it (PNG, JPEG ... read with Pillow). What is on the pad is resampled to
the model's input the way the dataset's images look: its size and channels, its value
range, its polarity (bright strokes on dark for the digits) and, for grey images, a
drawing cropped, scaled and centred like the data's. The class probabilities update while
drawing, at most a few times a second; the model runs in the Inspect worker thread
(:func:`guibuilder.inspect.drawing.predict_job`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from guibuilder.inspect.drawing import (
    PAD_SIZE,
    ImageFileError,
    Prediction,
    predict_job,
    read_image,
)
from guibuilder.inspect.sample_input import (
    describe_inputs,
    output_names,
)
from guibuilder.ui import theme
from guibuilder.ui.inspect.attribution import ImageTab, saliency_shown

if TYPE_CHECKING:
    from guibuilder.ui.inspect.panel import InspectPanel

#: Least time between two predictions while drawing (milliseconds).
THROTTLE_MS = 80
#: Keys that clear the pad while it has the focus.
CLEAR_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)


# ------------------------------------------------------------------ the pad
class DrawingPad(QWidget):
    """A square canvas to draw on with the mouse, or to drop an image file on."""

    changed = Signal()  # the drawing changed (while a stroke is drawn, too)
    finished = Signal()  # a stroke ended, the pad was cleared, or a file was dropped
    file_dropped = Signal(str)  # the path of a dropped image file

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DrawingPad")
        self.setAcceptDrops(True)
        self.setMinimumSize(140, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(
            "Draw with the left button, erase with the right, Delete clears; "
            "drop an image file here"
        )
        self.canvas = QImage(PAD_SIZE, PAD_SIZE, QImage.Format.Format_RGB32)
        self.canvas.fill(QColor("black"))
        self.pen_width = PAD_SIZE * 0.1
        self.version = 0
        self.empty = True
        self._last: QPointF | None = None
        self._erasing = False

    def clear(self) -> None:
        """Wipe the pad."""
        self.canvas.fill(QColor("black"))
        self.empty = True
        self._touched()
        self.finished.emit()

    def set_pixels(self, pixels: np.ndarray) -> None:
        """Show ``pixels`` (``PAD_SIZE`` square RGB bytes) on the pad, replacing the drawing."""
        array = np.ascontiguousarray(pixels, dtype="uint8")
        h, w = array.shape[:2]
        image = QImage(array.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        self.canvas = image.convertToFormat(QImage.Format.Format_RGB32)
        self.empty = not bool(array.max())
        self._touched()
        self.finished.emit()

    def pixels(self) -> np.ndarray:
        """The pad's pixels as ``(PAD_SIZE, PAD_SIZE, 3)`` RGB bytes."""
        image = self.canvas.convertToFormat(QImage.Format.Format_RGB888)
        stride = image.bytesPerLine()
        raw = np.frombuffer(image.constBits(), dtype="uint8", count=stride * image.height())
        rows = raw.reshape(image.height(), stride)[:, : 3 * image.width()]
        return rows.reshape(image.height(), image.width(), 3).copy()

    def pad_rect(self) -> QRectF:
        """Where the canvas is drawn in the widget: the largest centred square."""
        side = min(self.width(), self.height()) - 2
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def to_canvas(self, point: QPointF) -> QPointF:
        """A widget position in canvas pixels."""
        rect = self.pad_rect()
        scale = PAD_SIZE / rect.width()
        return QPointF((point.x() - rect.x()) * scale, (point.y() - rect.y()) * scale)

    def _touched(self) -> None:
        self.version += 1
        self.update()
        self.changed.emit()

    def _stroke(self, point: QPointF) -> None:
        painter = QPainter(self.canvas)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor("black" if self._erasing else "white")
        width = self.pen_width * (2.0 if self._erasing else 1.0)
        pen = QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        start = self._last if self._last is not None else point
        painter.drawLine(start, point)
        painter.end()
        self._last = point
        if not self._erasing:
            self.empty = False
        self._touched()

    def mousePressEvent(self, event: Any) -> None:
        if event.button() not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return
        self._erasing = event.button() == Qt.MouseButton.RightButton
        self._last = None
        self._stroke(self.to_canvas(event.position()))

    def mouseMoveEvent(self, event: Any) -> None:
        if self._last is not None:
            self._stroke(self.to_canvas(event.position()))

    def mouseReleaseEvent(self, event: Any) -> None:
        if self._last is not None:
            self._stroke(self.to_canvas(event.position()))
            self._last = None
            self.finished.emit()

    def event(self, event: Any) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in CLEAR_KEYS:
            event.accept()  # Delete clears the pad, not the canvas selection
            return True
        return super().event(event)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in CLEAR_KEYS:
            self.clear()
        else:
            super().keyPressEvent(event)

    def dragEnterEvent(self, event: Any) -> None:
        if _image_path(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dragMoveEvent(self, event: Any) -> None:
        if _image_path(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:
        path = _image_path(event.mimeData())
        if path is None:
            return
        event.acceptProposedAction()
        self.file_dropped.emit(path)

    def paintEvent(self, event: Any) -> None:
        t = theme.current()
        painter = QPainter(self)
        rect = self.pad_rect()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(rect, self.canvas)
        painter.setPen(QPen(QColor(t.border), 1))
        painter.drawRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5))
        if self.empty:
            painter.setPen(QColor("#9ca3af"))
            painter.drawText(
                rect,
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                "Draw here\nor drop an image file",
            )
        painter.end()


def _image_path(mime: Any) -> str | None:
    """The first local image file among the dragged URLs, if any."""
    from guibuilder.data.images import IMAGE_SUFFIXES

    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile() and url.toLocalFile().lower().endswith(IMAGE_SUFFIXES):
            return url.toLocalFile()
    return None


# ------------------------------------------------------------------ the tab
class PredictTab(ImageTab):
    """A drawing pad and the model's class probabilities for what is drawn on it."""

    kinds = ("predict",)

    def __init__(self, panel: InspectPanel) -> None:
        super().__init__(panel)
        self.setObjectName("InspectPredict")
        self.pad: DrawingPad | None = None
        self.seen: Any = None
        self._snapshot: tuple[int, np.ndarray] | None = None
        self.throttle = QTimer(self)
        self.throttle.setSingleShot(True)
        self.throttle.setInterval(THROTTLE_MS)
        self.throttle.timeout.connect(self.ask_now)

    def build(self) -> None:
        from guibuilder.ui.inspect.pictures import PictureRow, ValueBars

        self.pad = DrawingPad()
        self.pad.changed.connect(self._pad_changed)
        self.pad.finished.connect(self._pad_finished)
        self.pad.file_dropped.connect(self.load_file)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("PredictClear")
        self.clear_button.clicked.connect(self.pad.clear)
        self.open_button = QPushButton("Open…")
        self.open_button.setObjectName("PredictOpen")
        self.open_button.setToolTip("Put an image file on the pad (or drop one on it)")
        self.open_button.clicked.connect(self.choose_file)
        self.fit_box = QCheckBox("Centre")
        self.fit_box.setObjectName("PredictFit")
        self.fit_box.setChecked(True)
        self.fit_box.setToolTip(
            "Crop the drawing and scale and centre it the way the dataset's images are"
        )
        self.fit_box.toggled.connect(lambda _on: self.ask_now())
        self.why_box = QCheckBox("Why?")
        self.why_box.setObjectName("PredictWhy")
        self.why_box.setChecked(True)
        self.why_box.setToolTip(
            "Colour the model's input by saliency: red pixels raise the predicted class's "
            "score, blue ones lower it"
        )
        self.why_box.toggled.connect(lambda _on: self.ask_now())
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.fit_box)
        buttons.addWidget(self.why_box)
        buttons.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.pad, 1)
        left.addLayout(buttons)
        self.seen = PictureRow(1)
        self.seen.setMinimumSize(180, 150)
        self.seen.setMaximumWidth(230)
        self.bars = ValueBars()
        self.caption.setObjectName("PredictAnswer")
        right = QVBoxLayout()
        right.addWidget(self.caption)
        right.addWidget(self.bars, 1)
        self.row = QWidget()
        row = QHBoxLayout(self.row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addLayout(left, 2)
        row.addWidget(self.seen, 1)
        row.addLayout(right, 4)
        super().build()
        self.layout().addWidget(self.row, 1)

    def update_jobs(self) -> None:
        profile = self.profile()
        data = self.panel.dataset
        classes = data.task == "classification"
        self.row.setVisible(profile is not None and classes)
        if profile is None:
            self.panel.status_label.setText("")
            self.say(
                "Predict needs an image input to draw on, and this dataset's samples are "
                f"{describe_inputs(data)}."
            )
            return
        if not classes:
            self.panel.status_label.setText("")
            self.say(
                "Predict shows the probability of each class, so it needs a classification "
                f"dataset, and {data.name!r} is not one."
            )
            return
        self.say("")
        self.bars.show()  # hidden by a failed job
        self.fit_box.setVisible(profile.channels == 1)
        self.pad.pen_width = PAD_SIZE * max(0.07, min(0.2, 1.5 / profile.shape[0]))
        if self.pad.empty:
            self._show_empty()
            return
        if self._snapshot is None or self._snapshot[0] != self.pad.version:
            self._snapshot = (self.pad.version, self.pad.pixels())
        version, pixels = self._snapshot
        fit = self.fit_box.isChecked() and profile.channels == 1
        explain = self.why_box.isChecked()
        self.ask("predict", predict_job, version, pixels, profile, fit, explain)

    def _show_empty(self) -> None:
        names = output_names(self.panel.dataset, self.panel.dataset.num_classes or 0)
        self.last_result = None
        self.bars.show_values([("", np.zeros(len(names)), theme.current().accent)], names, "")
        self.caption.setText("Draw on the pad, or drop an image file on it.")
        self.seen.pictures[0].base.clear()
        self.seen.pictures[0].plot.setTitle("")

    def _pad_changed(self) -> None:
        if not self.throttle.isActive():
            self.throttle.start()

    def _pad_finished(self) -> None:
        self.throttle.stop()
        self.ask_now()

    def choose_file(self) -> None:
        """Ask for an image file and put it on the pad."""
        from guibuilder.data.images import IMAGE_SUFFIXES

        filters = " ".join(f"*{suffix}" for suffix in IMAGE_SUFFIXES)
        path, _chosen = QFileDialog.getOpenFileName(
            self, "Open an image", "", f"Images ({filters})"
        )
        if path:
            self.load_file(path)

    def load_file(self, path: str) -> None:
        """Put the image file at ``path`` on the pad (as a dropped file does)."""
        profile = self.profile()
        if profile is None or self.pad is None:
            return
        try:
            pixels = read_image(path, profile)
        except ImageFileError as exc:
            self.say(exc.message[:1].upper() + exc.message[1:] + ".")
            self.panel.message.emit(f"Predict: {exc.message}.")
            return
        self.pad.set_pixels(pixels)
        self.say("")

    def show_result(self, kind: str, result: Prediction) -> None:
        if self.pad is None or self.pad.empty:
            return
        self.last_result = result
        self.say(self.untrained_note())
        t = theme.current()
        data = self.panel.dataset
        names = output_names(data, result.probs.size)
        classification = data.task == "classification"
        best = int(np.argmax(result.probs))
        if classification:
            self.caption.setText(
                f"<span style='font-size:15pt; font-weight:600'>{names[best]}</span>"
                f"&nbsp;&nbsp;{result.probs[best]:.0%} sure"
            )
            self.bars.show_values(
                [("probability", result.probs, t.accent)], names, "", highlight=best
            )
        else:
            self.caption.setText("Model output")
            self.bars.show_values(
                [("output", result.probs, t.accent)], names, "", "output", fixed=None
            )
        profile = self.profile()
        levels = (profile.low, profile.high) if profile is not None else (0.0, 1.0)
        shape = " x ".join(str(d) for d in result.input.shape)
        if result.saliency is None:
            self.seen.show_image(0, f"Model input<br>{shape}", result.input, levels)
        else:
            title = f"Model input {shape}<br>saliency of {names[best]}"
            self.seen.show_image(0, title, result.input, levels)
            self.seen.show_overlay(0, saliency_shown(result.saliency), signed=True)
        self.panel.status_label.setText(f"Predicted in {result.seconds * 1000:.0f} ms.")
