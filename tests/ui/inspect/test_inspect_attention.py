"""The Attention tab: a MultiHeadAttention layer's weights per head for the panel's sample."""

from __future__ import annotations

import numpy as np
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.inspect.test_inspect_panel import click_node
from tests.ui.trained import SLOW, open_trained, show_tab

TEMPLATE = "transformer-text"
NODE = "multi_head_attention"


def computed(qtbot, tab, sample: int):
    def done() -> bool:
        result = tab.view is not None and tab.view.result
        return bool(result) and result.sample == sample

    qtbot.waitUntil(done, timeout=SLOW)
    return tab.view.result


def test_clicking_an_attention_node_shows_its_heads(window, qtbot):
    from guibuilder.compiler.build import build_model
    from guibuilder.inspect import attention_scores

    session = open_trained(window, TEMPLATE)
    panel = window.inspect_panel
    window.inspect_dock.show()
    window.inspect_dock.raise_()
    qtbot.waitUntil(lambda: panel.dataset is not None, timeout=SLOW)
    click_node(window, NODE)
    tab = panel.tabs.currentWidget()
    assert panel.tabs.tabText(panel.tabs.currentIndex()) == "Attention"
    assert tab.layer_box.currentText() == NODE
    result = computed(qtbot, tab, 0)

    model = build_model(session.graph)
    session.project.weights.apply(model, session.graph)
    x_val = panel.dataset.x_val
    expected = attention_scores(model, NODE, x_val[:1])[0]
    assert result.scores.shape == (2, 16, 16)
    assert np.allclose(result.scores, expected, atol=1e-5)
    assert np.allclose(result.scores.sum(axis=-1), 1.0, atol=1e-4)
    vocabulary = panel.dataset.vocabulary
    assert result.tokens == tuple(vocabulary[i] for i in x_val[0])
    for head, image in enumerate(tab.view.images):
        assert np.allclose(image.image.T, expected[head], atol=1e-5)

    view = tab.view
    QTest.mouseMove(view.viewport(), view.cell_center(1, 2, 5).toPoint())
    qtbot.waitUntil(lambda: view.toolTip().startswith("head 2: position 2"), timeout=5000)
    assert f"'{result.tokens[5]}'" in view.toolTip()

    panel.sample_box.setValue(3)
    other = computed(qtbot, tab, 3)
    assert other.tokens == tuple(vocabulary[i] for i in x_val[3])
    assert not np.allclose(other.scores, result.scores)


def test_a_model_without_attention_says_so_and_keeps_clicks_on_activations(window, qtbot):
    open_trained(window)
    tab = show_tab(window, "Attention")
    qtbot.waitUntil(lambda: "no MultiHeadAttention" in tab.status.text(), timeout=SLOW)
    assert not tab.layer_box.isEnabled()
    click_node(window, "conv_1")
    panel = window.inspect_panel
    assert panel.tabs.currentWidget() is panel.activation_page


def test_the_sentence_of_a_model_without_attention_is_at_the_top(window, qtbot):
    """Where the heads would be is empty: the sentence stays at the top of the tab, where the
    other tabs put theirs, not in the middle of the empty space."""
    open_trained(window)
    tab = show_tab(window, "Attention")
    qtbot.waitUntil(lambda: "no MultiHeadAttention" in tab.status.text(), timeout=SLOW)
    QApplication.processEvents()
    for widget in (tab.status, tab.layer_box):  # a label draws its text at its middle
        middle = widget.mapTo(tab, widget.rect().center()).y()
        assert middle < tab.height() / 4, (type(widget).__name__, middle, tab.height())
