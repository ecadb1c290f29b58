"""The training panel: settings, Start / Pause / Stop, progress, live curves and past runs.

The settings form edits the project's ``"training"`` and ``"dataset"`` slots through undo
commands, so a change marks the document modified and can be undone. Start loads the
dataset in a worker thread, shows what :func:`guibuilder.data.lint` finds, and starts a
:class:`~guibuilder.training.TrainingSession` (which builds, compiles and fits in its own
thread). A timer drains the session's event queue about 30 times a second and updates
the progress bar and the persistent curves; no Qt object is touched from a worker thread.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFontMetricsF, QHelpEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from guibuilder.errors import GuibuilderError
from guibuilder.inspect.snapshots import live_recorder
from guibuilder.training import memory
from guibuilder.training.config import METRICS, RANGES, ConfigError, TrainConfig
from guibuilder.training.events import (
    ActivationsEvent,
    BatchEvent,
    EpochEvent,
    PausedEvent,
    ResumedEvent,
    StartedEvent,
    TrainingEvent,
    WarningEvent,
)
from guibuilder.ui import icons
from guibuilder.ui.items import lock_html
from guibuilder.ui.live import keras_loader
from guibuilder.ui.session import Session
from guibuilder.ui.train_plots import TrainingPlots

#: How often the event queue is drained (ms): about 30 times a second.
DRAIN_MS = 33
#: Weight of the newest batch in the smoothed loss line.
SMOOTHING = 0.1
#: The form's sections and the settings in each, in order.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (title, tuple(names.split()))
    for title, names in (
        ("Data", "dataset validation_split shuffle"),
        ("Fitting", "epochs batch_size loss from_logits metrics"),
        ("Optimizer", "optimizer learning_rate momentum nesterov weight_decay clipnorm clipvalue"),
        (
            "Learning rate schedule",
            "schedule warmup_epochs decay_every decay_factor plateau_patience min_learning_rate",
        ),
        ("Stopping and checkpoints", "early_stopping patience monitor keep_best"),
        ("Hardware", "device mixed_precision strategy seed"),
    )
)
#: Settings shown only when another setting has one of some values.
SHOWN_WHEN: dict[str, tuple[str, tuple[Any, ...]]] = {
    "momentum": ("optimizer", ("sgd", "rmsprop")),
    "nesterov": ("optimizer", ("sgd",)),
    "decay_every": ("schedule", ("step",)),
    "decay_factor": ("schedule", ("step", "plateau")),
    "plateau_patience": ("schedule", ("plateau",)),
    "min_learning_rate": ("schedule", ("cosine", "plateau")),
    "patience": ("early_stopping", (True,)),
}
LABELS = {
    "validation_split": "Validation split",
    "batch_size": "Batch size",
    "from_logits": "From logits",
    "learning_rate": "Learning rate",
    "weight_decay": "Weight decay",
    "clipnorm": "Clip norm",
    "clipvalue": "Clip value",
    "warmup_epochs": "Warm-up epochs",
    "decay_every": "Decay every",
    "decay_factor": "Decay factor",
    "plateau_patience": "Plateau patience",
    "min_learning_rate": "Minimum rate",
    "early_stopping": "Early stopping",
    "keep_best": "Keep best",
    "mixed_precision": "Mixed precision",
}
PLACEHOLDERS = {
    "weight_decay": "optimizer default",
    "clipnorm": "none",
    "clipvalue": "none",
    "seed": "random",
}
FILE_ITEM = "__file__"
#: Settings key (a preference, not project data): the width the user dragged the settings
#: column to, in average characters of the interface font, so it grows with larger text.
FORM_WIDTH_KEY = "training/form_width"
#: The least height of a plot, in lines of text: room for its curves under the title.
PLOT_LINES = 5
#: The least width of an editor in the form, in average characters.
EDITOR_CHARS = 17
LOCKED_TIP = "Locked by the teacher: this setting cannot change."


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return "unknown"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _number_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class _ElidingCombo(QComboBox):
    """A combo box that shortens a choice too long for it in the middle (``sparse_ca…entropy``),
    where a name's two ends stay readable, and shows it whole in its tooltip."""

    def _field(self) -> tuple[QStyleOptionComboBox, int]:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, self
        )
        return option, field.width() - 2  # the style draws the text 1 px in from each side

    def elided(self) -> bool:
        """Whether the current choice is shortened to fit."""
        _, width = self._field()
        return self.fontMetrics().horizontalAdvance(self.currentText()) > width

    def paintEvent(self, event: Any) -> None:
        if self.isEditable():
            super().paintEvent(event)
            return
        option, width = self._field()
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideMiddle, width
        )
        painter = QStylePainter(self)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)

    def elided_tip(self) -> str | None:
        """The tooltip of a shortened choice: the choice whole, then the help; else None."""
        if self.isEditable() or not self.elided():
            return None
        help_text = self.toolTip()
        return f"{self.currentText()}\n\n{help_text}" if help_text else self.currentText()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and (text := self.elided_tip()) is not None:
            assert isinstance(event, QHelpEvent)
            QToolTip.showText(event.globalPos(), text, self)
            return True
        return super().event(event)


