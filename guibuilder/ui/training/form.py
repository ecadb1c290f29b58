"""The training panel's settings form: one editor per training setting, in sections.

The form edits the project's ``"training"`` and ``"dataset"`` slots through the window's
editor, so a change marks the document modified and can be undone; a setting the teacher
locked stays disabled. It follows the project's events (see :meth:`TrainingPanel.set_session`).
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QHelpEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from guibuilder.training.config import METRICS, RANGES, ConfigError, TrainConfig
from guibuilder.ui.canvas.items import lock_html
from guibuilder.ui.edit_runs import merge_key

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


#: The least width of an editor in the form, in average characters.
EDITOR_CHARS = 17


LOCKED_TIP = "Locked by the teacher: this setting cannot change."


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


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


class SettingsForm:
    """The settings part of :class:`~guibuilder.ui.training.panel.TrainingPanel`."""

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
        key = merge_key(editor) if editor is not None else None
        self.session.set_slot("training", new.to_dict(), f"Set {_label(name).lower()}", key)

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

    def lock_settings(self, names: set[str]) -> None:
        """Disable the editors of the settings a teacher locked, and say so beside them."""
        self.locked_settings = set(names)
        for name, label in self._rows.items():
            locked = name in self.locked_settings
            label.setText(f"{lock_html()} {_label(name)}" if locked else _label(name))
            label.setToolTip(LOCKED_TIP if locked else self._editors[name].toolTip())
        self._set_state(self.state)
