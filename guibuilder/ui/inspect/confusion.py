"""The Confusion tab of the Inspect dock: the confusion matrix, and the samples in a cell."""

from __future__ import annotations

from typing import Any

import numpy as np

from guibuilder.inspect.subject import (
    ConfusionResult,
)

#: Most sample indices listed for a confusion-matrix cell.
MAX_LISTED = 500


class ConfusionTab:
    """The confusion-matrix part of :class:`~guibuilder.ui.inspect.panel.InspectPanel`."""

    def _confusion_ready(self, result: ConfusionResult) -> None:
        if not self._current(result.version) or self.confusion_view is None:
            return
        self.last_confusion = result
        self._show_confusion(True)
        self.confusion_view.show_matrix(
            result.matrix,
            result.class_names,
            f"Validation set: {result.y_true.size} samples, accuracy {result.accuracy:.1%}",
        )
        self.cell_list.clear()
        self.cell_title.setText("Click a cell to list its samples")
        self.status_label.setText("")  # the matrix' own title says what it is

    def _show_confusion(self, shown: bool) -> None:
        """Show the matrix and its samples column, or hide them (no matrix to show)."""
        for widget in (self.confusion_view, self.cell_title, self.cell_list):
            widget.setVisible(shown)

    def cell_samples(self, true: int, pred: int) -> np.ndarray:
        """Indices of the validation samples of class ``true`` predicted as ``pred``."""
        if self.last_confusion is None:
            return np.zeros(0, dtype="int64")
        result = self.last_confusion
        return np.flatnonzero((result.y_true == true) & (result.y_pred == pred))

    def show_cell(self, true: int, pred: int) -> None:
        """List the samples of the confusion-matrix cell ``(true, pred)``."""
        if self.last_confusion is None:
            return
        names = self.last_confusion.class_names
        indices = self.cell_samples(true, pred)
        self.cell_title.setText(
            f"{indices.size} samples of class {names[true]} predicted as {names[pred]}"
            + (f" (first {MAX_LISTED})" if indices.size > MAX_LISTED else "")
        )
        self.cell_list.clear()
        self.cell_list.addItems([f"Sample {i}" for i in indices[:MAX_LISTED]])

    def _cell_sample_chosen(self, item: Any) -> None:
        self.sample_box.setValue(int(item.text().split()[-1]))
