"""The Evaluation tab: per-class precision and recall, the worst misses, predicted against true."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from guibuilder.document import Project
from guibuilder.document.weights import WeightStore
from guibuilder.graph import Graph
from guibuilder.inspect.evaluation import RegressionReport, compact_values, confusion_matrix
from guibuilder.ui.window_editor import WindowEditor
from tests.ui.helpers import chain_graph, show
from tests.ui.inspect.test_inspect_predict import classifier, digit_weights  # noqa: F401 (a fixture)
from tests.ui.trained import SLOW, show_tab


def open_evaluation(window, qtbot, project: Project):
    """Open ``project`` with the Evaluation tab in front; returns the tab once it has a result."""
    window.set_session(WindowEditor(project))
    QApplication.processEvents()
    tab = show_tab(window, "Evaluation")
    qtbot.waitUntil(lambda: tab.result is not None, timeout=SLOW)
    return tab


def click_wrong(tab, row: int) -> None:
    """A left click on the ``row``-th sample of the strip of wrong ones."""
    strip = tab.strip
    point = strip.visualItemRect(strip.item(row)).center()
    QTest.mouseClick(
        strip.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
    )


def test_a_digits_classifier_is_scored_per_class_as_its_confusion_matrix(
    window,
    qtbot,
    monkeypatch,
    digit_weights,  # noqa: F811
):
    import keras

    calls = []
    predict = keras.Model.predict
    monkeypatch.setattr(
        keras.Model, "predict", lambda self, *a, **k: calls.append(1) or predict(self, *a, **k)
    )
    weights, bias = digit_weights
    tab = open_evaluation(window, qtbot, classifier(weights, bias))
    panel = window.inspect_panel
    x, y = panel.dataset.x_val, np.asarray(panel.dataset.y_val).astype(int)
    scores = x.reshape(len(x), -1) @ weights + bias
    probs = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    pred = probs.argmax(axis=1)
    matrix = confusion_matrix(y, pred, 10)
    assert (pred != y).sum() > 0, "a perfect classifier has no wrong samples to show"

    rows = tab.table.row_values()
    assert list(rows) == list(panel.dataset.class_names)
    for k, name in enumerate(panel.dataset.class_names):
        precision = matrix[k, k] / matrix[:, k].sum()
        recall = matrix[k, k] / matrix[k].sum()
        assert rows[name] == (f"{precision:.1%}", f"{recall:.1%}", str(matrix[k].sum()))
    accuracy = np.trace(matrix) / len(y)
    assert f"{len(y)} samples, accuracy {accuracy:.1%}" in tab.status.text()
    assert "no trained weights" not in tab.status.text()

    panel.tabs.setCurrentWidget(panel.confusion_page)
    qtbot.waitUntil(lambda: panel.last_confusion is not None, timeout=SLOW)
    assert np.array_equal(panel.last_confusion.matrix, matrix)
    assert np.array_equal(tab.result.matrix, matrix)
    assert len(calls) == 1, "the validation set was predicted twice for one version"

    listed = tab.strip.samples()
    wrong = np.flatnonzero(pred != y)
    worst = wrong[np.argsort(-probs[wrong, pred[wrong]], kind="stable")][:12]
    assert listed == worst.tolist()
    assert not tab.strip.item(0).icon().isNull(), "digits are images: a thumbnail is shown"

    panel.tabs.setCurrentWidget(tab)
    row = next(r for r, i in enumerate(listed) if i != panel.sample_box.value())
    click_wrong(tab, row)
    chosen = listed[row]
    assert panel.sample_box.value() == chosen
    assert f"label: {panel.dataset.class_names[y[chosen]]}" in panel.sample_label.text()
    assert tab.strip.currentRow() == row and tab.strip.item(row).isSelected()


def test_a_regression_is_drawn_predicted_against_true(window, qtbot):
    graph = Graph("adder")
    graph.add_node("Input", {"shape": [4, 2]}, node_id="seq", position=(0.0, 0.0))
    graph.add_node("Flatten", {}, node_id="flat", position=(0.0, 120.0))
    graph.add_node("Dense", {"units": 1}, node_id="sum", position=(0.0, 240.0))
    graph.connect("seq", "flat")
    graph.connect("flat", "sum")
    from guibuilder.data import load_dataset

    spec = {"name": "adding", "samples": 120, "steps": 4}
    data = load_dataset(spec)
    features = np.column_stack(
        [data.x_train.reshape(len(data.x_train), -1), np.ones(len(data.x_train))]
    )
    solution = np.linalg.lstsq(features, data.y_train.reshape(-1), rcond=None)[0]
    kernel, bias = solution[:-1, None].astype("float32"), solution[-1:].astype("float32")
    store = WeightStore({"sum": [kernel, bias]})
    tab = open_evaluation(window, qtbot, Project(graph=graph, dataset=spec, weights=store))

    assert isinstance(tab.result, RegressionReport)
    panel = window.inspect_panel
    x, y = panel.dataset.x_val, panel.dataset.y_val.reshape(-1)
    expected = x.reshape(len(x), -1) @ kernel[:, 0] + bias[0]
    scatter = tab.scatter
    assert scatter.isVisible() and not tab.table.isVisible()
    drawn = scatter.points.points()
    assert len(drawn) == len(y) > 0
    assert np.allclose([p.pos().x() for p in drawn], y)
    assert np.allclose([p.pos().y() for p in drawn], expected, atol=1e-4)
    r2 = 1 - np.sum((y - expected) ** 2) / np.sum((y - y.mean()) ** 2)
    assert f"R² {r2:.3f}" in scatter.plot.titleLabel.text
    assert f"MAE {np.mean(np.abs(y - expected)):.4g}" in tab.status.text()
    line_x, line_y = scatter.identity.getData()
    assert np.allclose(line_x, line_y) and line_x[0] <= y.min() and line_x[-1] >= y.max()

    index = int(np.argmax(y))  # the top right point: nothing is drawn over it
    panel.sample_box.setValue((index + 1) % len(y))
    QTest.mouseClick(
        scatter.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        scatter.point_center(index).toPoint(),
    )
    assert panel.sample_box.value() == index
    assert len(scatter.marker.points()) == 1


def test_untrained_and_datasetless_projects_get_one_sentence(window, qtbot):
    graph = Graph("iris")
    graph.add_node("Input", {"shape": [4]}, node_id="x", position=(0.0, 0.0))
    graph.add_node("Dense", {"units": 3, "activation": "softmax"}, node_id="out", position=(0, 120))
    graph.connect("x", "out")
    tab = open_evaluation(window, qtbot, Project(graph=graph, dataset={"name": "iris"}))
    assert "no trained weights" in tab.status.text()
    assert tab.strip.count() > 0 and tab.strip.item(0).icon().isNull(), "iris has no images"
    x = window.inspect_panel.dataset.x_val
    first = tab.strip.samples()[0]
    assert compact_values(x[first]) in tab.strip.item(0).text()

    show(window, chain_graph())
    qtbot.waitUntil(lambda: "Choose a dataset" in tab.status.text(), timeout=5000)
    assert not tab.pages.isVisible()

    two = Graph("two")
    two.add_node("Input", {"shape": [4]}, node_id="x", position=(0.0, 0.0))
    two.add_node("Dense", {"units": 2}, node_id="out", position=(0.0, 120.0))
    two.connect("x", "out")
    window.set_session(WindowEditor(Project(graph=two, dataset={"name": "iris"})))
    qtbot.waitUntil(lambda: "2 values per sample" in tab.status.text(), timeout=SLOW)
    assert tab.status.text() == "The model gives 2 values per sample, but 'iris' has 3 classes."
    assert not tab.pages.isVisible()


def test_a_text_samples_wrong_predictions_are_listed_as_words(window, qtbot):
    """The transformer-text template reads token ids: the wrong samples are listed as the
    words they stand for (as the Attention tab labels them), not as the ids."""
    from guibuilder.templates import get_template

    tab = open_evaluation(window, qtbot, get_template("transformer-text").project())
    qtbot.waitUntil(lambda: tab.strip.count() > 0, timeout=SLOW)
    data = window.inspect_panel.dataset
    first = tab.strip.samples()[0]
    words = [data.vocabulary[i] for i in np.ravel(data.x_val[first])[:3]]
    assert " ".join(words) in tab.strip.item(0).text()


def _drawn_columns(image, background) -> int:
    """How many pixel columns of ``image`` hold something other than ``background``."""
    return sum(
        any(image.pixelColor(x, y) != background for y in range(image.height()))
        for x in range(image.width())
    )


def test_a_sequence_sample_is_drawn_as_a_line_plot_with_captions_in_full(window, qtbot):
    """The LSTM template's 'pattern' samples are series of one value per step: the header
    and the wrong samples show them as small line plots across their width (they were
    1-px-wide strips), and each 'true → predicted' caption is written whole."""
    from PySide6.QtGui import QColor

    from guibuilder.templates import get_template
    from guibuilder.ui import theme
    from guibuilder.ui.dialogs.gallery import open_template
    from guibuilder.ui.inspect.evaluation import THUMB

    open_template(window, get_template("lstm-sequence"))
    tab = show_tab(window, "Evaluation")
    qtbot.waitUntil(lambda: tab.result is not None, timeout=SLOW)
    panel = window.inspect_panel
    steps, features = panel.dataset.x_val.shape[1:]
    assert steps > 10 and features == 1, "one value per time step"
    background = QColor(theme.current().base)

    header = panel.preview.pixmap().toImage()
    assert header.width() >= 2 * header.height() > 100
    assert panel.preview.width() >= header.width(), "the preview is cut to a square"
    assert _drawn_columns(header, background) >= 0.9 * header.width(), "time runs along x"

    strip = tab.strip
    assert strip.count() > 0
    QApplication.processEvents()
    metrics = strip.fontMetrics()
    names = panel.dataset.class_names
    for row in range(strip.count()):
        item = strip.item(row)
        icon = item.icon().pixmap(strip.iconSize()).toImage()
        assert icon.width() >= 2 * THUMB - 1, "a thumbnail is as narrow as a line"
        assert _drawn_columns(icon, background) >= 0.9 * icon.width()
        caption = item.text().split("\n")[0]
        true, pred = caption.split(" → ")
        assert true in names and pred in names, f"{caption!r} is cut short"
        assert metrics.horizontalAdvance(caption) <= strip.visualItemRect(item).width()


def test_many_features_are_a_heat_map_strip_and_images_stay_images():
    from guibuilder.ui.inspect.panel import preview_image

    steps = np.linspace(0.0, 1.0, 30)
    sequence = np.column_stack([steps * (k + 1) for k in range(6)])  # 30 steps, 6 features
    image = preview_image(sequence, 40)
    assert (image.width(), image.height()) == (80, 40)
    left, right = image.pixelColor(5, 20), image.pixelColor(74, 20)
    assert left != right, "each feature's row runs from its lowest to its highest value"
    assert preview_image(np.zeros((8, 8)), 40).width() == 40, "a square grid is an image"
    assert preview_image(np.zeros((28, 28, 1)), 40).width() == 40
    assert preview_image(np.zeros(5), 40) is None, "a row of a table is no picture"
