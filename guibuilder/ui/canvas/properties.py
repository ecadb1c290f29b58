"""The inspector: a form generated from the selected layer's parameter schema.

Each field commits through the session (one undo step per change). A value the catalog
refuses is shown in red under the field with the reason, and the graph is not changed.
Graph events refresh the form with its signals blocked, so updates never bounce back.
A layer the teacher locked is shown read-only, each field saying why in its tooltip.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from guibuilder import catalog
from guibuilder.catalog import ParamError, ParamSpec
from guibuilder.catalog.text import display_value, parse_value
from guibuilder.catalog.values import MAX_SIZE
from guibuilder.editing.quickfix import QuickFix, quick_fixes
from guibuilder.errors import GuibuilderError
from guibuilder.ui import theme
from guibuilder.ui.canvas.items import format_count, format_shapes, lock_html
from guibuilder.ui.canvas.palette import abbreviation
from guibuilder.ui.edit_runs import merge_key
from guibuilder.ui.window_editor import WindowEditor

#: The largest number a spin box holds (Qt's int).
INT_LIMIT = 2**31 - 1
LOCKED_TIP = "Locked by the teacher: this layer's settings cannot change."


def _label(text: str, role: str = "", wrap: bool = False) -> QLabel:
    label = QLabel(text)
    if role:
        label.setProperty("role", role)
    label.setWordWrap(wrap)
    return label


class ParamField(QWidget):
    """Editor, help line and error line of one parameter."""

    committed = Signal(str, object)

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.editor = self._make_editor()
        self.error = _label("", "error", wrap=True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 6)
        layout.setSpacing(2)
        if spec.kind != "bool":
            layout.addWidget(_label(spec.name))
        layout.addWidget(self.editor)
        layout.addWidget(_label(spec.help, "help", wrap=True))
        layout.addWidget(self.error)
        self.editor.setToolTip(spec.help)

    def _make_editor(self) -> QWidget:
        spec = self.spec
        if spec.kind == "bool":
            box = QCheckBox(spec.name)
            box.toggled.connect(lambda on: self.committed.emit(spec.name, on))
            return box
        if spec.kind == "int" and not spec.optional:
            spin = QSpinBox()
            low = spec.minimum if spec.minimum is not None else -MAX_SIZE
            high = spec.maximum if spec.maximum is not None else MAX_SIZE
            spin.setRange(int(max(low, -INT_LIMIT)), int(min(high, INT_LIMIT)))
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(lambda v: self.committed.emit(spec.name, v))
            return spin
        if spec.kind == "float" and spec.minimum is not None and spec.maximum is not None:
            spin = QDoubleSpinBox()
            spin.setDecimals(4)
            spin.setRange(spec.minimum, spec.maximum)
            spin.setSingleStep(0.05 if spec.maximum - spec.minimum <= 1 else 0.1)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(lambda v: self.committed.emit(spec.name, v))
            return spin
        if spec.kind in ("choice", "activation"):
            combo = QComboBox()
            combo.addItems([str(c) for c in spec.choices])
            combo.setMaxVisibleItems(16)
            combo.activated.connect(lambda i: self.committed.emit(spec.name, spec.choices[i]))
            return combo
        if spec.kind in ("initializer", "regularizer", "constraint"):
            combo = QComboBox()
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            if spec.optional or spec.kind != "initializer":
                combo.addItem("")
            combo.addItems([str(c) for c in spec.choices])
            combo.lineEdit().setPlaceholderText("none")
            combo.activated.connect(lambda _i: self._commit_text(combo.currentText()))
            combo.lineEdit().editingFinished.connect(lambda: self._commit_text(combo.currentText()))
            return combo
        edit = QLineEdit()
        if spec.optional:
            edit.setPlaceholderText("none")
        edit.editingFinished.connect(lambda: self._commit_text(edit.text()))
        return edit

    def _commit_text(self, text: str) -> None:
        try:
            value = parse_value(self.spec, text)
        except ParamError as exc:
            self.show_error(exc.message)
            return
        self.committed.emit(self.spec.name, value)

    def set_value(self, value: Any) -> None:
        """Show ``value`` without emitting anything, and clear any error."""
        editor = self.editor
        editor.blockSignals(True)
        if isinstance(editor, QComboBox) and editor.isEditable():
            editor.lineEdit().blockSignals(True)
            editor.setEditText(display_value(self.spec, value))
            editor.lineEdit().blockSignals(False)
        elif isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QSpinBox | QDoubleSpinBox):
            editor.setValue(value)
        elif isinstance(editor, QComboBox):
            if editor.findText(str(value)) < 0:
                editor.addItem(str(value))
            editor.setCurrentText(str(value))
        else:
            editor.setText(display_value(self.spec, value))
            editor.setCursorPosition(0)
        editor.blockSignals(False)
        self.show_error("")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.editor.setProperty("invalid", bool(message))
        self.editor.style().unpolish(self.editor)
        self.editor.style().polish(self.editor)


class InspectorPanel(QScrollArea):
    """Shows and edits the one selected node."""

    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.session: WindowEditor | None = None
        self.node_id: str | None = None
        self.fields: dict[str, ParamField] = {}
        self.name_edit: QLineEdit | None = None
        self.trainable_box: QCheckBox | None = None
        self.error_box: QFrame | None = None
        self.error_label: QLabel | None = None
        self.shape_label: QLabel | None = None
        self.params_label: QLabel | None = None
        self.fixes_layout: QVBoxLayout | None = None
        self.fix_buttons: list[QPushButton] = []
        self._fixes_key: tuple | None = None
        self._graph_version = 0  # counts graph changes, so fixes are worked out again
        self._empty("Select a layer on the canvas to edit its settings.")

    # ------------------------------------------------------------ binding
    def set_session(self, session: WindowEditor | None) -> None:
        if self.session is not None:
            self.session.graph.events.node_changed.disconnect(self._on_node_changed)
            self.session.graph.events.changed.disconnect(self._graph_changed)
            self.session.shapes.updated.disconnect(self.refresh_info)
        self.session = session
        if session is not None:
            session.graph.events.node_changed.connect(self._on_node_changed)
            session.graph.events.changed.connect(self._graph_changed)
            session.shapes.updated.connect(self.refresh_info)
        self.show_node(None)

    def show_nodes(self, node_ids: list[str]) -> None:
        """Follow the canvas selection: one node is edited, several are counted."""
        if len(node_ids) == 1:
            self.show_node(node_ids[0])
        elif node_ids:
            self.node_id = None
            self._empty(f"{len(node_ids)} layers selected.")
        else:
            self.show_node(None)

    def show_node(self, node_id: str | None) -> None:
        if self.session is None or node_id is None or node_id not in self.session.graph:
            self.node_id = None
            self._empty("Select a layer on the canvas to edit its settings.")
            return
        self.node_id = node_id
        self._fixes_key = None
        self._build()
        self.refresh_values()
        self.refresh_info()

    # ------------------------------------------------------------ building
    def _empty(self, text: str) -> None:
        self.fields = {}
        self.name_edit = self.trainable_box = None
        self.error_box = self.error_label = self.shape_label = self.params_label = None
        self.fixes_layout = None
        self.fix_buttons = []
        self._fixes_key = None
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 24, 16, 16)
        label = _label(text, "muted", wrap=True)
        label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(label)
        layout.addStretch(1)
        self.setWidget(page)

    def _build(self) -> None:
        assert self.session is not None and self.node_id is not None
        graph = self.session.graph
        node = graph.node(self.node_id)
        spec = catalog.get(node.type_id)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(4)

        header = QHBoxLayout()
        tile = QLabel(abbreviation(spec.type_id))
        tile.setFixedSize(30, 30)
        tile.setAlignment(Qt.AlignmentFlag.AlignCenter)
        color = theme.category_color(spec.category).name()
        tile.setStyleSheet(f"background:{color}; color:white; border-radius:6px; font-weight:bold;")
        header.addWidget(tile)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(_label(spec.type_id, "heading"))
        link = QLabel(f'<a href="{spec.url}">Keras docs ↗</a>')
        link.setOpenExternalLinks(True)
        link.setToolTip(spec.url)
        titles.addWidget(link)
        header.addLayout(titles, 1)
        layout.addLayout(header)
        layout.addWidget(_label(spec.summary, "muted", wrap=True))
        locked = self.locked
        if locked:
            note = _label(f"{lock_html()}&nbsp; {LOCKED_TIP}", "muted", wrap=True)
            note.setObjectName("lockNote")
            t = theme.current()
            note.setStyleSheet(
                f"#lockNote {{ border: 1px solid {t.border}; border-radius: 4px;"
                f" background: {t.alt_base}; padding: 5px 7px; }}"
            )
            layout.addWidget(note)

        self.error_box = QFrame()
        self.error_box.setProperty("role", "errorbox")
        box_layout = QVBoxLayout(self.error_box)
        box_layout.setContentsMargins(8, 6, 8, 6)
        self.error_label = _label("", "error", wrap=True)
        box_layout.addWidget(self.error_label)
        self.fixes_layout = QVBoxLayout()
        self.fixes_layout.setSpacing(4)
        box_layout.addLayout(self.fixes_layout)
        layout.addWidget(self.error_box)

        self.shape_label = QLabel()
        self.shape_label.setFont(theme.mono_font(9))
        self.shape_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.params_label = _label("", "muted")
        layout.addWidget(_label("OUTPUT", "section"))
        layout.addWidget(self.shape_label)
        layout.addWidget(self.params_label)

        layout.addWidget(_label("LAYER", "section"))
        layout.addWidget(_label("name"))
        self.name_edit = QLineEdit()
        self.name_edit.editingFinished.connect(self._rename)
        layout.addWidget(self.name_edit)
        self.trainable_box = QCheckBox("trainable")
        self.trainable_box.setToolTip("Untick to freeze this layer's weights during training.")
        self.trainable_box.toggled.connect(self._set_trainable)
        layout.addWidget(self.trainable_box)
        if node.shares:
            layout.addWidget(
                _label(f"Shares its layer and weights with {node.shares!r}.", "muted", wrap=True)
            )

        self.fields = {}
        basic = [p for p in spec.params if not p.advanced]
        advanced = [p for p in spec.params if p.advanced]
        if basic:
            layout.addWidget(_label("PARAMETERS", "section"))
            for pspec in basic:
                layout.addWidget(self._field(pspec))
        if advanced:
            toggle = QToolButton()
            toggle.setText(f"Advanced ({len(advanced)})")
            toggle.setCheckable(True)
            toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            toggle.setArrowType(Qt.ArrowType.RightArrow)
            toggle.setStyleSheet("QToolButton { border: none; font-weight: bold; }")
            section = QWidget()
            section_layout = QVBoxLayout(section)
            section_layout.setContentsMargins(0, 0, 0, 0)
            for pspec in advanced:
                section_layout.addWidget(self._field(pspec))
            section.setVisible(False)

            def expand(on: bool) -> None:
                section.setVisible(on)
                toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

            toggle.toggled.connect(expand)
            layout.addWidget(toggle)
            layout.addWidget(section)
        layout.addStretch(1)
        page.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        if locked:
            self._read_only()
        self.setWidget(page)

    @property
    def locked(self) -> bool:
        """Whether the shown layer is locked by the teacher."""
        if self.session is None or self.session.project.classroom is None:
            return False
        return self.node_id in self.session.project.classroom.locked_nodes

    def _read_only(self) -> None:
        """Make every editor of a locked layer read-only, its tooltip saying why."""
        self.name_edit.setReadOnly(True)
        self.name_edit.setToolTip(LOCKED_TIP)
        self.trainable_box.setEnabled(False)
        self.trainable_box.setToolTip(LOCKED_TIP)
        for field in self.fields.values():
            field.editor.setEnabled(False)
            field.editor.setToolTip(f"{LOCKED_TIP}\n{field.spec.help}".strip())

    def _field(self, pspec: ParamSpec) -> ParamField:
        field = ParamField(pspec)
        field.committed.connect(self._commit)
        self.fields[pspec.name] = field
        return field

    # ------------------------------------------------------------ refreshing
    def refresh_values(self) -> None:
        if self.session is None or self.node_id is None:
            return
        graph = self.session.graph
        node = graph.node(self.node_id)
        params = graph.effective_params(self.node_id)
        for name, field in self.fields.items():
            field.set_value(params.get(name))
        if self.name_edit is not None and not self.name_edit.hasFocus():
            self.name_edit.setText(node.name)
            self.name_edit.setProperty("invalid", False)
        if self.trainable_box is not None:
            self.trainable_box.blockSignals(True)
            self.trainable_box.setChecked(node.trainable)
            self.trainable_box.blockSignals(False)

    def refresh_info(self) -> None:
        if self.session is None or self.node_id is None or self.shape_label is None:
            return
        if self.node_id not in self.session.graph:
            return
        info = self.session.shapes.info(self.node_id)
        if info.error:
            self.shape_label.setText("—")
        elif info.pending:
            self.shape_label.setText("waiting for Keras…")
        else:
            self.shape_label.setText(format_shapes(info.outputs) if info.outputs else "?")
        trainable = info.params - info.non_trainable
        text = f"{format_count(info.params)} parameters"
        if info.non_trainable:
            text += f" ({format_count(trainable)} trainable)"
        self.params_label.setText(text)
        self.error_label.setText(info.error or "")
        self.error_box.setVisible(bool(info.error))
        self._show_fixes(info.error)

    def _show_fixes(self, error: str | None) -> None:
        """One button per quick fix that would clear the error."""
        key = (error, self._graph_version) if error else None
        if key == self._fixes_key:
            return
        self._fixes_key = key
        while self.fixes_layout.count():
            self.fixes_layout.takeAt(0).widget().deleteLater()
        self.fix_buttons = []
        if not error:
            return
        for fix in quick_fixes(self.session.graph, self.node_id):
            button = QPushButton(f"Fix: {fix.title}")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _=False, f=fix: self._apply_fix(f))
            self.fixes_layout.addWidget(button)
            self.fix_buttons.append(button)

    def _graph_changed(self) -> None:
        self._graph_version += 1

    def _apply_fix(self, fix: QuickFix) -> None:
        if self.session is None:
            return
        try:
            self.session.push(fix.build(self.session.graph))
        except GuibuilderError as exc:
            self.message.emit(f"{exc.message}.")

    def _on_node_changed(self, node_id: str, _what: str) -> None:
        if self.session is None or self.node_id is None:
            return
        if node_id in (self.node_id, self.session.graph.owner(self.node_id).id):
            self.refresh_values()

    # ------------------------------------------------------------ committing
    def _commit(self, name: str, value: Any) -> None:
        if self.session is None or self.node_id is None:
            return
        field = self.fields[name]
        try:
            self.session.set_param(self.node_id, name, value, merge_key(field.editor))
        except GuibuilderError as exc:
            field.show_error(exc.message)
            return
        field.show_error("")

    def _rename(self) -> None:
        if self.session is None or self.node_id is None or self.name_edit is None:
            return
        try:
            self.session.rename(self.node_id, self.name_edit.text())
        except GuibuilderError as exc:
            self.message.emit(exc.message)
            self.name_edit.setText(self.session.graph.node(self.node_id).name)

    def _set_trainable(self, on: bool) -> None:
        if self.session is not None and self.node_id is not None:
            self.session.set_trainable(self.node_id, on)
