"""The Embeddings tab: PCA and t-SNE of a layer's activations, coloured by class, clickable."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.inspect.test_inspect_panel import click_node
from tests.ui.trained import SLOW, open_trained, show_tab


def shown(qtbot, tab, method: str, node_id: str):
    def done() -> bool:
        result = tab.view is not None and tab.view.result
        return bool(result) and result.method == method and result.node_id == node_id

    qtbot.waitUntil(done, timeout=SLOW)
    return tab.view.result


def test_pca_of_the_last_hidden_layer_is_coloured_by_class(window, qtbot):
    from sklearn.decomposition import PCA

    from guibuilder.compiler.build import build_model
    from guibuilder.inspect import Probe

    session = open_trained(window)
    tab = show_tab(window, "Embeddings")
    result = shown(qtbot, tab, "PCA", "features")
    data = window.inspect_panel.dataset
    count = min(500, len(data.x_val))
    assert result.points.shape == (count, 2)
    assert np.array_equal(result.classes, data.y_val[:count])
    assert result.features == 4 * 4 * 32

    model = build_model(session.graph)
    session.project.weights.apply(model, session.graph)
    features = Probe(model)(data.x_val[:count], ["features"])["features"]
    expected = PCA(n_components=2).fit_transform(features.reshape(count, -1))
    assert np.allclose(np.abs(result.points), np.abs(expected), atol=1e-3)

    view = tab.view
    assert len(view.items) == len(np.unique(result.classes))
    for item in view.items:
        indices = np.array([p.data() for p in item.points()])
        assert len(set(result.classes[indices])) == 1, "a scatter mixes classes"
    assert sum(len(item.points()) for item in view.items) == count
    names = [label.text for _sample, label in view.legend.items]
    assert names == list(data.class_names)


def test_clicking_a_point_shows_that_sample(window, qtbot):
    open_trained(window)
    panel = window.inspect_panel
    tab = show_tab(window, "Embeddings")
    result = shown(qtbot, tab, "PCA", "features")
    x = result.points[:, 0]
    index = int(np.argmax(x))  # the rightmost point: nothing is drawn over it
    assert panel.sample_box.value() != index
    QTest.mouseClick(
        tab.view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        tab.view.point_center(index).toPoint(),
    )
    assert panel.sample_box.value() == index
    label = panel.dataset.label_text(panel.dataset.y_val[index])
    assert f"label: {label}" in panel.sample_label.text()
    marked = tab.view.marker.points()
    assert len(marked) == 1 and np.allclose(
        [marked[0].pos().x(), marked[0].pos().y()], result.points[index]
    )
    assert tab.point_tip(0, 0, index) == f"sample {index} · class {label}"


def test_tsne_runs_on_request_and_a_canvas_click_chooses_the_layer(window, qtbot):
    open_trained(window)
    tab = show_tab(window, "Embeddings")
    pca = shown(qtbot, tab, "PCA", "features")

    QTest.mouseClick(tab.tsne_button, Qt.MouseButton.LeftButton)
    assert tab.busy.isVisible() and "t-SNE" in tab.status.text()
    tsne = shown(qtbot, tab, "t-SNE", "features")
    assert not tab.busy.isVisible()
    assert tsne.points.shape == pca.points.shape
    assert not np.allclose(np.abs(tsne.points), np.abs(pca.points))
    assert "t-SNE 1" in tab.view.plot.getAxis("bottom").labelText

    QTest.mouseClick(tab.pca_button, Qt.MouseButton.LeftButton)
    assert tab.view.result is pca, "PCA was computed again instead of shown"

    click_node(window, "conv_2")
    assert window.inspect_panel.tabs.currentWidget() is tab
    assert tab.layer_box.currentText() == "conv_2"
    conv = shown(qtbot, tab, "PCA", "conv_2")
    assert conv.features == 4 * 4 * 32


def test_the_legend_sits_beside_the_points_not_over_them(window, qtbot):
    """LeNet-5 on digits has ten classes: their legend takes a column right of the plot."""
    from guibuilder.templates import get_template
    from guibuilder.ui.dialogs.gallery import open_template

    open_template(window, get_template("lenet5"))
    tab = show_tab(window, "Embeddings")
    qtbot.waitUntil(lambda: tab.view is not None and tab.view.result is not None, timeout=SLOW)
    view = tab.view
    qtbot.waitUntil(lambda: view.legend.isVisible() and len(view.legend.items) == 10)
    QApplication.processEvents()
    legend = view.legend.sceneBoundingRect()
    points = view.plot.vb.sceneBoundingRect()
    assert legend.width() > 0 and legend.height() > 0
    assert not legend.intersects(points), "the legend covers the scatter"
    assert legend.left() >= points.right()
    assert view.sceneRect().contains(legend), "the legend is cut off by the view's edge"
    labels = [label.sceneBoundingRect() for _sample, label in view.legend.items]
    assert all(legend.contains(rect) for rect in labels), "a class name sticks out"
