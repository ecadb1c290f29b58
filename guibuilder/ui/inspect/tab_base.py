"""The common part of the Inspect panel's extra tabs: asking the worker, taking its answers.

A page asks for a job through :meth:`WorkerTab.ask`; the same question at the same project
version is not asked twice. Answers of the page's own job kinds arrive in
:meth:`WorkerTab.show_result`, only while they are of the current version. A page builds
its plots the first time it is refreshed, so a tab never shown costs nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from guibuilder.ui.inspect.panel import InspectPanel


class WorkerTab(QWidget):
    """A tab of the Inspect panel whose work runs in the panel's worker.

    Subclasses set :attr:`kinds` (their job kinds, unique across pages), build their widgets
    in :meth:`build` and ask for jobs in :meth:`update_jobs`.
    """

    kinds: tuple[str, ...] = ()

    def __init__(self, panel: InspectPanel) -> None:
        super().__init__()
        self.panel = panel
        self.built = False
        self._asked: dict[str, tuple[Any, ...]] = {}
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setObjectName("InspectTabStatus")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        panel.worker.result_ready.connect(self._result)
        panel.worker.failed.connect(self._failed)

    # ------------------------------------------------------------ for subclasses
    def build(self) -> None:
        """Make the page's plots and controls (the first time it is shown)."""

    def update_jobs(self) -> None:
        """Ask for what the page shows that is not computed for this version yet."""

    def show_result(self, kind: str, value: Any) -> None:
        """Show what a job of kind ``kind`` returned."""

    def show_failure(self, kind: str, text: str) -> None:
        """A job of kind ``kind`` failed with the one-sentence ``text``."""
        self.status.setText(f"{text[:1].upper()}{text[1:]}.")

    def follow_node(self, node_id: str, current: bool) -> bool:
        """Whether this page shows ``node_id`` when it is clicked on the canvas.

        ``current`` says whether the page is the panel's current tab; the panel brings the
        first page that returns True to the front (the Activations tab when none does).
        """
        return False

    def project_changed(self) -> None:
        """The project (its graph, weights or dataset) changed, or another one was opened."""

    # ----------------------------------------------------------------- helpers
    def add_controls(self, *items: QWidget | str) -> None:
        """Add a row of controls (a string becomes a label); the status line stretches."""
        row = QHBoxLayout()
        for item in items:
            widget = QLabel(item) if isinstance(item, str) else item
            row.addWidget(widget, 1 if widget is self.status else 0)
        self.layout().addLayout(row)

    def refresh(self) -> None:
        """Build the page if needed and ask for what it lacks (the panel calls this)."""
        if not self.built:
            self.build()
            self.built = True
        self.update_jobs()

    def ask(self, kind: str, job: Callable[..., Any], *args: Any) -> bool:
        """Run ``job(context, *args)`` as ``kind`` unless it was asked at this version.

        Returns whether the job was queued.
        """
        subject = self.panel.subject()
        if subject is None:
            return False
        key = (subject.version, *args)
        if self._asked.get(kind) == key:
            return False
        self._asked[kind] = key
        self.panel.worker.compute(kind, subject, job, *args)
        return True

    def forget(self, kind: str) -> None:
        """Let ``kind`` be asked again with the same arguments."""
        self._asked.pop(kind, None)

    def is_current(self) -> bool:
        """Whether this page is the panel's visible tab."""
        return self.panel.is_shown() and self.panel.tabs.currentWidget() is self

    def _result(self, kind: str, version: int, value: Any) -> None:
        if kind in self.kinds and self.panel._current(version) and self.built:
            self.show_result(kind, value)

    def _failed(self, kind: str, text: str) -> None:
        if kind in self.kinds:
            self.forget(kind)
            if self.built:
                self.show_failure(kind, text)


class LayerBox(QComboBox):
    """A chooser of a layer by node id, with an optional first entry that means "default"."""

    def __init__(self, name: str, tip: str = "", default: str = "") -> None:
        super().__init__()
        self.setObjectName(name)
        self.setToolTip(tip)
        self.setMinimumWidth(180)
        self.default = default

    def set_layers(self, node_ids: list[str]) -> None:
        """Offer ``node_ids``, keeping the choice where it is still offered; no signal is sent."""
        wanted = [self.default, *node_ids] if self.default else list(node_ids)
        if [self.itemText(i) for i in range(self.count())] == wanted:
            return
        chosen = self.currentText()
        with QSignalBlocker(self):
            self.clear()
            self.addItems(wanted)
            if chosen in wanted:
                self.setCurrentText(chosen)

    def layer(self) -> str:
        """The chosen node id; "" for the default entry or when nothing is offered."""
        text = self.currentText()
        return "" if text == self.default else text


def thinned_ticks(
    labels: Sequence[str], pixels: float, room: float, first: float = 0.5
) -> list[tuple[float, str]]:
    """Ticks for ``labels`` at ``first``, ``first + 1``, ... over ``pixels`` of axis.

    Only every k-th label is kept, so that each has ``room`` pixels; names longer than
    14 characters are shortened with an ellipsis.
    """
    count = len(labels)
    step = max(1, math.ceil(room / max(1.0, pixels / max(1, count))))
    return [
        (first + i, text if len(text) <= 14 else text[:13] + "…")
        for i, text in ((i, labels[i]) for i in range(0, count, step))
    ]
