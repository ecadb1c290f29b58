"""The properties form (the inspector): fields from the parameter schema; edits use undo."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox

from guibuilder import catalog
from tests.ui.helpers import chain_graph, show


def select(window, node_id: str):
    window.scene.select_nodes([node_id])
    return window.inspector


def test_form_follows_the_schema(window):
    show(window, chain_graph())
    inspector = select(window, "hidden")
    fields = inspector.fields
    assert set(fields) == {p.name for p in catalog.get("Dense").params}
    assert isinstance(fields["units"].editor, QSpinBox)
    assert fields["units"].editor.minimum() == 1
    assert isinstance(fields["activation"].editor, QComboBox)
    assert isinstance(fields["use_bias"].editor, QCheckBox)
    assert isinstance(fields["lora_rank"].editor, QLineEdit)
    assert fields["units"].editor.value() == 4
    assert inspector.name_edit.text() == "hidden"
    assert "(4,)" in inspector.shape_label.text()


def test_an_edit_changes_the_graph_and_undoes(window, qtbot):
    show(window, chain_graph())
    graph = window.session.graph
    inspector = select(window, "hidden")
    inspector.fields["units"].editor.setValue(32)
    assert graph.node("hidden").params["units"] == 32
    assert window.session.undo_stack.count() == 1
    qtbot.waitUntil(lambda: "(32,)" in inspector.shape_label.text())
    window.undo_action.trigger()
    assert graph.node("hidden").params["units"] == 4
    assert inspector.fields["units"].editor.value() == 4
    combo = inspector.fields["activation"].editor
    combo.setCurrentIndex(combo.findText("relu"))
    combo.activated.emit(combo.currentIndex())
    assert graph.node("hidden").params["activation"] == "relu"


def test_arrow_keys_through_a_spin_box_or_a_combo_box_are_one_undo_step(window, qtbot):
    show(window, chain_graph())
    graph, stack = window.session.graph, window.session.undo_stack
    inspector = select(window, "hidden")
    spin = inspector.fields["units"].editor
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    for _ in range(3):
        QTest.keyClick(spin, Qt.Key.Key_Up)
    assert graph.node("hidden").params["units"] == 7 and stack.count() == 1
    combo = inspector.fields["activation"].editor
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    start = combo.currentIndex()
    QTest.keyClick(combo, Qt.Key.Key_Down)
    QTest.keyClick(combo, Qt.Key.Key_Down)
    assert graph.node("hidden").params["activation"] == combo.itemText(start + 2)
    assert stack.count() == 2
    spin.setFocus()  # back to the spin box: a new step
    qtbot.waitUntil(spin.hasFocus)
    QTest.keyClick(spin, Qt.Key.Key_Up)
    assert stack.count() == 3
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert graph.node("hidden").params["activation"] == combo.itemText(start)
    window.undo_action.trigger()
    assert graph.node("hidden").params["units"] == 4


def test_an_invalid_value_is_refused_inline(window):
    show(window, chain_graph())
    graph = window.session.graph
    inspector = select(window, "hidden")
    field = inspector.fields["lora_rank"]
    field.editor.setText("0")
    field.editor.editingFinished.emit()
    assert graph.node("hidden").params["lora_rank"] is None
    assert not field.error.isHidden() and "at least 1" in field.error.text()
    assert window.session.undo_stack.count() == 0
    field.editor.setText("many")
    field.editor.editingFinished.emit()
    assert "whole number" in field.error.text()
    field.editor.setText("8")
    field.editor.editingFinished.emit()
    assert graph.node("hidden").params["lora_rank"] == 8
    assert field.error.isHidden()


def test_tuple_fields_parse_and_refuse(window):
    show(window, chain_graph())
    graph = window.session.graph
    inspector = select(window, "x")
    field = inspector.fields["shape"]
    assert field.editor.text() == "8,"
    field.editor.setText("4, 4")
    field.editor.editingFinished.emit()
    assert graph.node("x").params["shape"] == [4, 4]
    field.editor.setText("4, four")
    field.editor.editingFinished.emit()
    assert graph.node("x").params["shape"] == [4, 4] and field.error.text()


def test_rename_and_trainable_are_undoable(window):
    show(window, chain_graph())
    graph = window.session.graph
    inspector = select(window, "out")
    inspector.name_edit.setText("Prediction")
    inspector.name_edit.editingFinished.emit()
    inspector.trainable_box.setChecked(False)
    assert graph.node("out").name == "Prediction" and not graph.node("out").trainable
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert graph.node("out").name == "out" and graph.node("out").trainable


def test_several_selected_nodes_are_counted(window):
    show(window, chain_graph())
    window.scene.select_nodes(["x", "out"])
    assert window.inspector.node_id is None and window.inspector.fields == {}
