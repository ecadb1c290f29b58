"""The training panel: settings, Start / Pause / Stop, progress, live curves and past runs.

The panel is put together here (its layout, actions and state); its parts live beside it:
the settings form (:mod:`.form`), the run it starts, steps and stops (:mod:`.run`), the
list of past runs (:mod:`.runs`) and the live plots (:mod:`.plots`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFontMetricsF
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from guibuilder.training.events import (
    TrainingEvent,
)
from guibuilder.training.live import RunHistories
from guibuilder.ui import icons
from guibuilder.ui.live import keras_loader
from guibuilder.ui.training.form import EDITOR_CHARS, SettingsForm
from guibuilder.ui.training.plots import TrainingPlots
from guibuilder.ui.training.run import DRAIN_MS, RunController
from guibuilder.ui.training.runs import RunsList
from guibuilder.ui.window_editor import WindowEditor

#: Settings key (a preference, not project data): the width the user dragged the settings
#: column to, in average characters of the interface font, so it grows with larger text.
FORM_WIDTH_KEY = "training/form_width"
#: The least height of a plot, in lines of text: room for its curves under the title.
PLOT_LINES = 5


class TrainingPanel(SettingsForm, RunController, RunsList, QWidget):
    """Train the open project and watch it learn.

    Signals: ``message`` (a line for the status bar), ``state_changed`` (idle, loading,
    running, paused, stopping), ``run_ended`` (finished, stopped, nan or error), sent
    once the worker thread has ended, and ``activations`` (each ActivationsEvent of a run
    that records a probe sample: see ``probe_source``).
    """

    message = Signal(str)
    state_changed = Signal(str)
    run_ended = Signal(str)
    activations = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fit_pending = True  # until the panel is built: see changeEvent
        self._fit_stale = False
        self.session: WindowEditor | None = None
        self.run_root_override: Path | None = None
        #: Given the dataset at the start of a run, the sample whose activations it records.
        self.probe_source: Callable[[Any], Any] | None = None
        self.training: Any = None  # the TrainingSession of the run in progress
        self.state = "idle"
        self.last_status = ""
        self._step_first = False
        #: The TrainingResult of the last run that ended (for the challenge banner).
        self.last_result: Any = None
        #: Settings a teacher locked ("dataset" included): their editors stay disabled.
        self.locked_settings: set[str] = set()
        self._owner: WindowEditor | None = None
        self._ending: TrainingEvent | None = None
        self._dataset_cache: tuple[str, Any] | None = None
        self._histories = RunHistories()
        self._confirmed_lint: str | None = None
        self._input_fix: str | None = None
        self._editors: dict[str, QWidget] = {}
        self._rows: dict[str, QWidget] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_MS)
        self._timer.timeout.connect(self.drain)
        self._reset_live()

        self._build_actions()
        self.plots = TrainingPlots()
        form = self._build_form()
        center = self._build_center()
        self._paint_icons()
        runs = self._build_runs()
        # Settings and runs share one column, so the panel fits beside the palette and
        # the inspector on a laptop screen; the user drags its edge to give the plots room.
        self.side = QTabWidget()
        self.side.addTab(form, "Settings")
        self.side.addTab(runs, "Runs")
        right = QWidget()
        right.setLayout(center)
        center.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("training_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(10)
        self.splitter.addWidget(self.side)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)  # a wider dock gives its width to the plots
        self.splitter.setStretchFactor(1, 1)
        self.splitter.splitterMoved.connect(self._form_width_moved)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)
        self._fit_to_text()
        self.plots.metric_box.model().rowsInserted.connect(self._fit_plots)
        self._set_state("idle")
        keras_loader().finished.connect(self._show_loader_device)
        self._show_loader_device()

    # ----------------------------------------------------------------- build
    def _build_actions(self) -> None:
        self.start_action = QAction("&Train", self)
        self.start_action.setShortcut("Ctrl+T")
        self.start_action.setToolTip("Train the model with the training panel's settings")
        self.start_action.triggered.connect(self.start)
        self.pause_action = QAction("&Pause", self)
        self.pause_action.setCheckable(True)
        self.pause_action.setToolTip("Pause or resume the run")
        self.pause_action.triggered.connect(self._toggle_pause)
        self.stop_action = QAction("&Stop", self)
        self.stop_action.setToolTip("Stop the run after the current batch")
        self.stop_action.triggered.connect(self.stop)
        self.step_action = QAction("Ste&p", self)
        self.step_action.setShortcut("F10")
        self.step_action.setToolTip("Train exactly one batch, then pause (F10)")
        self.step_action.triggered.connect(self.step)

    def _paint_icons(self) -> None:
        """The run actions' and buttons' icons, drawn in the theme in use."""
        for action, button, name in (
            (self.start_action, self.start_button, "play"),
            (self.pause_action, self.pause_button, "pause"),
            (self.step_action, self.step_button, "step"),
            (self.stop_action, self.stop_button, "stop"),
        ):
            action.setIcon(icons.icon(name))
            button.setIcon(action.icon())
        if getattr(self, "state", "idle") == "paused":  # the button and action read Resume
            self.pause_action.setIcon(self.start_action.icon())
            self.pause_button.setIcon(self.start_action.icon())

    def run_actions(self) -> list[QAction]:
        """Train, Pause, Step and Stop, for the window's menu and tool bar."""
        return [self.start_action, self.pause_action, self.step_action, self.stop_action]

    def _build_center(self) -> QVBoxLayout:
        self.start_button = QPushButton("Train")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.pause_button = QPushButton("Pause")
        self.pause_button.clicked.connect(self._toggle_pause)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip(self.step_action.toolTip())
        self.step_button.clicked.connect(self.step)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("Ready")
        self.progress.setMinimumWidth(160)
        self.eta_label = QLabel()
        self.speed_label = QLabel()
        self.device_label = QLabel()
        self.device_label.setToolTip("Where the run computes, and the Keras backend")
        # Labels that change many times a second keep a fixed size (see _fit_to_text), so a
        # new value never re-lays out the panel (and with it the plots) while a run is going.
        for label in (self.eta_label, self.speed_label):
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for label in (self.eta_label, self.speed_label, self.device_label):
            label.setProperty("role", "muted")
        controls = QHBoxLayout()
        controls.setSpacing(6)
        for button in (self.start_button, self.pause_button, self.step_button, self.stop_button):
            controls.addWidget(button)
        controls.addSpacing(6)
        controls.addWidget(self.progress, 1)
        readouts = QHBoxLayout()
        readouts.setSpacing(12)
        for label in (self.eta_label, self.speed_label, self.device_label):
            readouts.addWidget(label)
        readouts.addStretch(1)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lint_box = QFrame()
        self.lint_box.setProperty("role", "errorbox")
        lint_layout = QVBoxLayout(self.lint_box)
        lint_layout.setContentsMargins(8, 4, 8, 4)
        self.lint_label = QLabel()
        self.lint_label.setWordWrap(True)
        self.lint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lint_layout.addWidget(self.lint_label)
        self.fit_input_button = QPushButton("Fit the Input to the data")
        self.fit_input_button.setToolTip("Give the Input node the shape of one sample")
        self.fit_input_button.clicked.connect(self._fit_input)
        self.fit_input_button.hide()
        lint_layout.addWidget(self.fit_input_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.lint_box.hide()
        column = QVBoxLayout()
        column.setSpacing(6)
        column.addLayout(controls)
        column.addLayout(readouts)
        column.addWidget(self.status_label)
        column.addWidget(self.lint_box)
        column.addWidget(self.plots, 1)
        return column

    # ---------------------------------------------------------------- layout
    def _fit_to_text(self) -> None:
        """Size what depends on the text to the font in use (larger in presentation mode)."""
        self._fit_pending = self._fit_stale = False
        metrics = self.fontMetrics()
        for label, widest in (
            (self.eta_label, "ETA 00:00:00"),
            (self.speed_label, "000,000,000 samples/s"),
        ):
            label.setFixedWidth(metrics.horizontalAdvance(widest) + 8)
        self.status_label.setFixedHeight(metrics.lineSpacing() * 2 + 4)
        # The settings column may be dragged narrower, but never so narrow that its
        # editors are squeezed under their minimum width.
        for editor in self._editors.values():
            editor.setMinimumWidth(EDITOR_CHARS * metrics.averageCharWidth())
        scroll = self.form_scroll
        # The layouts keep their old sizes until they next lay out (a posted event): ask anew.
        for layout in scroll.widget().findChildren(QLayout):
            layout.invalidate()
        scroll.setMinimumWidth(scroll.widget().minimumSizeHint().width() + self._form_frame())
        self._fit_plots()
        width = self.form_width()
        self.splitter.setSizes([width, max(1, sum(self.splitter.sizes()) - width)])

    def _form_frame(self) -> int:
        """The width the settings' scroll area adds to the form: its frame and scroll bar."""
        scroll = self.form_scroll
        return scroll.verticalScrollBar().sizeHint().width() + 2 * scroll.frameWidth()

    def _fit_plots(self, *_args: Any) -> None:
        """Give each plot the least size that shows its title and axes whole at the font in
        use, so a short or narrow dock shrinks the plots only down to a readable size.

        The metric plot's title names the metric chosen in the metric box: it gets room for
        the longest of them (called again when the box gets more). A line of text to spare
        leaves room for wider tick labels than the empty plots have."""
        text = QFontMetricsF(self.font())
        line = math.ceil(text.height())
        box = self.plots.metric_box
        names = [box.itemText(i) for i in range(box.count())]
        titles = [f"{name[:1].upper()}{name[1:]} per epoch" for name in names]
        for plot in self.plots.plots:
            item = plot.getPlotItem()
            least = item.effectiveSizeHint(Qt.SizeHint.MinimumSize)
            width = least.width()
            if plot is self.plots.metric_plot:
                now = max(1.0, text.horizontalAdvance(plot.title))
                widest = max(text.horizontalAdvance(title) for title in [*titles, plot.title])
                width += item.titleLabel.minimumWidth() * (widest / now - 1)
            plot.setMinimumSize(
                math.ceil(width) + line, math.ceil(least.height()) + PLOT_LINES * line
            )

    def default_form_width(self) -> int:
        """The width of the settings column that shows every setting and its longest choice
        (``sparse_categorical_crossentropy``) whole."""
        tabs = self.side.sizeHint().width() - self.form_scroll.sizeHint().width()
        return self.form_scroll.widget().sizeHint().width() + self._form_frame() + max(0, tabs)

    def form_width(self) -> int:
        """The settings column's width: the one the user dragged it to, else the default."""
        try:
            chars = float(QSettings().value(FORM_WIDTH_KEY, 0.0, type=float))
        except (TypeError, ValueError):  # a hand-edited settings file: use the default
            chars = 0.0
        if math.isfinite(chars) and chars > 0:
            return round(chars * self._char_width())
        return self.default_form_width()

    def _char_width(self) -> float:
        return max(1.0, QFontMetricsF(self.font()).averageCharWidth())

    def _form_width_moved(self, _pos: int, _index: int) -> None:
        """Keep the width the user dragged the settings column to, as a preference."""
        chars = self.splitter.sizes()[0] / self._char_width()
        QSettings().setValue(FORM_WIDTH_KEY, round(chars, 2))

    def changeEvent(self, event: QEvent) -> None:
        """Fit the layout to a new font or style once the change is complete (the theme
        sets the font, the palette and the style sheet one after the other); a hidden panel
        does so when it is shown, as the sizes of its hidden widgets are not up to date."""
        if event.type() == QEvent.Type.PaletteChange:
            self._paint_icons()
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_stale = True
            if self.isVisible():
                self._fit_soon()
        super().changeEvent(event)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._fit_stale:
            self._fit_soon()

    def _fit_soon(self) -> None:
        if not self._fit_pending:
            self._fit_pending = True
            QTimer.singleShot(0, self, self._fit_if_shown)

    def _fit_if_shown(self) -> None:
        if self.isVisible():
            self._fit_to_text()
        else:  # hidden since: fit when shown
            self._fit_pending = False

    # --------------------------------------------------------------- session
    def set_session(self, session: WindowEditor | None) -> None:
        """Edit the settings of ``session``'s project (a run in progress goes on)."""
        if self.session is not None:
            self.session.project.events.training.disconnect(self._load_form)
            self.session.project.events.dataset.disconnect(self._load_form)
        self.session = session
        self._dataset_cache = None
        self._confirmed_lint = None
        if session is not None:
            session.project.events.training.connect(self._load_form)
            session.project.events.dataset.connect(self._load_form)
        self._load_form()
        self.refresh_runs()
        if self.state == "idle":
            self._set_state("idle")

    def _set_state(self, state: str) -> None:
        self.state = state
        busy = state in ("running", "paused", "stopping")
        self.start_button.setEnabled(state == "idle" and self.session is not None)
        self.start_action.setEnabled(state == "idle")
        self.pause_button.setEnabled(state in ("running", "paused"))
        self.pause_action.setEnabled(state in ("running", "paused"))
        self.stop_button.setEnabled(state in ("running", "paused"))
        self.stop_action.setEnabled(state in ("running", "paused"))
        can_step = state in ("running", "paused") or (state == "idle" and self.session is not None)
        self.step_button.setEnabled(can_step)
        self.step_action.setEnabled(can_step)
        self.pause_button.setText("Resume" if state == "paused" else "Pause")
        self.pause_action.setText("&Resume" if state == "paused" else "&Pause")
        self.pause_action.setChecked(state == "paused")
        self._paint_icons()
        for name, editor in self._editors.items():
            editor.setEnabled(not busy and name not in self.locked_settings)
        self.state_changed.emit(state)
