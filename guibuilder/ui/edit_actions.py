"""The window's Edit and View actions on the canvas: add, delete, copy, paste, duplicate,
rename, select, lay out, fit, and what follows the selection.
"""

from __future__ import annotations

import atexit
import json
from functools import cache

import shiboken6
from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import (
    QApplication,
)

from guibuilder.editing import NODES_MIME
from guibuilder.errors import GuibuilderError


@cache
def _release_clipboard_at_exit() -> None:
    """Take our copied nodes off the clipboard before Python shuts down.

    The clipboard owns the QMimeData made here; left to Qt's own exit handlers it is
    destroyed after the interpreter is gone, and PySide6 crashes the process.
    """
    atexit.register(_drop_copied_nodes)


def _drop_copied_nodes() -> None:
    app = QApplication.instance()
    if app is None:
        return
    mime = app.clipboard().mimeData()
    if mime is not None and mime.hasFormat(NODES_MIME):
        app.clipboard().clear()


class EditActions:
    """The edit part of :class:`~guibuilder.ui.mainwindow.MainWindow`."""

    # ------------------------------------------------------------------ edits
    def _guard(self, action, *args):
        """Run an edit; a refused one is explained in the status bar."""
        try:
            return action(*args)
        except GuibuilderError as exc:
            self.show_message(f"{exc.message}.")
            return None

    def add_layer_at_center(self, type_id: str) -> None:
        if self.session is None:
            return
        center = self.view.center_point()
        taken = {item.pos().toTuple() for item in self.scene.node_items()}
        x, y = center.x(), center.y()
        while (x - 90, y - 32) in taken:
            x, y = x + 30, y + 30
        node_id = self._guard(self.session.add_node, type_id, (x, y))
        if node_id:
            self._select_new([node_id])

    def _select_new(self, node_ids: list[str]) -> None:
        if self.scene is not None:
            self.scene.select_nodes(node_ids)
            self.view.setFocus()

    def delete_selection(self) -> None:
        if self.scene is None or self.session is None:
            return
        self._guard(
            self.session.delete, self.scene.selected_node_ids(), self.scene.selected_edges()
        )

    def copy(self) -> None:
        if self.scene is None or self.session is None:
            return
        ids = self.scene.selected_node_ids()
        if not ids:
            return
        mime = QMimeData()
        mime.setData(NODES_MIME, json.dumps(self.session.copy(ids)).encode("utf-8"))
        _release_clipboard_at_exit()
        QApplication.clipboard().setMimeData(mime)
        self._paste_count = 0
        self.show_message(f"Copied {len(ids)} layer{'s' if len(ids) > 1 else ''}.")

    def paste(self) -> None:
        if self.session is None:
            return
        mime = QApplication.clipboard().mimeData()
        if mime is None or not mime.hasFormat(NODES_MIME):
            return
        try:
            snippet = json.loads(bytes(mime.data(NODES_MIME).data()).decode("utf-8"))
        except ValueError:
            return
        self._paste_count += 1
        offset = 40.0 * self._paste_count
        ids = self._guard(self.session.paste, snippet, (offset, offset))
        if ids:
            self._select_new(ids)

    def duplicate(self) -> None:
        if self.scene is None or self.session is None:
            return
        ids = self.scene.selected_node_ids()
        if ids:
            new = self._guard(self.session.paste, self.session.copy(ids), (40.0, 40.0))
            if new:
                self._select_new(new)

    def select_all(self) -> None:
        if self.scene is not None:
            for item in self.scene.node_items():
                item.setSelected(True)

    def rename_selected(self) -> None:
        if self.inspector.name_edit is not None:
            self.inspector_dock.show()
            self.inspector.name_edit.setFocus()
            self.inspector.name_edit.selectAll()

    def fit_view(self) -> None:
        self.view.fit()

    def auto_layout(self) -> None:
        if self.session is None:
            return
        from guibuilder.compiler.layout import auto_layout

        positions = self._guard(auto_layout, self.session.graph)
        if positions:
            self.session.set_positions(positions, "Auto-layout")
            self.fit_view()

    def show_example_selection(self) -> None:
        """Select the first layer with parameters, so the inspector shows a real form."""
        if self.session is None or self.scene is None or self.scene.selectedItems():
            return
        graph = self.session.graph
        for node_id in graph.nodes:
            node = graph.node(node_id)
            if node.type_id != "Input" and not node.shares and node.params:
                self.scene.select_nodes([node_id])
                return

    def focus_node(self, node_id: str) -> None:
        """Select ``node_id`` and bring it into view (a click in the summary)."""
        if self.scene is None:
            return
        item = self.scene.node_item(node_id)
        if item is not None:
            self.scene.select_nodes([node_id])
            self.view.ensureVisible(item, 60, 60)

    def explain_layer(self, type_id: str | None = None) -> None:
        """Bring up the "What does this layer do?" panel, on ``type_id`` if given."""
        self.explain_dock.show()
        self.explain_dock.raise_()
        if type_id:
            self.explain_panel.show_type(type_id)
        elif self.scene is not None:
            self._selection_changed()

    def show_training(self) -> None:
        """Bring the training panel to the front."""
        self.training_dock.show()
        self.training_dock.raise_()
        self.bottom_docks.ensure_usable()

    def _selection_changed(self) -> None:
        if self.scene is None or not shiboken6.isValid(self.scene):
            return
        ids = self.scene.selected_node_ids()
        self.inspect_panel.show_nodes(ids)  # first: it paints at once when it can
        self.inspector.show_nodes(ids)
        self.summary.select_ids(ids)
        self.explain_panel.show_nodes(self.session.graph if self.session else None, ids)

    def _toggle_snap(self, on: bool) -> None:
        if self.scene is not None:
            self.scene.snap_to_grid = on
