"""The training panel's list of past runs: tick runs to draw their curves beside the live ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from guibuilder.errors import GuibuilderError
from guibuilder.training.live import run_label


class RunsList:
    """The runs-list part of :class:`~guibuilder.ui.training.panel.TrainingPanel`."""

    def _build_runs(self) -> QWidget:
        box = QWidget()
        hint = QLabel("Tick runs to overlay their curves.")
        hint.setProperty("role", "help")
        self.runs_list = QListWidget()
        self.runs_list.setAlternatingRowColors(True)
        self.runs_list.itemChanged.connect(self._runs_ticked)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(hint)
        layout.addWidget(self.runs_list, 1)
        return box

    # ------------------------------------------------------------- runs list
    def refresh_runs(self) -> None:
        """List the run folders under :meth:`run_root`, newest first."""
        from guibuilder.training import list_runs

        ticked = set(self._ticked_paths())
        self.runs_list.blockSignals(True)
        self.runs_list.clear()
        paths = list(reversed(list_runs(self.run_root())))
        for path, history in zip(paths, self._histories.read(paths), strict=True):
            item = QListWidgetItem(run_label(path, history))
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if str(path) in ticked else Qt.CheckState.Unchecked
            )
            self.runs_list.addItem(item)
        self.runs_list.blockSignals(False)
        self._runs_ticked()

    def _ticked_paths(self) -> list[str]:
        return [
            self.runs_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.runs_list.count())
            if self.runs_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _runs_ticked(self, *_args: Any) -> None:
        from guibuilder.training import read_history

        overlays = []
        for path in self._ticked_paths():
            try:
                history = read_history(path)
            except GuibuilderError as exc:
                self.message.emit(f"{exc.message}.")
                continue
            if history:
                name = Path(path).name.split("-", 2)[-1]
                overlays.append((f"{name} {Path(path).name[9:15]}", history))
        self.plots.set_overlays(overlays)
