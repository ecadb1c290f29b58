"""The classroom in the window: the Teacher menu, its dialogs and the challenge banner.

The teacher's settings live in ``project.classroom`` and change through the undo stack
(one ``classroom`` slot edit per change), like every other edit. The locks themselves
are enforced by the editor (:meth:`guibuilder.editing.Editor.push`); this module shows
them (badges on the canvas, read-only inspector fields, disabled training settings) and
lets a teacher set them. The "Student view" hides the teacher's actions and ends the undo
history (see the editor), so Ctrl+Z cannot take a lock back: a classroom aid, not security.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QAction, QColor, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
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
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from guibuilder.document import Challenge, Classroom, ClassroomError
from guibuilder.document.classroom import GROUP_LABELS, LOWER_IS_BETTER, SETTING_GROUPS
from guibuilder.errors import GuibuilderError
from guibuilder.training.challenge import ChallengeResult, check_run, grade, newest_run
from guibuilder.ui import theme
from guibuilder.ui.actions import make_action
from guibuilder.ui.session import Session

if TYPE_CHECKING:
    from guibuilder.ui.mainwindow import MainWindow

#: Metrics offered in the challenge dialog (any history key can be typed).
METRIC_CHOICES = ("val_accuracy", "val_loss", "accuracy", "loss", "val_mae", "val_mse")
ANY_DATASET = "any dataset"


def total_params(session: Session) -> int | None:
    """The model's parameter count from live shape inference; None while unknown."""
    results = session.shapes.results()
    if not results or any(info.pending or info.error for info in results.values()):
        return None
    return sum(info.params for info in results.values())


def dataset_name(session: Session) -> str | None:
    """The name of the project's dataset (its file name for a user file)."""
    spec = session.project.dataset or {}
    return spec.get("name") or spec.get("path")


