"""The Weights tab: conv filters as images, a chosen layer's histogram, every layer's spread."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.inspect.test_inspect_panel import click_node
from tests.ui.trained import SLOW, open_trained, show_tab


def test_weights_tab_shows_the_trained_filters_and_histograms(window, qtbot):
    session = open_trained(window)
    tab = show_tab(window, "Weights")
    qtbot.waitUntil(lambda: tab.result is not None, timeout=SLOW)
    result = tab.result
    kernel, bias = session.project.weights.get("conv_1")

    assert list(result.filters) == ["conv_1", "conv_2"]
    assert np.allclose(result.filters["conv_1"], np.moveaxis(kernel, -1, 0))
    shown = tab.filter_view.shown
    assert shown.shape == (4 * 3 + 3, 4 * 3 + 3), "16 filters of 3x3 in a 4x4 grid"
    assert np.allclose(shown[:3, :3], kernel[:, :, 0, 0])
    assert "Filters of conv_1: 16, 3x3" in tab.filter_view.plot.titleLabel.text

    assert tab.layer_box.currentText() == "conv_1"
    histogram = result.histogram("conv_1")
    assert histogram.counts.sum() == kernel.size + bias.size
    _x, y = tab.histogram_view.curve.getData()
    assert np.allclose(y, histogram.counts)
    assert [h.node_id for h in result.histograms] == ["conv_1", "conv_2", "digit"]
    assert result.overview.shape[0] == 3 and np.allclose(result.overview.max(axis=1), 1.0)


def test_a_row_of_the_overview_or_a_node_chooses_the_layer(window, qtbot):
    session = open_trained(window)
    tab = show_tab(window, "Weights")
    qtbot.waitUntil(lambda: tab.result is not None, timeout=SLOW)
    view = tab.overview_view
    QTest.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        view.row_center("digit").toPoint(),
    )
    assert tab.layer_box.currentText() == "digit"
    digit = np.concatenate([a.ravel() for a in session.project.weights.get("digit")])
    _x, y = tab.histogram_view.curve.getData()
    assert y.sum() == digit.size

    click_node(window, "conv_2")
    assert window.inspect_panel.tabs.currentWidget() is tab, "the canvas click left the tab"
    assert tab.layer_box.currentText() == "conv_2"
    assert "Filters of conv_2" in tab.filter_view.plot.titleLabel.text
    assert tab.filter_view.shown.shape == (6 * 3 + 5, 6 * 3 + 5), "32 filters in 6 rows of 6"

    click_node(window, "pool")
    assert window.inspect_panel.tabs.currentWidget() is tab
    assert "pool has no weights" in tab.status.text()


def test_an_untrained_project_says_so(window, qtbot):
    from tests.ui.trained import DEMO

    window.load(DEMO)
    tab = show_tab(window, "Weights")
    qtbot.waitUntil(lambda: tab.result is not None, timeout=SLOW)
    assert "no trained weights" in tab.status.text()


def test_a_model_without_convolutions_says_so_in_a_title_that_fits(window, qtbot):
    """The LSTM template has no filters: the note in their place is read whole, not cut off."""
    from guibuilder.templates import get_template
    from guibuilder.ui.dialogs.gallery import open_template

    open_template(window, get_template("lstm-sequence"))
    tab = show_tab(window, "Weights")
    qtbot.waitUntil(lambda: tab.result is not None, timeout=SLOW)
    view = tab.filter_view
    title = view.plot.titleLabel
    assert "No 2-D convolution" in title.text
    shown = view.mapFromScene(title.mapRectToScene(title.itemRect())).boundingRect()
    assert view.viewport().rect().contains(shown), (shown, view.viewport().rect())


def test_the_colour_bar_numbers_are_drawn_whole(window, qtbot):
    """The siamese template's filters have a colour bar: each of its numbers lies inside the
    bar's axis and the view, however many digits the scale needs (small weights such as
    0.0005 were clipped by the axis's fixed width)."""
    from guibuilder.templates import get_template
    from guibuilder.ui.dialogs.gallery import open_template

    open_template(window, get_template("siamese"))
    tab = show_tab(window, "Weights")
    qtbot.waitUntil(lambda: tab.result is not None, timeout=SLOW)
    view = tab.filter_view
    node_id, filters = next(iter(tab.result.filters.items()))
    for scale in (1.0, 0.01, 0.001):
        view.show_filters(node_id, filters * scale)
        assert view.bar.isVisible(), "a single-channel convolution has a colour bar"
        QApplication.processEvents()
        axis = view.bar.axis
        canvas = QImage(8, 8, QImage.Format.Format_ARGB32)
        painter = QPainter(canvas)
        _axis, _ticks, texts = axis.generateDrawSpecs(painter)
        painter.end()
        low, high = sorted(axis.range)
        spacing, majors = axis.tickValues(low, high, axis.size().height())[0]
        wanted = axis.tickStrings(majors, axis.scale, spacing)
        shown = [text for _rect, _flags, text in texts]
        assert len(wanted) >= 2 and set(wanted) <= set(shown), (scale, wanted, shown)
        metrics = QFontMetricsF(axis.style["tickFont"] or axis.font())
        room = axis.mapRectToScene(axis.boundingRect())
        for rect, _flags, text in texts:
            drawn = axis.mapRectToScene(rect)
            assert metrics.horizontalAdvance(text) <= rect.width() + 0.5, text
            assert room.contains(drawn), f"{text!r} sticks out of the bar's axis"
            assert view.sceneRect().contains(drawn), f"{text!r} is cut off by the view"
