"""File > New from template…: the gallery lists every template and opens the chosen one."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from guibuilder.templates import get_template, template_names
from guibuilder.ui.dialogs.gallery import THUMB, TemplateGalleryDialog, open_template
from tests.ui.helpers import chain_graph, show


def _click_item(qtbot, dialog: TemplateGalleryDialog, name: str) -> None:
    item = dialog.list.item(dialog.names().index(name))
    dialog.list.scrollToItem(item)
    rect = dialog.list.visualItemRect(item)
    qtbot.mouseClick(dialog.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_gallery_lists_every_template_with_a_picture(qtbot):
    dialog = TemplateGalleryDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.names() == template_names()
    for row in range(dialog.list.count()):
        item = dialog.list.item(row)
        template = get_template(dialog.names()[row])
        assert item.text().startswith(template.title)
        picture = item.icon().pixmap(THUMB).toImage()
        assert not picture.isNull()
        colours = {picture.pixel(x, y) for x in range(0, THUMB.width(), 4) for y in range(0, 80, 4)}
        assert len(colours) > 3, f"the picture of {template.name} is blank"
    _click_item(qtbot, dialog, "inception-mini")
    template = get_template("inception-mini")
    assert dialog.list.currentItem().text().startswith(template.title)
    assert template.title in dialog.text.text()
    assert template.paper.split(":")[0] in dialog.text.text()
    assert not dialog.picture.pixmap().isNull()


def test_new_from_template_puts_its_graph_on_the_canvas(window, qtbot):
    show(window, chain_graph())
    template = get_template("resnet-mini")

    def choose():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, TemplateGalleryDialog)
        _click_item(qtbot, dialog, template.name)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Open)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    QTimer.singleShot(100, choose)
    window.template_action.trigger()
    expected = template.graph()
    assert set(window.session.graph.nodes) == set(expected.nodes)
    assert len(window.session.graph.edges) == len(expected.edges)
    assert sorted(i.node_id for i in window.scene.node_items()) == sorted(expected.nodes)
    assert window.session.path is None
    assert not window.session.modified
    assert window.session.project.dataset == template.dataset
    assert window.session.project.title == template.title
    assert window.windowTitle().startswith(template.title)


def test_cancelling_the_gallery_keeps_the_open_project(window, qtbot):
    session = show(window, chain_graph())

    def cancel():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, TemplateGalleryDialog)
        cancel_button = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(100, cancel)
    window.template_action.trigger()
    assert window.session is session


def test_unsaved_changes_are_asked_about_first(window, monkeypatch):
    session = show(window, chain_graph())
    session.set_param("hidden", "units", 9)
    asked = []
    monkeypatch.setattr(window, "maybe_save", lambda: asked.append(True) and False)
    assert not open_template(window, get_template("lenet5"))
    assert asked and window.session is session
    assert session.graph.node("hidden").params["units"] == 9
