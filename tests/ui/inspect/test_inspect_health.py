"""The Health tab: activation statistics and gradient norms per layer, flags, canvas colours."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from guibuilder.document.project import project_to_dict
from guibuilder.document.weights import WeightStore
from guibuilder.ui.canvas.overlay import OverlayLegend
from tests.ui.inspect.test_inspect_panel import click_node
from tests.ui.trained import SLOW, open_trained, show_tab


def graph_of(session) -> dict:
    saved = project_to_dict(session.project)
    return {key: saved[key] for key in ("nodes", "edges", "outputs")}


def measured(qtbot, tab, previous=None):
    qtbot.waitUntil(lambda: tab.result is not None and tab.result is not previous, timeout=SLOW)
    return tab.result


def test_health_tab_plots_each_layers_statistics_and_gradient_norm(window, qtbot):
    import keras

    from guibuilder.compiler.build import build_model
    from guibuilder.inspect.health import gradient_norms

    session = open_trained(window)
    tab = show_tab(window, "Health")
    result = measured(qtbot, tab)
    ids = [h.node_id for h in result.layers]
    assert ids == ["conv_1", "pool", "conv_2", "features", "dropout", "digit"]
    assert result.samples == 256

    model = build_model(session.graph)
    session.project.weights.apply(model, session.graph)
    x_val, y_val = tab.panel.dataset.x_val[:256], tab.panel.dataset.y_val[:256]
    loss = keras.losses.SparseCategoricalCrossentropy()
    expected = gradient_norms(model, x_val, y_val, loss)
    assert set(result.norms()) == {"conv_1", "conv_2", "digit"}
    for node_id, norm in expected.items():
        assert np.isclose(result.norms()[node_id], norm, rtol=1e-3), node_id

    _x, shown = tab.gradient_points.getData()
    assert np.allclose(10**shown, [expected[k] for k in ("conv_1", "conv_2", "digit")], 1e-3)
    _x, means = tab.mean_curve.getData()
    assert np.allclose(means, [h.mean for h in result.layers])
    first = model.get_layer("conv_1")(x_val.astype("float32"))
    assert np.isclose(means[0], float(np.mean(first)), rtol=1e-3)
    assert tab.problem_list.count() == 1
    assert tab.problem_list.item(0).text().startswith("✓ No vanishing")


def test_a_flagged_layer_is_named_and_clicking_it_selects_the_node(window, qtbot):
    session = open_trained(window)
    weights = session.project.weights
    kernel, bias = weights.get("conv_1")
    weights.set("conv_1", [kernel, np.full_like(bias, -100.0)])  # every unit of conv_1 dies
    tab = show_tab(window, "Health")
    result = measured(qtbot, tab)
    flags = {h.node_id: h.flags for h in result.layers}
    assert "dead_relu" in flags["conv_1"]
    texts = [tab.problem_list.item(i).text() for i in range(tab.problem_list.count())]
    dead = next(t for t in texts if "ReLU" in t)
    assert dead.startswith("⚠ conv_1 (Conv2D): 100% of its ReLU units never fire on 256")
    assert "need attention" in tab.status.text()

    row = texts.index(dead)
    rect = tab.problem_list.visualItemRect(tab.problem_list.item(row))
    QTest.mouseClick(
        tab.problem_list.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        rect.center(),
    )
    assert window.scene.selected_node_ids() == ["conv_1"]
    assert window.inspect_panel.tabs.currentWidget() is tab, "selecting the node left the tab"

    click_node(window, "digit")
    assert window.scene.selected_node_ids() == ["digit"]
    assert window.inspect_panel.tabs.currentWidget() is tab


def test_the_canvas_is_coloured_by_gradient_norm_and_the_colours_come_off(window, qtbot):
    session = open_trained(window)
    graph_before = graph_of(session)
    tab = show_tab(window, "Health")
    result = measured(qtbot, tab)
    norms = result.norms()
    scene = window.scene
    assert all(item.tint is None for item in scene.node_items())

    QTest.mouseClick(tab.overlay_box, Qt.MouseButton.LeftButton)
    assert tab.overlay_box.isChecked()
    tints = {item.node_id: item.tint for item in scene.node_items()}
    assert {k for k, v in tints.items() if v is not None} == set(norms)
    brightness = {k: tints[k].lightnessF() for k in norms}
    order = sorted(norms, key=norms.get)
    assert sorted(norms, key=brightness.get) == order, "viridis grows lighter with the norm"
    assert "Gradient norm" in scene.node_item(order[-1]).toolTip()
    legends = window.view.viewport().findChildren(OverlayLegend)
    assert len(legends) == 1 and legends[0].isVisible()
    legend = legends[0].overlay
    assert float(legend.low) <= min(norms.values()) and float(legend.high) >= max(norms.values())

    weights = WeightStore({k: session.project.weights.get(k) for k in session.project.weights})
    kernel, bias = weights.get("digit")
    weights.set("digit", [kernel * 50.0, bias])
    session.set_slot("weights", weights, "Scale")
    result = measured(qtbot, tab, result)
    assert result.norms()["digit"] != norms["digit"]
    qtbot.waitUntil(lambda: scene.node_item("digit").tint != tints["digit"], timeout=SLOW)

    QTest.mouseClick(tab.overlay_box, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert all(item.tint is None for item in scene.node_items())
    assert "Gradient norm" not in scene.node_item("digit").toolTip()
    assert not [w for w in window.view.viewport().findChildren(OverlayLegend) if w.isVisible()]
    assert graph_of(session) == graph_before, "the overlay reached the graph"


def test_an_embedding_layers_sparse_gradient_is_measured(window, qtbot):
    open_trained(window, "transformer-text")
    tab = show_tab(window, "Health")
    result = measured(qtbot, tab)
    norms = result.norms()
    assert norms["embedding"] > 0 and norms["multi_head_attention"] > 0
    assert "cannot be run" not in tab.status.text()


def test_the_epochs_of_the_last_run_are_drawn_as_faint_spread_curves(window, qtbot):
    from guibuilder.inspect.snapshots import Snapshot

    open_trained(window)
    panel = window.inspect_panel
    tab = show_tab(window, "Health")
    result = measured(qtbot, tab)
    assert not any(curve.isVisible() for curve in tab.epoch_curves)
    ids = [h.node_id for h in result.layers]
    panel.live_sample = 0
    for epoch in range(3):
        std = {node_id: 0.1 * (epoch + 1) * (depth + 1) for depth, node_id in enumerate(ids)}
        panel.live.add(Snapshot(epoch, {}, dict.fromkeys(ids, 0.0), std))
    panel.refresh()
    drawn = [curve for curve in tab.epoch_curves if curve.isVisible()]
    assert len(drawn) == 3
    _x, last = drawn[-1].getData()
    assert np.allclose(last, [0.3 * (depth + 1) for depth in range(len(ids))])
    assert drawn[0].opts["pen"].color().alpha() < drawn[-1].opts["pen"].color().alpha()
    assert tab.epochs_note.isVisible() and "epochs 0 to 2" in tab.epochs_note.text()

    # Step mode: the newest curve is taken mid-epoch, and the caption says which step.
    std = {node_id: 0.5 * (depth + 1) for depth, node_id in enumerate(ids)}
    panel.live.add(Snapshot(3, {}, dict.fromkeys(ids, 0.0), std, step=4))
    panel.refresh()
    drawn = [curve for curve in tab.epoch_curves if curve.isVisible()]
    assert len(drawn) == 4
    assert np.allclose(drawn[-1].getData()[1], [0.5 * (depth + 1) for depth in range(len(ids))])
    assert "epochs 0 to 2, and epoch 3 step 4" in tab.epochs_note.text()
    assert "epoch 3 step 4" in tab.activation_plot.plot.toolTip()


def test_the_caption_names_epochs_and_a_step_snapshot():
    from guibuilder.inspect.snapshots import Snapshot
    from guibuilder.ui.inspect.health import snapshots_caption

    def shot(epoch, step=0):
        return Snapshot(epoch, {}, {}, {}, step=step)

    assert snapshots_caption([shot(0), shot(1), shot(2)]) == "epochs 0 to 2"
    assert snapshots_caption([shot(2)]) == "epoch 2"
    assert snapshots_caption([shot(1), shot(2, 7)]) == "epoch 1, and epoch 2 step 7"
    assert snapshots_caption([shot(1, 3)]) == "epoch 1 step 3"


def test_both_plots_fit_their_column_in_the_docked_panel(window, qtbot):
    """In the window's own layout the plots are drawn whole: their titles do not make them
    wider than their column, which hid the right-hand end (the deepest layers)."""
    open_trained(window)
    tab = show_tab(window, "Health")
    measured(qtbot, tab)
    QApplication.processEvents()
    for plot in (tab.activation_plot, tab.gradient_plot):
        item, shown = plot.plot, plot.viewport().width()
        assert item.size().width() <= shown + 1, (item.titleLabel.text, item.size(), shown)


def test_the_epochs_note_wraps_under_the_plot_and_the_axis_caption_stays_short(window, qtbot):
    """Which epochs the faint curves are is a note that wraps under the plot: the x-axis
    caption stays "layer depth", no wider than the plot, however many epochs are named."""
    from guibuilder.inspect.snapshots import Snapshot

    open_trained(window)
    panel = window.inspect_panel
    tab = show_tab(window, "Health")
    result = measured(qtbot, tab)
    assert not tab.epochs_note.isVisible()
    ids = [h.node_id for h in result.layers]
    panel.live_sample = 0
    for epoch in range(3):
        panel.live.add(Snapshot(epoch, {}, dict.fromkeys(ids, 0.0), dict.fromkeys(ids, 0.1)))
    panel.live.add(Snapshot(3, {}, dict.fromkeys(ids, 0.0), dict.fromkeys(ids, 0.2), step=4))
    panel.refresh()
    window.resize(900, 900)  # a narrow window: the note has to wrap
    QApplication.processEvents()

    plot = tab.activation_plot
    axis = plot.plot.getAxis("bottom")
    assert axis.labelText == "layer depth"
    caption = axis.label.mapRectToScene(axis.label.boundingRect())
    assert caption.width() <= plot.plot.vb.sceneBoundingRect().width()
    assert plot.plot.size().width() <= plot.viewport().width() + 1

    note = tab.epochs_note
    assert note.isVisible() and "epochs 0 to 2, and epoch 3 step 4" in note.text()
    assert note.width() <= plot.width() + 1, "the note is wider than the plot's column"
    assert note.heightForWidth(note.width()) <= note.height(), "the note is cut short"
    assert "epoch 3 step 4" in note.toolTip()
