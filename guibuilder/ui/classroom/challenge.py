"""The classroom's challenge: the teacher's dialog that sets it, and the banner students see.

The banner shows the goal, the model's parameters against the limit, and the verdict of
the last run (graded by :mod:`guibuilder.training.challenge`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from guibuilder.document import Challenge, ClassroomError
from guibuilder.document.classroom import LOWER_IS_BETTER
from guibuilder.training.challenge import ChallengeResult
from guibuilder.ui import theme

#: Metrics offered in the challenge dialog (any history key can be typed).
METRIC_CHOICES = ("val_accuracy", "val_loss", "accuracy", "loss", "val_mae", "val_mse")


ANY_DATASET = "any dataset"


class ChallengeDialog(QDialog):
    """Set the project's goal: a metric bound, a parameter budget, a dataset and a text."""

    def __init__(
        self,
        challenge: Challenge | None,
        datasets: list[str],
        default_dataset: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Challenge")
        self.removed = False
        self.text_edit = QLineEdit(challenge.text if challenge else "")
        self.text_edit.setCursorPosition(0)
        self.text_edit.setPlaceholderText("e.g. Reach 95% on digits with a small network")
        self.metric_box = QComboBox()
        self.metric_box.setEditable(True)
        self.metric_box.addItems(METRIC_CHOICES)
        self.direction_box = QComboBox()
        self.direction_box.addItems(["at least", "at most"])
        self.value_box = QDoubleSpinBox()
        self.value_box.setDecimals(4)
        self.value_box.setRange(-1e9, 1e9)
        self.value_box.setSingleStep(0.01)
        self.params_box = QSpinBox()
        self.params_box.setRange(0, 2_000_000_000)
        self.params_box.setSingleStep(1000)
        self.params_box.setGroupSeparatorShown(True)
        self.params_box.setSpecialValueText("no limit")
        self.dataset_box = QComboBox()
        self.dataset_box.addItem(ANY_DATASET)
        self.dataset_box.addItems(datasets)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        target = challenge or Challenge("val_accuracy", at_least=0.95, dataset=default_dataset)
        self.metric_box.setCurrentText(target.metric)
        self.direction_box.setCurrentIndex(0 if target.at_least is not None else 1)
        self.value_box.setValue(target.target.value)
        self.params_box.setValue(target.max_params or 0)
        if target.dataset and self.dataset_box.findText(target.dataset) < 0:
            self.dataset_box.addItem(target.dataset)
        self.dataset_box.setCurrentText(target.dataset or ANY_DATASET)
        self.metric_box.currentTextChanged.connect(self._metric_changed)

        form = QFormLayout()
        form.addRow("Goal in words", self.text_edit)
        bound = QHBoxLayout()
        bound.addWidget(self.metric_box, 2)
        bound.addWidget(self.direction_box, 1)
        bound.addWidget(self.value_box, 1)
        form.addRow("Metric", bound)
        form.addRow("Most parameters", self.params_box)
        form.addRow("Dataset", self.dataset_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.remove_button = buttons.addButton(
            "Remove challenge", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.remove_button.setEnabled(challenge is not None)
        self.remove_button.clicked.connect(self._remove)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        intro = QLabel(
            "The app checks the goal after every training run: the metric at the last "
            "epoch, and the model's parameter count."
        )
        intro.setProperty("role", "help")
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def _metric_changed(self, metric: str) -> None:
        lower = metric.removeprefix("val_") in LOWER_IS_BETTER
        self.direction_box.setCurrentIndex(1 if lower else 0)

    def challenge(self) -> Challenge:
        """The challenge the fields describe; :class:`ClassroomError` if they do not."""
        value = self.value_box.value()
        at_least = self.direction_box.currentIndex() == 0
        dataset = self.dataset_box.currentText()
        return Challenge(
            metric=self.metric_box.currentText().strip(),
            at_least=value if at_least else None,
            at_most=None if at_least else value,
            max_params=self.params_box.value() or None,
            dataset=None if dataset == ANY_DATASET else dataset,
            text=self.text_edit.text().strip(),
        )

    def _accept(self) -> None:
        try:
            self.challenge()
        except ClassroomError as exc:
            self.error.setText(f"{exc.message[0].upper()}{exc.message[1:]}.")
            self.error.show()
            return
        self.accept()

    def _remove(self) -> None:
        self.removed = True
        self.accept()


def target_pixmap(size: int = 18) -> QPixmap:
    """A small target (the challenge's icon) in the accent colour."""
    ratio = 2
    pixmap = QPixmap(size * ratio, size * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    accent = QColor(theme.current().accent)
    center = QPointF(size / 2, size / 2)
    painter.setPen(QPen(accent, 1.6))
    for radius in (size / 2 - 1, size / 2 - 4.5):
        painter.drawEllipse(center, radius, radius)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(accent)
    painter.drawEllipse(center, 2.2, 2.2)
    painter.end()
    return pixmap


class ElidedLabel(QLabel):
    """A one-line label that gives up width gracefully: its text ends in … when cut."""

    def __init__(self, object_name: str) -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(48)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)


class ChallengeBanner(QFrame):
    """The goal, the live parameter count against its budget, and the last run's verdict.

    It remembers what it shows, so a change of theme repaints it in the new colours.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("challengeBanner")
        self.challenge: Challenge | None = None
        self.params: int | None = None
        self.result: ChallengeResult | None = None
        self._theme: theme.Theme | None = None
        self.icon = QLabel()
        self.title_label = ElidedLabel("challengeTitle")
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.goal_label = ElidedLabel("challengeGoal")
        self.params_label = QLabel()
        self.params_label.setObjectName("challengeParams")
        self.verdict_label = QLabel()
        self.verdict_label.setObjectName("challengeVerdict")
        self.reason_label = QLabel()
        self.reason_label.setObjectName("challengeReason")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.setSpacing(10)
        layout.addWidget(self.icon)
        layout.addWidget(self.title_label)
        layout.addWidget(self.goal_label)
        layout.addStretch(1)
        layout.addWidget(self.params_label)
        layout.addSpacing(6)
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.reason_label)

    def show_state(
        self, challenge: Challenge, params: int | None, result: ChallengeResult | None
    ) -> None:
        """Show ``challenge``, the live parameter count and the last run's ``result``."""
        self.challenge, self.params, self.result = challenge, params, result
        self.render()

    def show_params(self, params: int | None) -> None:
        self.params = params
        self.render()

    def render(self) -> None:
        """Fill the labels with the current theme's colours."""
        challenge = self.challenge
        if challenge is None:
            return
        t = self._theme = theme.current()
        accent = QColor(t.accent)
        fill = f"rgba({accent.red()}, {accent.green()}, {accent.blue()}, 22)"
        self.setStyleSheet(
            f"#challengeBanner {{ background: {fill}; border: 1px solid {t.accent};"
            " border-radius: 6px; }"
        )
        self.icon.setPixmap(target_pixmap())
        self.title_label.setText(challenge.text or "Challenge")
        self.title_label.setToolTip(challenge.text)
        self.goal_label.setText(challenge.goal().replace(">=", "≥").replace("<=", "≤"))
        self.goal_label.setToolTip(challenge.goal())
        self.goal_label.setStyleSheet(f"color: {t.muted};")
        self._render_params(t)
        self._render_result(t)

    def _render_params(self, t: theme.Theme) -> None:
        challenge, params = self.challenge, self.params
        if params is None:
            self.params_label.setText("parameters: checking…")
            self.params_label.setStyleSheet(f"color: {t.muted};")
            return
        text = f"{params:,} parameters"
        if challenge.max_params is None:
            self.params_label.setText(text)
            self.params_label.setStyleSheet(f"color: {t.muted};")
            return
        fits = params <= challenge.max_params
        mark = "✓" if fits else f"✗ > {challenge.max_params:,}"
        self.params_label.setText(f"{text} {mark}")
        self.params_label.setStyleSheet(f"color: {t.ok if fits else t.error}; font-weight: bold;")

    def _render_result(self, t: theme.Theme) -> None:
        result = self.result
        if result is None:
            self.verdict_label.setText("Train to check it")
            self.verdict_label.setStyleSheet(f"color: {t.muted};")
            self.reason_label.setText("")
            self.reason_label.setToolTip("")
            return
        color = t.ok if result.passed else t.error
        self.verdict_label.setText("✓ Passed" if result.passed else "Not yet")
        self.verdict_label.setStyleSheet(
            f"color: white; background: {color}; border-radius: 9px; padding: 2px 9px;"
            " font-weight: bold;"
        )
        reason = result.text().partition(": ")[2]
        self.reason_label.setText(reason)
        self.reason_label.setToolTip(f"Last run: {result.text()}")
        self.reason_label.setStyleSheet(f"color: {color};")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and theme.current() != self._theme:
            self.render()