class _DataLoader(QObject):
    """Loads a dataset in a daemon thread; ``done`` arrives in the GUI thread."""

    done = Signal(object, str, str)  # dataset or None, error message, cache key

    def load(self, spec: Any, base_dir: Path | None, key: str) -> None:
        threading.Thread(
            target=self._work, args=(spec, base_dir, key), name="guibuilder-data", daemon=True
        ).start()

    def _work(self, spec: Any, base_dir: Path | None, key: str) -> None:
        from guibuilder.data import load_dataset

        try:
            dataset = load_dataset(spec, base_dir=base_dir)
        except GuibuilderError as exc:
            self.done.emit(None, exc.message, key)
            return
        except Exception as exc:  # a broken file must not take the window down
            self.done.emit(None, f"the dataset cannot be loaded: {exc}", key)
            return
        self.done.emit(dataset, "", key)


class TrainingPanel(QWidget):
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
        self.session: Session | None = None
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
        self._owner: Session | None = None
        self._ending: TrainingEvent | None = None
        self._dataset_cache: tuple[str, Any] | None = None
        #: Run folder -> (history file's mtime and size, its history), for the runs list.
        self._histories: dict[Path, tuple[tuple[int, int] | None, dict]] = {}
        self._confirmed_lint: str | None = None
        self._input_fix: str | None = None
        self._editors: dict[str, QWidget] = {}
        self._rows: dict[str, QWidget] = {}
        self._loader = _DataLoader(self)
        self._loader.done.connect(self._data_loaded)
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

    def _build_form(self) -> QWidget:
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(4, 0, 8, 4)
        column.setSpacing(2)
        hints = {f.name: f for f in fields(TrainConfig)}
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(5)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for title, names in SECTIONS:
            heading = QLabel(title.upper())
            heading.setProperty("role", "section")
            form.addRow(heading)
            for name in names:
                editor = self._dataset_editor() if name == "dataset" else self._editor(hints[name])
                editor.setObjectName(f"training_{name}")
                self._editors[name] = editor
                label = QLabel(_label(name))
                label.setToolTip(editor.toolTip())
                form.addRow(label, editor)
                self._rows[name] = label
        column.addLayout(form)
        self.form_error = QLabel()
        self.form_error.setProperty("role", "error")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        column.addWidget(self.form_error)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_scroll = scroll
        return scroll

    def _dataset_editor(self) -> QComboBox:
        from guibuilder.data import list_datasets

        box = _ElidingCombo()
        box.setToolTip("The data the model trains on")
        for info in list_datasets():
            text = info.name if info.available else f"{info.name} (not downloaded)"
            box.addItem(text, info.name)
            box.setItemData(box.count() - 1, info.description or info.title, Qt.ToolTipRole)
        box.addItem("Your own file…", FILE_ITEM)
        box.setMaxVisibleItems(20)
        box.activated.connect(self._dataset_chosen)
        return box

    def _editor(self, spec: Any) -> QWidget:
        name, kind = spec.name, str(spec.type)
        help_text = spec.metadata.get("help", "")
        choices = spec.metadata.get("choices", ())
        if name == "metrics":
            editor: QWidget = self._metrics_editor()
        elif kind == "bool":
            editor = QCheckBox()
            editor.toggled.connect(lambda on, n=name: self._commit(n, on))
        elif kind == "bool | None":
            editor = _ElidingCombo()
            for text, value in (("auto", None), ("yes", True), ("no", False)):
                editor.addItem(text, value)
            editor.activated.connect(lambda _i, n=name, e=editor: self._commit(n, e.currentData()))
        elif choices or name == "device":
            editor = _ElidingCombo()
            editor.addItems(list(choices) or ["auto", "cpu", "gpu"])
            editor.setEditable(name == "device")
            if name == "device":
                editor.lineEdit().editingFinished.connect(
                    lambda e=editor: self._commit("device", e.currentText().strip())
                )
            editor.activated.connect(lambda _i, n=name, e=editor: self._commit(n, e.currentText()))
        elif kind == "int":
            editor = QSpinBox()
            low, high = RANGES[name]
            editor.setRange(int(low), int(high))
            editor.setKeyboardTracking(False)
            editor.valueChanged.connect(lambda v, n=name: self._commit(n, v))
        else:
            editor = QLineEdit()
            editor.setPlaceholderText(PLACEHOLDERS.get(name, ""))
            editor.editingFinished.connect(lambda n=name, e=editor: self._commit_text(n, e))
        editor.setToolTip(help_text)
        return editor

    def _metrics_editor(self) -> QPushButton:
        """A button that opens a menu of metrics to tick, and reads like the combo boxes."""
        button = QPushButton()
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.setProperty("picker", True)
        menu = QMenu(button)
        auto = menu.addAction("auto (per task)")
        auto.setCheckable(True)
        auto.setData(None)
        menu.addSeparator()
        for metric in METRICS:
            action = menu.addAction(metric)
            action.setCheckable(True)
            action.setData(metric)
        menu.triggered.connect(self._metric_toggled)
        button.setMenu(menu)
        return button

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
    def set_session(self, session: Session | None) -> None:
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

    def config(self) -> TrainConfig:
        """The project's training settings (the defaults for a project without any)."""
        training = self.session.project.training if self.session is not None else None
        return TrainConfig.from_dict(training)

    def _load_form(self) -> None:
        """Show the project's settings in the form without writing them back."""
        try:
            config = self.config()
            error = ""
        except ConfigError as exc:
            config, error = TrainConfig(), f"{exc.message}."
        self._show_form_error(error)
        values = config.to_dict()
        for name, editor in self._editors.items():
            editor.blockSignals(True)
            if name == "dataset":
                self._show_dataset(editor)
            elif name == "metrics":
                self._show_metrics(editor, values["metrics"])
            elif isinstance(editor, QCheckBox):
                editor.setChecked(bool(values[name]))
            elif isinstance(editor, QSpinBox):
                editor.setValue(int(values[name]))
            elif isinstance(editor, QComboBox) and name == "from_logits":
                editor.setCurrentIndex(editor.findData(values[name]))
            elif isinstance(editor, QComboBox):
                editor.setCurrentText(str(values[name]))
            elif isinstance(editor, QLineEdit):
                editor.setText(_number_text(values[name]))
                editor.setProperty("invalid", False)
                editor.style().polish(editor)
            editor.blockSignals(False)
        self._show_relevant(values)

    def _show_dataset(self, box: QComboBox) -> None:
        spec = self.session.project.dataset if self.session is not None else None
        name = spec.get("name") if isinstance(spec, dict) else None
        path = spec.get("path") if isinstance(spec, dict) else None
        for i in range(box.count() - 1, -1, -1):
            if str(box.itemData(i)).startswith("file:"):
                box.removeItem(i)
        if path:
            box.insertItem(box.count() - 1, f"{Path(str(path)).name} (file)", f"file:{path}")
            box.setCurrentIndex(box.count() - 2)
        elif name is not None and box.findData(name) >= 0:
            box.setCurrentIndex(box.findData(name))
        else:
            box.setCurrentIndex(-1)
            box.setPlaceholderText("Choose a dataset")

    def _show_metrics(self, button: QPushButton, metrics: list[str] | None) -> None:
        for action in button.menu().actions():
            if action.isCheckable():
                data = action.data()
                action.setChecked(metrics is None if data is None else data in (metrics or []))
        if metrics is None:
            button.setText("auto")
        else:
            button.setText(", ".join(metrics) if metrics else "none")

    def _show_relevant(self, values: dict[str, Any]) -> None:
        for name, (other, allowed) in SHOWN_WHEN.items():
            visible = values.get(other) in allowed
            self._editors[name].setVisible(visible)
            self._rows[name].setVisible(visible)

    def _show_form_error(self, text: str) -> None:
        self.form_error.setText(text)
        self.form_error.setVisible(bool(text))

    # ---------------------------------------------------------------- writes
    def _commit(self, name: str, value: Any) -> None:
        """Set one training setting through the undo stack; a refused value is explained."""
        if self.session is None:
            return
        try:
            current = self.config().to_dict()
        except ConfigError:
            current = TrainConfig().to_dict()
        if current.get(name) == value and self.session.project.training is not None:
            return
        editor = self._editors.get(name)
        try:
            new = TrainConfig.from_dict({**current, name: value})
        except ConfigError as exc:
            self._mark(editor, True)
            self._show_form_error(f"{exc.message}.")
            return
        self._mark(editor, False)
        self._show_form_error("")
        self.session.set_slot("training", new.to_dict(), f"Set {_label(name).lower()}")

    def _commit_text(self, name: str, editor: QLineEdit) -> None:
        text = editor.text().strip()
        if not text:
            value: Any = None
        else:
            try:
                number = float(text)
            except ValueError:
                self._mark(editor, True)
                self._show_form_error(f"{_label(name)} must be a number, not {text!r}.")
                return
            value = int(number) if name == "seed" and number.is_integer() else number
        self._commit(name, value)

    def _mark(self, editor: QWidget | None, invalid: bool) -> None:
        if editor is not None:
            editor.setProperty("invalid", invalid)
            editor.style().polish(editor)

    def _metric_toggled(self, action: QAction) -> None:
        menu = action.parent()
        if action.data() is None:
            metrics = None if action.isChecked() else []
        else:
            metrics = [
                a.data() for a in menu.actions() if a.isCheckable() and a.data() and a.isChecked()
            ]
        self._commit("metrics", metrics)
        self._load_form()

    def _dataset_chosen(self, index: int) -> None:
        box = self._editors["dataset"]
        data = box.itemData(index)
        if data == FILE_ITEM:
            path, _ = QFileDialog.getOpenFileName(
                self, "Choose a dataset file", "", "Data files (*.csv *.npz *.npy);;All files (*)"
            )
            if path:
                self.set_dataset({"path": path})
            else:
                self._load_form()
        elif isinstance(data, str) and not data.startswith("file:"):
            self.set_dataset(data)

    def set_dataset(self, source: str | dict[str, Any]) -> None:
        """Choose the dataset by name or spec dict (an undoable change)."""
        if self.session is None:
            return
        spec = {"name": source} if isinstance(source, str) else dict(source)
        old = self.session.project.dataset or {}
        if spec.get("name") is not None and spec.get("name") == old.get("name"):
            return
        label = spec.get("name") or Path(str(spec.get("path"))).name
        self.session.set_slot("dataset", spec, f"Use dataset {label}")

    # ------------------------------------------------------------------ runs
    def run_root(self) -> Path:
        """Where run folders go: ``runs`` beside a saved project, else the app's data folder."""
        if self.run_root_override is not None:
            return self.run_root_override
        if self.session is not None and self.session.path is not None:
            return self.session.path.parent / "runs"
        base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
        return Path(base) / "runs"

    def start(self) -> None:
        """Load the data, lint, and start a run (a second click after lint errors forces it)."""
        self._begin(step_first=False)

    def step(self) -> None:
        """Train exactly one batch, then pause.

        A running or paused run takes one more step; with no run, one starts as Start does
        and pauses after its first batch.
        """
        if self.training is not None and self.state in ("running", "paused"):
            self.training.step()
            self._set_state("paused")
        elif self.state == "idle":
            self._begin(step_first=True)

    def _begin(self, step_first: bool) -> None:
        if self.session is None or self.state != "idle":
            return
        self._step_first = step_first
        try:
            self.config()
        except ConfigError as exc:
            self._fail_before_start(f"{exc.message}.")
            return
        spec = self.session.project.dataset
        if not spec:
            self._fail_before_start("Choose a dataset in the training settings first.")
            return
        key = json.dumps(spec, sort_keys=True, default=str)
        if self._dataset_cache is not None and self._dataset_cache[0] == key:
            self._lint_and_run(self._dataset_cache[1])
            return
        self._set_state("loading")
        self.status_label.setText("Loading the dataset…")
        base = self.session.path.parent if self.session.path is not None else None
        self._loader.load(spec, base, key)

    def _data_loaded(self, dataset: Any, error: str, key: str) -> None:
        if self.state != "loading":
            return
        self._set_state("idle")
        if dataset is None:
            self._fail_before_start(f"{error[0].upper()}{error[1:]}.")
            return
        self._dataset_cache = (key, dataset)
        self._lint_and_run(dataset)

    def _show_lint(self, dataset: Any) -> tuple[list[Any], str]:
        """Show what lint finds for ``dataset``; return the findings and their text."""
        from guibuilder.data import lint

        assert self.session is not None
        project = self.session.project
        findings = lint(project.graph, self.session.shapes.results(), dataset, project.training)
        lines = [f"{'✗' if f.level == 'error' else '⚠'} {f.message}" for f in findings]
        self.lint_label.setText("\n".join(lines))
        self.lint_box.setVisible(bool(lines))
        self._input_fix = next(
            (f.node_ids[0] for f in findings if f.code == "input-shape" and f.node_ids), None
        )
        self.fit_input_button.setVisible(self._input_fix is not None)
        return findings, "\n".join(lines)

    def _fit_input(self) -> None:
        """The user confirms: the Input node takes the shape of the dataset's samples."""
        from guibuilder.data.lint import input_params_for

        if self.session is None or self._input_fix is None or self._dataset_cache is None:
            return
        dataset = self._dataset_cache[1]
        try:
            self.session.set_params(self._input_fix, input_params_for(dataset))
        except GuibuilderError as exc:
            self.message.emit(f"{exc.message}.")
            return
        self._show_lint(dataset)
        self.message.emit(f"The Input now takes samples of {dataset.name}.")

    def _lint_and_run(self, dataset: Any) -> None:
        findings, key = self._show_lint(dataset)
        errors = [f for f in findings if f.level == "error"]
        if errors and self._confirmed_lint != key:
            self._confirmed_lint = key
            count = len(errors)
            self.status_label.setText(
                f"The model and the data do not fit ({count} problem{'s' if count > 1 else ''}"
                "): fix them, or press Start again to train anyway."
            )
            self.start_button.setText("Train anyway")
            self.message.emit("Training not started: the model and the data do not fit.")
            return
        self._run(dataset)

    def _live_recorder(self, dataset: Any) -> Any:
        """What records the activations of the probe sample ``probe_source`` gives, if any."""
        probe = self.probe_source(dataset) if self.probe_source is not None else None
        return None if probe is None else live_recorder(probe)

    def _run(self, dataset: Any) -> None:
        from guibuilder.training import TrainingSession

        assert self.session is not None
        project = self.session.project
        name = project.path.stem if project.path is not None else (project.graph.name or "model")
        try:
            session = TrainingSession(
                project.graph,
                dataset,
                self.config(),
                weights=project.weights,
                run_root=self.run_root(),
                name=name,
                release_memory=False,
                recorder=self._live_recorder(dataset),
            )
        except GuibuilderError as exc:
            self._fail_before_start(f"{exc.message}.")
            return
        self.training = session
        self._owner = self.session
        self._ending = None
        self._confirmed_lint = None
        self.start_button.setText("Train")
        self._reset_live()
        self.plots.start_live()
        self.progress.setRange(0, 0)
        self.progress.setFormat("Building the model…")
        self.eta_label.setText("")
        self.speed_label.setText("")
        self.status_label.setStyleSheet("")
        self.status_label.setText(f"Training on {dataset.name}…")
        if self._step_first:
            session.step()
        session.start()
        self._timer.start()
        self._set_state("paused" if self._step_first else "running")

    def _fail_before_start(self, text: str) -> None:
        self._set_state("idle")
        self._show_status(text, "error")
        self.message.emit(text)

    def _toggle_pause(self) -> None:
        if self.training is None or self.state not in ("running", "paused"):
            return
        if self.state == "running":
            self.training.pause()
            self._set_state("paused")
        else:
            self.training.resume()
            self._set_state("running")

    def stop(self) -> None:
        """Ask the run to stop after the current batch."""
        if self.training is not None and self.state in ("running", "paused"):
            self.training.stop()
            self._set_state("stopping")
            self.progress.setFormat("Stopping…")

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop a run in progress and wait for its thread (the window is closing)."""
        if self.training is not None:
            self.training.stop()
            self.training.wait(timeout)
        self._timer.stop()

    # ---------------------------------------------------------------- events
    def _reset_live(self) -> None:
        self._steps = 1
        self._epochs = 1
        self._batch_x: list[float] = []
        self._batch_raw: list[float] = []
        self._batch_smooth: list[float] = []
        self._ema = 0.0
        self._ema_n = 0
        self._history: dict[str, list[float]] = {}
        self._dirty_batches = False
        self._dirty_epochs = False

    def drain(self) -> None:
        """Handle the events waiting on the queue and redraw one plot whose data changed (the
        timer's slot; see :meth:`TrainingPlots.redraw`)."""
        session = self.training
        if session is None:
            self._timer.stop()
            return
        for event in session.drain(limit=5000):
            self._handle(event)
        if self._dirty_batches:
            self.plots.set_batches(self._batch_x, self._batch_raw, self._batch_smooth)
            self._dirty_batches = False
        if self._dirty_epochs:
            self.plots.set_history(self._history)
            self._dirty_epochs = False
        self.plots.redraw(limit=1)
        if self._ending is not None and session.wait(0):
            self._finish(self._ending)

    def _handle(self, event: TrainingEvent) -> None:
        if isinstance(event, BatchEvent):
            self._on_batch(event)
        elif isinstance(event, EpochEvent):
            self._on_epoch(event)
        elif isinstance(event, StartedEvent):
            self._on_started(event)
        elif isinstance(event, ActivationsEvent):
            self.activations.emit(event)
        elif isinstance(event, WarningEvent):
            self.message.emit(f"{event.message[0].upper()}{event.message[1:]}.")
        elif isinstance(event, PausedEvent):
            self._on_paused(event)
        elif isinstance(event, ResumedEvent):
            self._set_progress_text(event.epoch)
        elif event.terminal:
            self._ending = event

    def _on_started(self, event: StartedEvent) -> None:
        self._steps = max(1, event.steps_per_epoch)
        self._epochs = event.epochs
        self.progress.setRange(0, self._steps * self._epochs)
        self.progress.setValue(0)
        self._set_progress_text(1)
        self.device_label.setText(f"{event.device} · {event.backend}")
        self.plots.start_live(event.metrics)
        self.status_label.setText(
            f"Training {event.params:,} parameters on {event.train_samples:,} samples "
            f"({event.val_samples:,} for validation), loss {event.loss}, seed {event.seed}."
        )

    def _on_batch(self, event: BatchEvent) -> None:
        loss = float(event.loss)
        self._batch_x.append(event.global_step / self._steps)
        self._batch_raw.append(loss)
        if math.isfinite(loss):
            self._ema_n += 1
            self._ema = (1 - SMOOTHING) * self._ema + SMOOTHING * loss
            self._batch_smooth.append(self._ema / (1 - (1 - SMOOTHING) ** self._ema_n))
        else:
            self._batch_smooth.append(math.nan)
        self._dirty_batches = True
        if self.state not in ("paused", "stopping"):
            self.progress.setValue((event.epoch - 1) * self._steps + event.step)
            self._set_progress_text(event.epoch)
        self.eta_label.setText(f"ETA {_duration(event.eta_s)}")
        self.speed_label.setText(f"{event.samples_per_s:,.0f} samples/s")

    def _on_epoch(self, event: EpochEvent) -> None:
        if event.partial:
            return
        self._history.setdefault("epoch", []).append(float(event.epoch))
        for key, value in event.logs.items():
            self._history.setdefault(key, []).append(float(value))
        self._dirty_epochs = True
        if self.state not in ("paused", "stopping"):
            self.progress.setValue(event.epoch * self._steps)
            self._set_progress_text(min(event.epoch + 1, self._epochs))
        self.eta_label.setText(f"ETA {_duration(event.eta_s)}")
        self.speed_label.setText(f"{event.samples_per_s:,.0f} samples/s")

    def _on_paused(self, event: PausedEvent) -> None:
        """Show where the run waits; in step mode that moves on by one batch per step.

        A paused run has no time left to estimate, so the ETA is cleared.
        """
        self.progress.setValue((event.epoch - 1) * self._steps + event.step)
        self.progress.setFormat(
            f"Paused · epoch {event.epoch}/{self._epochs}, step {event.step}/{self._steps}"
        )
        self.eta_label.setText("")

    def _set_progress_text(self, epoch: int) -> None:
        self.progress.setFormat(f"Epoch {epoch}/{self._epochs} · %p%")

    def _finish(self, event: TrainingEvent) -> None:
        self._timer.stop()
        self.plots.redraw()
        session, owner = self.training, self._owner
        self.training = None
        self._owner = None
        self._ending = None
        status = event.kind
        text = f"{event.message[0].upper()}{event.message[1:]}."
        run_dir = getattr(event, "run_dir", None)
        if status in ("finished", "stopped"):
            self.progress.setRange(0, max(1, self.progress.maximum()))
            if status == "finished":
                self.progress.setValue(self.progress.maximum())
            self.progress.setFormat("Finished" if status == "finished" else "Stopped")
            self.eta_label.setText("")
            result = session.result if session is not None else None
            if result is not None and result.weights is not None and owner is self.session:
                owner.set_slot("weights", result.weights, "Train model")
                text += " The trained weights are kept in the project (undo to drop them)."
            self._show_status(text, "ok" if status == "finished" else "muted")
        else:
            self.progress.setRange(0, max(1, self.progress.maximum()))
            self.progress.setFormat("Failed")
            self.eta_label.setText("")
            self._show_status(text, "error")
        if run_dir is not None:
            self.status_label.setToolTip(f"Run folder: {run_dir}")
        self.last_status = status
        self.last_result = session.result if session is not None else None
        self.message.emit(text)
        self._set_state("idle")
        self.refresh_runs()
        memory.release()  # here, not in the worker: it may finalise this thread's Qt objects
        self.run_ended.emit(status)

    def _show_status(self, text: str, kind: str) -> None:
        from guibuilder.ui import theme

        t = theme.current()
        color = {"error": t.error, "ok": t.ok, "muted": t.muted}[kind]
        self.status_label.setStyleSheet(f"color: {color};")
        self.status_label.setText(text)

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

    def lock_settings(self, names: set[str]) -> None:
        """Disable the editors of the settings a teacher locked, and say so beside them."""
        self.locked_settings = set(names)
        for name, label in self._rows.items():
            locked = name in self.locked_settings
            label.setText(f"{lock_html()} {_label(name)}" if locked else _label(name))
            label.setToolTip(LOCKED_TIP if locked else self._editors[name].toolTip())
        self._set_state(self.state)

    def _show_loader_device(self) -> None:
        """Before the first run, the device Keras found when it loaded."""
        loader = keras_loader()
        if loader.ready and not self.device_label.text():
            self.device_label.setText(f"{loader.device} · {loader.backend}")

    # ------------------------------------------------------------- runs list
    def refresh_runs(self) -> None:
        """List the run folders under :meth:`run_root`, newest first."""
        from guibuilder.training import list_runs

        ticked = set(self._ticked_paths())
        self.runs_list.blockSignals(True)
        self.runs_list.clear()
        known, self._histories = self._histories, {}
        for path in reversed(list_runs(self.run_root())):
            history = self._run_history(path, known)
            item = QListWidgetItem(self._run_text(path, history))
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if str(path) in ticked else Qt.CheckState.Unchecked
            )
            self.runs_list.addItem(item)
        self.runs_list.blockSignals(False)
        self._runs_ticked()

    def _run_history(self, path: Path, known: dict[Path, Any]) -> dict[str, list[float]]:
        """A run's history, read again only when its file has changed since ``known``."""
        from guibuilder.training import read_history
        from guibuilder.training.runs import HISTORY

        try:
            info = (path / HISTORY).stat()
            stamp = (info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = None
        cached = known.get(path)
        if cached is None or cached[0] != stamp:
            try:
                cached = (stamp, read_history(path))
            except GuibuilderError:
                cached = (stamp, {})
        self._histories[path] = cached
        return cached[1]

    @staticmethod
    def _run_text(path: Path, history: dict[str, list[float]]) -> str:
        stamp, _, name = path.name.partition("-")
        clock, _, name = name.partition("-")
        when = f"{clock[:2]}:{clock[2:4]}:{clock[4:6]}" if len(clock) == 6 else stamp
        epochs = len(history.get("epoch", []))
        key = "val_loss" if history.get("val_loss") else "loss"
        tail = f"{key} {history[key][-1]:.3g}" if history.get(key) else "no epoch"
        return f"{name or path.name}  {when}\n{epochs} epoch{'s' if epochs != 1 else ''} · {tail}"

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
