"""The canvas' context menu, made of the window's own actions, and when those are enabled.

A right-click on a node offers what the menu bar offers for it (copy, paste, duplicate,
delete, rename, explain, activations, freeze, and the teacher's lock); a right-click on
empty canvas offers paste, select all, fit and auto-layout. The menu holds the very
``QAction`` objects of the Edit, View, Help and Teacher menus, so both do the same thing
and are enabled by one set of rules, kept here (:meth:`CanvasActions.update`):

* copy, duplicate, rename, freeze and "show activations" need a selected layer; delete needs
  a selected layer or connection; paste needs copied layers on the clipboard;
* in the student view, an edit that :meth:`Editor.push` would refuse for a teacher's lock
  is disabled, and its tooltip says why. The teacher sees it enabled; trying it says why in
  the status bar, next to the Unlock the menu offers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from guibuilder.editing import NODES_MIME, Edit
from guibuilder.editing.edits import Remove, Rename
from guibuilder.editing.freeze import freeze_edit, layers_text, unfreeze_edit
from guibuilder.errors import GuibuilderError
from guibuilder.ui.actions import make_action
from guibuilder.ui.window_editor import WindowEditor

if TYPE_CHECKING:
    from guibuilder.ui.mainwindow import MainWindow


def add_alias(menu: QMenu, action: QAction, text: str) -> QAction:
    """An entry of ``menu`` that reads ``text`` and triggers ``action`` (as enabled as it)."""
    alias = menu.addAction(text, action.trigger)
    alias.setToolTip(action.toolTip())
    alias.setEnabled(action.isEnabled())
    alias.setVisible(action.isVisible())
    return alias


class CanvasActions(QObject):
    """The window's canvas actions: freeze, unfreeze and show activations, the enable rules
    of the Edit menu, and the context menu."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session: WindowEditor | None = None
        self._tips: dict[QAction, str] = {}
        self.freeze_action = self._action(
            "&Freeze Up to Selected Layer",
            self.freeze,
            "Freeze the selected layer and every layer before it: "
            "training leaves their weights as they are",
        )
        self.unfreeze_action = self._action(
            "Unfree&ze All", self.unfreeze, "Make every layer trainable again"
        )
        self.activations_action = self._action(
            "Show &Activations",
            self.show_activations,
            "Show what the selected layer outputs for a sample, in the Inspect panel",
        )
        QApplication.clipboard().dataChanged.connect(self.update)
        # Once per burst of graph edits (a paste of many layers is one update).
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.update)

    def _action(self, text: str, slot: Callable[[], object], tip: str) -> QAction:
        return make_action(self.window, text, slot, tip)

    def set_session(self, session: WindowEditor) -> None:
        """Follow ``session`` and the window's scene for it."""
        if self.session is not None:
            self.session.graph.events.changed.disconnect(self._schedule)
            self.session.project.events.classroom.disconnect(self.update)
        self.session = session
        session.graph.events.changed.connect(self._schedule)
        session.project.events.classroom.connect(self.update)
        self.window.scene.selectionChanged.connect(self.update)
        self.update()

    def _schedule(self) -> None:
        self._timer.start()

    # ------------------------------------------------------------- rules
    def update(self, *_args: object) -> None:
        """Enable the window's edit actions for the selection, the clipboard and the locks."""
        window, session, scene = self.window, self.session, self.window.scene
        if session is None or scene is None or not shiboken6.isValid(scene):
            return
        graph = session.graph
        nodes, edges = scene.selected_node_ids(), scene.selected_edges()
        classroom = session.project.classroom
        student = classroom is not None and classroom.student_view
        one = nodes[0] if len(nodes) == 1 else None

        def rule(action: QAction, possible: bool, edit: Callable[[], Edit | None]):
            tip = self._tips.setdefault(action, action.toolTip())
            why = session.refusal(edit()) if possible and student else None
            action.setEnabled(possible and why is None)
            action.setToolTip(why or tip)

        rule(window.copy_action, bool(nodes), lambda: None)
        rule(window.duplicate_action, bool(nodes), lambda: None)
        rule(window.delete_action, bool(nodes or edges), lambda: Remove(graph, nodes, edges))
        rule(window.rename_action, one is not None, lambda: Rename(graph, one, one))
        freeze = freeze_edit(graph, nodes) if nodes else None
        rule(self.freeze_action, freeze is not None, lambda: freeze)
        unfreeze = unfreeze_edit(graph)
        rule(self.unfreeze_action, unfreeze is not None, lambda: unfreeze)
        rule(self.activations_action, bool(nodes), lambda: None)
        rule(window.select_all_action, bool(graph.nodes), lambda: None)
        mime = QApplication.clipboard().mimeData()
        rule(window.paste_action, mime is not None and mime.hasFormat(NODES_MIME), lambda: None)

    def refusal_for_key(self, key: QKeySequence) -> str | None:
        """Why the action whose shortcut is ``key`` is disabled by a lock, or None.

        A disabled action's shortcut does nothing, so the canvas says this sentence instead:
        a student who presses Delete on a locked layer learns why nothing happened.
        """
        for action, tip in self._tips.items():
            if action.isEnabled() or action.toolTip() == tip:
                continue
            if any(
                s.matches(key) == QKeySequence.SequenceMatch.ExactMatch for s in action.shortcuts()
            ):
                return action.toolTip()
        return None

    # ------------------------------------------------------------- actions
    def freeze(self) -> None:
        """Freeze the selected layers and every layer before them, as one undo step."""
        ids = self.window.scene.selected_node_ids() if self.session is not None else []
        if not ids:
            self.window.show_message("Select the layer to freeze up to on the canvas first.")
            return
        try:
            frozen = self.session.freeze_up_to(*ids)
        except GuibuilderError as exc:
            self.window.show_message(f"{exc.message}.")
            return
        where = ", ".join(repr(n) for n in ids)
        self.window.show_message(
            f"Froze {layers_text(len(frozen))} up to {where}: training keeps their weights."
        )

    def unfreeze(self) -> None:
        """Make every layer trainable again, as one undo step."""
        if self.session is None:
            return
        try:
            thawed = self.session.unfreeze_all()
        except GuibuilderError as exc:
            self.window.show_message(f"{exc.message}.")
            return
        self.window.show_message(f"Unfroze {layers_text(len(thawed))}: every layer trains again.")

    def show_activations(self) -> None:
        """Bring up the Inspect panel on its Activations tab, for the selected layer."""
        window = self.window
        ids = window.scene.selected_node_ids() if window.scene is not None else []
        if not ids:
            return
        panel = window.inspect_panel
        window.inspect_dock.show()
        window.inspect_dock.raise_()
        panel.show_nodes(ids)
        panel.tabs.setCurrentWidget(panel.activation_page)

    # ------------------------------------------------------------- menu
    def menu(self, node_id: str | None, parent: QWidget) -> QMenu:
        """The context menu for the node ``node_id`` (selected already), or for empty canvas."""
        self.update()
        window = self.window
        menu = QMenu(parent)
        menu.setToolTipsVisible(True)
        if node_id is None:
            menu.addActions([window.paste_action, window.select_all_action])
            menu.addSeparator()
            menu.addActions([window.fit_action, window.layout_action])
            menu.addSeparator()
            menu.addAction(self.unfreeze_action)
            return menu
        single = len(window.scene.selected_node_ids()) == 1
        menu.addActions([window.copy_action, window.paste_action, window.duplicate_action])
        menu.addActions([window.delete_action, window.rename_action])
        menu.addSeparator()
        menu.addActions([window.explain_action, self.activations_action])
        menu.addSeparator()
        if single:
            add_alias(menu, self.freeze_action, "Freeze Up to Here")
        else:
            menu.addAction(self.freeze_action)
        menu.addAction(self.unfreeze_action)
        classroom = window.classroom
        if classroom.lock_action.isVisible():  # the teacher's tools are on
            menu.addSeparator()
            if single:
                add_alias(menu, classroom.lock_action, "Lock Layer")
                add_alias(menu, classroom.unlock_action, "Unlock Layer")
            else:
                menu.addActions([classroom.lock_action, classroom.unlock_action])
        return menu
