"""The Inspect dock: activations of the clicked node and the validation confusion matrix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.helpers import chain_graph, click_node, show

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo" / "digits_cnn.gbproj"
#: Keras is imported by the first job, which can take a while on a busy machine.
SLOW = 60_000


@pytest.fixture
def inspect(window, qtbot):
    """The window with the demo project open and the Inspect dock shown, its data loaded."""
    window.load(DEMO)
    window.inspect_dock.show()
    window.inspect_dock.raise_()
    panel = window.inspect_panel
    qtbot.waitUntil(lambda: panel.dataset is not None, timeout=SLOW)
    return panel


def wait_for(qtbot, panel, node_id: str, sample: int) -> np.ndarray:
    def done() -> bool:
        result = panel.last_activation
        return result is not None and result.node_id == node_id and result.sample == sample

    qtbot.waitUntil(done, timeout=SLOW)
    return panel.last_activation.values


def test_clicking_nodes_shows_their_activations(window, inspect, qtbot):
    x_val = inspect.dataset.x_val
    assert inspect.sample_box.maximum() == len(x_val) - 1
    assert not inspect.preview.pixmap().isNull()

    click_node(window, "conv_1")
    assert window.scene.selected_node_ids() == ["conv_1"]
    maps = wait_for(qtbot, inspect, "conv_1", 0)
    assert maps.shape == (8, 8, 16)
    assert inspect.activation_view.kind == "image"
    shown = inspect.activation_view.image.image
    assert np.nanstd(shown) > 0, "the feature-map grid is blank"

    click_node(window, "digit")
    probs = wait_for(qtbot, inspect, "digit", 0)
    assert probs.shape == (10,)
    assert np.isclose(probs.sum(), 1.0, atol=1e-4)
    assert inspect.activation_view.kind == "vector"
    heights = inspect.activation_view.bars.opts["height"]
    assert np.allclose(heights, probs)

    inspect.sample_box.setValue(3)
    assert "label:" in inspect.sample_label.text()
    other = wait_for(qtbot, inspect, "digit", 3)
    assert not np.allclose(other, probs), "a different sample gave the same output"

    click_node(window, "image")
    pixels = wait_for(qtbot, inspect, "image", 3)
    assert np.allclose(pixels, x_val[3])
    assert inspect.activation_view.kind == "map"


def test_confusion_matrix_tab_lists_the_samples_of_a_clicked_cell(window, inspect, qtbot):
    inspect.tabs.setCurrentWidget(inspect.confusion_page)
    qtbot.waitUntil(lambda: inspect.last_confusion is not None, timeout=SLOW)
    result = inspect.last_confusion
    y_val = np.asarray(inspect.dataset.y_val).astype(int).ravel()
    assert result.matrix.shape == (10, 10)
    assert result.matrix.sum() == len(y_val)
    assert np.array_equal(result.matrix.sum(axis=1), np.bincount(y_val, minlength=10))
    assert len(inspect.confusion_view._texts) == 100

    true, pred = np.unravel_index(int(np.argmax(result.matrix)), result.matrix.shape)
    view = inspect.confusion_view
    QTest.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        view.cell_center(int(true), int(pred)).toPoint(),
    )
    listed = [
        int(inspect.cell_list.item(i).text().split()[-1]) for i in range(inspect.cell_list.count())
    ]
    assert len(listed) == result.matrix[true, pred] > 0
    assert all(y_val[i] == true for i in listed)
    assert f"class {result.class_names[true]}" in inspect.cell_title.text()


def test_a_hidden_panel_computes_nothing(window, qtbot, monkeypatch):
    panel = window.inspect_panel
    jobs = []
    monkeypatch.setattr(panel.worker, "submit", lambda kind, *args: jobs.append(kind))
    window.load(DEMO)
    window.summary_dock.raise_()
    QApplication.processEvents()
    assert not panel.is_shown()
    click_node(window, "conv_1")
    QApplication.processEvents()
    assert jobs == []
    assert panel.activation_view is None, "pyqtgraph views were made for a hidden panel"
    window.inspect_dock.raise_()
    qtbot.waitUntil(lambda: jobs == ["dataset"], timeout=5000)


@pytest.fixture
def wide(window, inspect):
    """The Inspect dock floated on its own, 1280 by 640 pixels (docked again afterwards)."""
    window.inspect_dock.setFloating(True)
    window.inspect_dock.resize(1280, 640)
    QApplication.processEvents()
    yield inspect
    window.inspect_dock.setFloating(False)


def test_the_colour_bar_reads_the_feature_maps_real_lowest_and_highest_value(window, wide, qtbot):
    inspect = wide
    click_node(window, "conv_1")
    maps = wait_for(qtbot, inspect, "conv_1", 0)
    QApplication.processEvents()
    view = inspect.activation_view
    low, high = float(maps.min()), float(maps.max())
    assert high > low
    assert view.scale() == pytest.approx((low, high), abs=1e-6)
    labels = view.scale_labels()
    assert labels[0] == f"{low:.3g}" and labels[-1] == f"{high:.3g}"
    assert view.color_bar.isVisible()
    # One colour scale for every map: the grid holds the values themselves.
    drawn = view.image.image
    assert np.nanmin(drawn) == pytest.approx(low) and np.nanmax(drawn) == pytest.approx(high)
    # The grid fills the wide view: more columns than rows, and it spans the view box.
    rows = -(-16 // view.columns)
    assert view.columns > rows
    grid = view.image.mapRectToScene(view.image.boundingRect())
    box = view.plot.vb.sceneBoundingRect()
    assert grid.width() > 0.9 * box.width() or grid.height() > 0.9 * box.height()
    assert not view.plot.getAxis("left").isVisible(), "empty axes frame the feature maps"

    click_node(window, "digit")
    wait_for(qtbot, inspect, "digit", 0)
    assert view.scale() is None, "bars have no colour scale"


def test_feature_maps_take_the_columns_that_draw_them_largest():
    from guibuilder.ui.inspect.views import fit_columns

    assert fit_columns(16, (8, 8), (1200, 400)) == 8
    assert fit_columns(16, (8, 8), (400, 400)) == 4
    assert fit_columns(16, (8, 8), (100, 1000)) == 1
    assert fit_columns(16, (8, 8), (0, 0)) == 4, "not laid out yet: the squarest grid"


#: The Inspect dock's width in a 1280 px window, between the Layers and Inspector docks.
DOCK_IN_1280 = 925


@pytest.fixture
def app_theme(qapp):
    """The light theme as the app applies it (its font and style sheet), undone afterwards;
    asked for before the window, which then takes its font."""
    from guibuilder.ui import theme

    before = (theme.current(), qapp.font(), qapp.palette(), qapp.styleSheet())
    theme.apply_theme(qapp, theme.LIGHT)
    yield
    current, font, palette, sheet = before
    theme.apply_theme(qapp, current)
    qapp.setFont(font)
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


def test_every_tab_has_a_tooltip_and_all_fit_in_a_1280_pixel_window(app_theme, window, wide):
    inspect = wide
    window.inspect_dock.resize(DOCK_IN_1280, 640)
    QApplication.processEvents()
    bar = inspect.tabs.tabBar()
    assert inspect.tabs.count() == 10
    assert "Confusion" in [bar.tabText(i) for i in range(bar.count())]
    for i in range(bar.count()):
        assert bar.tabToolTip(i), f"tab {bar.tabText(i)!r} has no tooltip"
    last = bar.tabRect(bar.count() - 1)
    assert last.right() <= bar.width(), "the tabs overflow into scroll arrows"


def test_output_bars_are_labelled_with_the_class_names(window, inspect, qtbot):
    click_node(window, "digit")
    wait_for(qtbot, inspect, "digit", 0)
    ticks = inspect.activation_view.plot.getAxis("bottom")._tickLevels
    assert [label for _pos, label in ticks[0]] == list(inspect.dataset.class_names)
    click_node(window, "features")
    wait_for(qtbot, inspect, "features", 0)
    assert inspect.activation_view.plot.getAxis("bottom")._tickLevels is None


def test_a_sequence_is_drawn_as_a_time_by_units_heat_map(qtbot):
    from guibuilder.ui.inspect.views import ActivationView

    view = ActivationView()
    qtbot.addWidget(view)
    steps, units = 12, 5
    values = np.arange(steps * units, dtype="float32").reshape(steps, units)
    assert view.show_activation("lstm", values) == "sequence"
    assert view.image.image.shape == (steps, units)
    assert np.array_equal(view.image.image, values)
    assert view.plot.getAxis("bottom").labelText == "time step"
    assert view.scale() == (0.0, steps * units - 1.0)
    assert view.scale_labels() == ["0", "59"]


def test_a_project_without_a_dataset_says_what_to_do(window, qtbot):
    show(window, chain_graph())
    window.inspect_dock.raise_()
    panel = window.inspect_panel
    qtbot.waitUntil(lambda: "Choose a dataset" in panel.status_label.text(), timeout=5000)
    assert panel.dataset is None and not panel.sample_box.isEnabled()


def test_a_model_that_cannot_have_a_confusion_matrix_shows_none_of_the_last_one(
    window, inspect, qtbot
):
    """From the demo's confusion matrix to the autoencoder template: the tab says why there is
    no matrix and does not keep drawing the demo's, nor list its cells' samples."""
    from guibuilder.templates import get_template
    from guibuilder.ui.dialogs.gallery import open_template

    inspect.tabs.setCurrentWidget(inspect.confusion_page)
    qtbot.waitUntil(lambda: inspect.last_confusion is not None, timeout=SLOW)
    view = inspect.confusion_view
    cell = view.cell_center(0, 0).toPoint()
    assert open_template(window, get_template("autoencoder"))
    qtbot.waitUntil(lambda: "classification" in inspect.status_label.text(), timeout=SLOW)
    assert "needs a classification dataset" in inspect.status_label.text()
    assert not (view.isVisibleTo(inspect) and view._texts), "the demo's matrix is still drawn"
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, cell
    )
    assert inspect.cell_list.count() == 0
    # The sentence is the Confusion tab's: another tab does not show it (a click on its tab).
    bar = inspect.tabs.tabBar()
    weights = next(i for i in range(bar.count()) if bar.tabText(i) == "Weights")
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(weights).center())
    assert inspect.tabs.currentIndex() == weights
    assert "classification" not in inspect.status_label.text()
