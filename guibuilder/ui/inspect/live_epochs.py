"""The Inspect dock during a run: the sample's activations after each epoch, and the epoch slider.

A run started from the training panel records the chosen sample's activations in every
layer before training and after each epoch (:meth:`LiveEpochs.start_live`,
:meth:`LiveEpochs.add_snapshot`). While it trains, the clicked node's view follows the
newest epoch; the epoch slider scrubs back through the kept snapshots, during the run and
after it. A new run clears them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSlider,
)

from guibuilder.inspect.activations import sample_of
from guibuilder.inspect.snapshots import Snapshot
from guibuilder.inspect.subject import (
    sample_count,
    validation_split,
)

#: Most epoch snapshots the slider keeps, and the most memory they may take; past either,
#: older epochs are thinned out (the first and the latest are always kept).
LIVE_SNAPSHOTS = 100


LIVE_BYTES = 128 * 2**20


class LiveEpochs:
    """The live part of :class:`~guibuilder.ui.inspect.panel.InspectPanel`."""

    def _build_epoch_row(self) -> QHBoxLayout:
        caption = QLabel("Training")
        caption.setProperty("role", "muted")
        self.epoch_slider = QSlider(Qt.Orientation.Horizontal)
        self.epoch_slider.setObjectName("InspectEpochSlider")
        self.epoch_slider.setToolTip(
            "Scrub through the activations recorded before training and after each epoch "
            "(and after the latest step, in step mode)"
        )
        self.epoch_slider.setPageStep(1)
        self.epoch_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.epoch_slider.valueChanged.connect(self._epoch_moved)
        self.epoch_label = QLabel()
        self.epoch_label.setObjectName("InspectEpochLabel")
        self.epoch_label.setMinimumWidth(
            self.fontMetrics().horizontalAdvance("epoch 0000 of 0000 · before training") + 8
        )
        row = QHBoxLayout()
        row.setContentsMargins(2, 0, 2, 0)
        row.setSpacing(8)
        row.addWidget(caption)
        row.addWidget(self.epoch_slider, 1)
        row.addWidget(self.epoch_label)
        self._update_slider()
        return row

    # ------------------------------------------------------------------ live
    def start_live(self, dataset: Any) -> Any:
        """A run is starting on ``dataset``: forget the old snapshots and give the probe.

        The probe is the sample chosen in the spin box (a batch of one), or None when the
        dataset has no sample to probe.
        """
        self._clear_live()
        if self.dataset is None and self.session is not None:
            self._dataset_ready(dataset)
        x, _y = validation_split(dataset)
        count = sample_count(x)
        if not count:
            return None
        self.live_sample = min(self.sample_box.value(), count - 1)
        self._live_session = self.session
        return sample_of(x, self.live_sample)

    def add_snapshot(self, event: Any) -> None:
        """Keep the activations of one epoch or step (an ActivationsEvent) and show them if
        followed. A step's replaces the previous step's (the history keeps one, the newest).
        """
        if self.live_sample is None or self._live_session is not self.session:
            return
        following = self._slider_epoch is None or self.epoch_slider.value() >= len(self.live) - 1
        step = getattr(event, "step", 0)
        self.live.add(Snapshot(event.epoch, event.activations, event.mean, event.std, step))
        self.live_epochs = event.epochs
        self.live_running = True
        self._update_slider(follow=following)

    def live_ended(self, _status: str = "") -> None:
        """The run has ended: the slider stays, over the epochs that were recorded."""
        if not self.live_running:
            return
        self.live_running = False
        epochs = self.live.epochs()
        if epochs:
            self.live_epochs = epochs[-1]
        self._update_slider()

    def _clear_live(self) -> None:
        self.live.clear()
        self.live_sample = None
        self.live_epochs = 0
        self.live_running = False
        self._live_session = None
        self._slider_epoch = None
        self._update_slider()

    def _update_slider(self, follow: bool = False) -> None:
        """Fit the slider to the kept snapshots, staying on the epoch it was at."""
        epochs = self.live.epochs()
        slider = self.epoch_slider
        slider.blockSignals(True)
        slider.setRange(0, max(0, len(epochs) - 1))
        slider.setTickInterval(max(1, len(epochs) // 20))
        if follow or self._slider_epoch is None:
            index = len(epochs) - 1
        else:
            index = max((i for i, e in enumerate(epochs) if e <= self._slider_epoch), default=0)
        slider.setValue(max(0, index))
        slider.blockSignals(False)
        slider.setEnabled(len(epochs) > 1)
        self._set_epoch(slider.value())
        if self.sample_box.value() == self.live_sample or self.shown_epoch is not None:
            self._stale.add("activation")
            self.refresh()

    def _epoch_moved(self, index: int) -> None:
        """The user moved the slider: show that epoch, of the sample it was recorded for."""
        self._set_epoch(index)
        if self.live_sample is not None and self.sample_box.value() != self.live_sample:
            self.sample_box.setValue(self.live_sample)
        self._stale.add("activation")
        self.refresh()

    def _set_epoch(self, index: int) -> None:
        """Follow the slider at ``index`` and say which epoch it is at."""
        epochs = self.live.epochs()
        if not epochs:
            self._slider_epoch = None
            self.epoch_label.setText("train to record every epoch")
            self.epoch_label.setProperty("role", "muted")
            self.epoch_label.setToolTip(
                "A run started from the Training panel records the activations of the "
                "sample chosen here before training and after each epoch"
            )
        else:
            snapshots = self.live.snapshots
            at = snapshots[min(index, len(snapshots) - 1)]
            epoch = at.epoch
            self._slider_epoch = epoch
            text = at.when if at.step else f"epoch {epoch} of {self.live_epochs}"
            if epoch == 0:
                text += " · before training"
            elif self.live_running and at is snapshots[-1]:
                text += " · live"
            if self.sample_box.value() != self.live_sample:
                text += f" · sample {self.live_sample}"
            self.epoch_label.setText(text)
            self.epoch_label.setProperty("role", "")
            kept = sum(not s.step for s in snapshots)
            self.epoch_label.setToolTip(
                f"Activations of sample {self.live_sample} recorded during training "
                f"({kept} epochs kept"
                + (", and the latest step)" if kept < len(snapshots) else ")")
            )
        self.epoch_label.style().polish(self.epoch_label)

    def _snapshot_values(self) -> tuple[Snapshot, np.ndarray] | None:
        """The slider's snapshot of the clicked node, when it applies to the sample shown."""
        if self._slider_epoch is None or self.node_id is None:
            return None
        if self.sample_box.value() != self.live_sample:
            return None
        try:
            snapshot = self.live.at(self._slider_epoch)
        except KeyError:
            return None
        values = snapshot.activations.get(self.node_id)
        return None if values is None else (snapshot, values)

    def _show_snapshot(self) -> bool:
        """Draw the clicked node's recorded activation at the slider's epoch, if there is one."""
        found = self._snapshot_values()
        if found is None or self.activation_view is None:
            return False
        snapshot, values = found
        when = snapshot.when
        self._draw(self.node_id, values, f"sample {self.live_sample} · {when}")
        self.shown_epoch = snapshot.epoch
        self.shown_step = snapshot.step
        self.status_label.setText(
            f"{self.node_id}: recorded {when}, mean {snapshot.mean.get(self.node_id, 0.0):.3g}, "
            f"std {snapshot.std.get(self.node_id, 0.0):.3g}."
        )
        return True
