"""The "What does this layer do?" panel: follows the canvas, the palette's menu and F1."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from guibuilder import catalog
from guibuilder.catalog.explanations import explain
from guibuilder.ui import theme
from guibuilder.ui.classroom.explanations import explanation_html
from tests.ui.helpers import chain_graph, click_node, show, viewport_pos


def page(window) -> str:
    return window.explain_panel.browser.toPlainText()


def palette_point(window, type_id: str) -> QPoint:
    tree = window.palette.tree
    item = window.palette.item(type_id)
    tree.scrollToItem(item)
    return tree.visualItemRect(item).center()


def test_clicking_a_node_explains_its_layer_with_its_current_values(window):
    show(window, chain_graph())
    window.explain_layer()
    click_node(window, "hidden")
    panel = window.explain_panel
    assert panel.type_id == "Dense" and panel.node_id == "hidden"
    assert panel.title.text() == "hidden · Dense"
    text = page(window)
    assert explain("Dense").text.split(".")[0] in text
    assert "y = f(W·x + b)" in text
    assert "units" in text and "now: 4" in text
    assert "Rosenblatt (1958)" in text
    html = panel.browser.toHtml()
    assert catalog.get("Dense").url in html and "doi.org/10.1037/h0042519" in html
    assert panel.browser.openExternalLinks()
    # Clicking empty canvas leaves the panel with its hint.
    QTest.mouseClick(
        window.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=viewport_pos(window, QPointF(900, 900)),
    )
    assert panel.type_id is None and "Select a layer" in page(window)


def test_f1_brings_the_panel_up_for_the_selected_layer(window):
    show(window, chain_graph())
    click_node(window, "x")
    window.explain_dock.hide()
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_F1)
    assert window.explain_dock.isVisible()
    assert window.explain_panel.type_id == "Input"
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert window.explain_action in help_menu.actions()
    assert window.explain_action.shortcut().toString() == "F1"


def test_the_palettes_context_menu_explains_a_layer(window, monkeypatch):
    window.explain_dock.hide()
    menu = window.palette_help.menu_for(palette_point(window, "Dropout"))
    assert [a.text() for a in menu.actions()] == ["What does Dropout do?", "Add to the canvas"]
    # A real right-click opens the menu; the user picks the first entry.
    picked: list[str] = []

    def choose_first(menu: QMenu, _at: QPoint) -> None:
        picked.append(menu.actions()[0].text())
        menu.actions()[0].trigger()

    monkeypatch.setattr(window.palette_help, "run_menu", choose_first)
    viewport = window.palette.tree.viewport()
    point = palette_point(window, "Dropout")
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, viewport.mapToGlobal(point))
    QApplication.sendEvent(viewport, event)
    assert picked == ["What does Dropout do?"]
    assert window.explain_dock.isVisible()
    assert window.explain_panel.type_id == "Dropout"
    assert "Srivastava, Hinton" in page(window) and "(2014)" in page(window)


def test_adding_from_the_palettes_menu_puts_the_layer_on_the_canvas(window):
    show(window, chain_graph())
    menu = window.palette_help.menu_for(palette_point(window, "LSTM"))
    menu.actions()[1].trigger()
    assert any(window.session.graph.node(n).type_id == "LSTM" for n in window.session.graph.nodes)
    assert window.palette_help.menu_for(QPoint(-5, -5)) is None


def test_every_layer_type_gets_a_page(window):
    panel = window.explain_panel
    for spec in catalog.all_specs():
        panel.show_type(spec.type_id)
        text = page(window)
        assert panel.type_id == spec.type_id
        assert explain(spec.type_id).text[:40] in text, spec.type_id
        assert "FORMULA" in text and "READ MORE" in text
        assert "Keras documentation" in text


def test_the_page_follows_the_theme_and_keeps_the_node(window):
    show(window, chain_graph())
    window.explain_layer()
    click_node(window, "out")
    before = window.explain_panel.browser.toHtml()
    window.dark_action.trigger()
    try:
        assert theme.current().name == "dark"
        assert window.explain_panel.title.text() == "out · Dense"
        assert window.explain_panel.browser.toHtml() != before
        assert theme.DARK.alt_base in explanation_html("Dense")
    finally:
        window.dark_action.trigger()
    assert theme.current() is theme.LIGHT
