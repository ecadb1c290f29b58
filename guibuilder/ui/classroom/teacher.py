"""The classroom in the window: the Teacher menu and what it changes.

Its dialogs are in :mod:`.locks` and :mod:`.challenge` (with the challenge banner).

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
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QToolBar,
)

from guibuilder.document import Challenge, Classroom
from guibuilder.errors import GuibuilderError
from guibuilder.training.challenge import ChallengeResult, check_run, grade, newest_run
from guibuilder.ui.actions import make_action
from guibuilder.ui.classroom.challenge import ChallengeBanner, ChallengeDialog
from guibuilder.ui.classroom.locks import LockSettingsDialog
from guibuilder.ui.window_editor import WindowEditor

if TYPE_CHECKING:
    from guibuilder.ui.mainwindow import MainWindow


def total_params(session: WindowEditor) -> int | None:
    """The model's parameter count from live shape inference; None while unknown."""
    results = session.shapes.results()
    if not results or any(info.pending or info.error for info in results.values()):
        return None
    return sum(info.params for info in results.values())


def dataset_name(session: WindowEditor) -> str | None:
    """The name of the project's dataset (its file name for a user file)."""
    spec = session.project.dataset or {}
    return spec.get("name") or spec.get("path")


# ------------------------------------------------------------------ controller
class ClassroomController(QObject):
    """The Teacher menu and the challenge banner of one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session: WindowEditor | None = None
        self.result: ChallengeResult | None = None
        self.dialog: QDialog | None = None
        self._shown: Classroom | None = None
        self._run_session: WindowEditor | None = None
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
    def set_session(self, session: WindowEditor | None) -> None:
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