# ------------------------------------------------------------------ dialogs
class LockSettingsDialog(QDialog):
    """Tick the groups of training settings that students must not change."""

    def __init__(self, locked: frozenset[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Lock training settings")
        layout = QVBoxLayout(self)
        intro = QLabel("Students cannot change the ticked settings:")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.boxes: dict[str, QCheckBox] = {}
        for group, names in SETTING_GROUPS.items():
            box = QCheckBox(GROUP_LABELS[group].capitalize())
            box.setToolTip(", ".join(names))
            box.setChecked(group in locked)
            layout.addWidget(box)
            self.boxes[group] = box
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(320)

    def groups(self) -> frozenset[str]:
        """The ticked groups."""
        return frozenset(g for g, box in self.boxes.items() if box.isChecked())


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


# ------------------------------------------------------------------ banner
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


# ------------------------------------------------------------------ controller
class ClassroomController(QObject):
    """The Teacher menu and the challenge banner of one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session: Session | None = None
        self.result: ChallengeResult | None = None
        self.dialog: QDialog | None = None
        self._shown: Classroom | None = None
        self._run_session: Session | None = None
        self._build_actions()
        self._build_banner()
        window.training_panel.state_changed.connect(self._training_state)
        window.training_panel.run_ended.connect(self._run_ended)

    # ------------------------------------------------------------- building
    def _action(self, text: str, slot: Callable[[], object], tip: str) -> QAction:
        return make_action(self.window, text, slot, tip)

    def _build_actions(self) -> None:
        self.lock_action = self._action(
            "&Lock Selected Layers",
            lambda: self.lock_selected(True),
            "Students cannot delete, edit or rewire the selected layers",
        )
        self.unlock_action = self._action(
            "&Unlock Selected Layers", lambda: self.lock_selected(False), "Unlock the selection"
        )
        self.unlock_all_action = self._action(
            "Unlock &All Layers", self.unlock_all, "Unlock every layer of the model"
        )
        self.settings_action = self._action(
            "Lock &Training Settings…",
            self.edit_settings_locks,
            "Choose the training settings students cannot change",
        )
        self.challenge_action = self._action(
            "Set &Challenge…", self.edit_challenge, "Give the project a goal the app checks"
        )
        self.student_action = self._action(
            "&Student View",
            self.set_student_view,
            "Hide the teacher's actions (saved in the project; a classroom aid, not security)",
        )
        self.student_action.setCheckable(True)
        self.teacher_actions = [
            self.lock_action,
            self.unlock_action,
            self.unlock_all_action,
            self.settings_action,
            self.challenge_action,
        ]
        menu = self.window.menuBar().addMenu("T&eacher")
        menu.setToolTipsVisible(True)
        menu.addActions([self.lock_action, self.unlock_action, self.unlock_all_action])
        menu.addSeparator()
        menu.addActions([self.settings_action, self.challenge_action])
        self.separator = menu.addSeparator()
        menu.addAction(self.student_action)
        self.menu = menu

    def _build_banner(self) -> None:
        self.banner = ChallengeBanner()
        self.toolbar = QToolBar("Challenge", self.window)
        self.toolbar.setObjectName("ChallengeToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.addWidget(self.banner)
        self.window.addToolBarBreak()
        self.window.addToolBar(self.toolbar)
        self.toolbar.hide()

    # ------------------------------------------------------------- session
    def set_session(self, session: Session | None) -> None:
        """Follow ``session``: its locks, student view and challenge."""
        if self.session is not None and shiboken6.isValid(self.session):
            self.session.refused.disconnect(self.window.show_message)
            self.session.project.events.classroom.disconnect(self._classroom_changed)
            self.session.shapes.updated.disconnect(self._shapes_updated)
        self.session = session
        self.result = self._last_verdict()
        self._shown = None
        if session is not None:
            session.refused.connect(self.window.show_message)
            session.project.events.classroom.connect(self._classroom_changed)
            session.shapes.updated.connect(self._shapes_updated)
        if self.window.scene is not None:
            self.window.scene.selectionChanged.connect(self._update_actions)
        self.refresh()

    def _last_verdict(self) -> ChallengeResult | None:
        """The verdict on the newest run of a saved project (its run folder beside it)."""
        session = self.session
        if session is None or session.path is None or self.classroom.challenge is None:
            return None
        try:
            run = newest_run(session.path)
            if run is None:
                return None
            project = session.project
            return check_run(
                self.classroom.challenge,
                session.graph,
                run,
                use_keras=False,
                classroom=self.classroom,
                training=project.training,
                dataset=project.dataset,
            )[0]
        except GuibuilderError:
            return None

    @property
    def classroom(self) -> Classroom:
        """The open project's classroom settings (empty ones for none)."""
        if self.session is None or self.session.project.classroom is None:
            return Classroom()
        return self.session.project.classroom

    def _classroom_changed(self) -> None:
        if self.classroom != self._shown:
            self.refresh()

    def refresh(self) -> None:
        """Show the classroom settings everywhere: canvas, inspector, training, menu, banner."""
        classroom = self.classroom
        changed_nodes = self._shown is None or self._shown.locked_nodes != classroom.locked_nodes
        self._shown = classroom
        window = self.window
        if changed_nodes and window.scene is not None:
            for item in window.scene.node_items():
                item.refresh()
            window.inspector.show_nodes(window.scene.selected_node_ids())
        window.training_panel.lock_settings(classroom.locked_setting_names())
        self.student_action.setChecked(classroom.student_view)
        for action in self.teacher_actions:
            action.setVisible(not classroom.student_view)
        self.separator.setVisible(not classroom.student_view)
        self._update_actions()
        if self.result is not None and self.result.challenge != classroom.challenge:
            self.result = None
        self._show_banner()

    def _update_actions(self) -> None:
        """Lock what is selected and free, unlock what is selected and locked."""
        scene = self.window.scene
        valid = scene is not None and shiboken6.isValid(scene)
        selected = set(scene.selected_node_ids()) if valid else set()
        locked = self.classroom.locked_nodes
        self.lock_action.setEnabled(bool(selected - locked))
        self.unlock_action.setEnabled(bool(selected & locked))
        self.unlock_all_action.setEnabled(bool(locked))

    def _shapes_updated(self) -> None:
        if self.classroom.challenge is not None and self.session is not None:
            self.banner.show_params(total_params(self.session))

    def _show_banner(self) -> None:
        challenge = self.classroom.challenge
        self.toolbar.setVisible(challenge is not None)
        if challenge is None or self.session is None:
            return
        self.banner.show_state(challenge, total_params(self.session), self.result)

    # ------------------------------------------------------------- edits
    def _set(self, classroom: Classroom, text: str) -> None:
        if self.session is None or classroom == self.classroom:
            return
        value = None if classroom.empty else classroom
        self.session.set_slot("classroom", value, text)

    def lock_selected(self, locked: bool) -> None:
        """Lock (or unlock) the layers selected on the canvas."""
        scene = self.window.scene
        ids = scene.selected_node_ids() if scene is not None else []
        if not ids:
            self.window.show_message("Select the layers to lock or unlock on the canvas first.")
            return
        what = f"{len(ids)} layer{'s' if len(ids) > 1 else ''}"
        self._set(
            self.classroom.with_locked(ids, locked),
            f"{'Lock' if locked else 'Unlock'} {what}",
        )
        self.window.show_message(f"{'Locked' if locked else 'Unlocked'} {what}.")

    def unlock_all(self) -> None:
        self._set(replace(self.classroom, locked_nodes=frozenset()), "Unlock all layers")

    def set_locked_settings(self, groups: frozenset[str]) -> None:
        """Lock exactly ``groups`` of training settings."""
        self._set(replace(self.classroom, locked_settings=frozenset(groups)), "Lock settings")

    def set_challenge(self, challenge: Challenge | None) -> None:
        """Give the project ``challenge`` (None removes it)."""
        self._set(replace(self.classroom, challenge=challenge), "Set challenge")

    def set_student_view(self, on: bool) -> None:
        self._set(replace(self.classroom, student_view=on), "Student view")
        word = (
            "on: the teacher's actions are hidden and the changes before it cannot be undone"
            if on
            else "off"
        )
        self.window.show_message(f"Student view is {word}.")

    # ------------------------------------------------------------- dialogs
    def edit_settings_locks(self) -> None:
        """Open the dialog that picks the locked groups of training settings."""
        dialog = LockSettingsDialog(self.classroom.locked_settings, self.window)
        dialog.accepted.connect(lambda: self.set_locked_settings(dialog.groups()))
        self._open(dialog)

    def edit_challenge(self) -> None:
        """Open the dialog that sets or removes the challenge."""
        from guibuilder.data import list_datasets

        if self.session is None:
            return
        names = [info.name for info in list_datasets()]
        dialog = ChallengeDialog(
            self.classroom.challenge, names, dataset_name(self.session), self.window
        )
        dialog.accepted.connect(
            lambda: self.set_challenge(None if dialog.removed else dialog.challenge())
        )
        self._open(dialog)

    def _open(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    # ------------------------------------------------------------- runs
    def _training_state(self, state: str) -> None:
        if state == "running" and self._run_session is None:
            self._run_session = self.session

    def _run_ended(self, status: str) -> None:
        trained, self._run_session = self._run_session, None
        challenge = self.classroom.challenge
        result = self.window.training_panel.last_result
        if challenge is None or result is None or trained is not self.session:
            return
        params = total_params(self.session)
        if status in ("finished", "stopped"):
            self.result = grade(challenge, result.history, params, dataset_name(self.session))
        else:
            ended = "did not train to a number (NaN)" if status == "nan" else "failed"
            self.result = ChallengeResult(challenge, False, (f"the run {ended}",), None, params)
        self.banner.show_state(challenge, params, self.result)
        self.window.show_message(f"Challenge {self.result.text()}.")
