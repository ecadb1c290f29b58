"""A click on a node shows its activations at once once the Inspect worker has them ready."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject

from guibuilder.compiler.build import build_model
from guibuilder.document.weights import WeightStore
from guibuilder.inspect import activations
from guibuilder.templates import get_template
from guibuilder.ui.dialogs.gallery import open_template
from tests.ui.helpers import click_node

#: Keras is imported by the first job, which can take a while on a busy machine.
SLOW = 90_000


class PaintCounter(QObject):
    """Counts the paint events of the widget it filters."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def opened(window, qtbot, name: str):
    """``name``'s template open, the Inspect dock in front, the worker done preparing."""
    open_template(window, get_template(name))
    window.inspect_dock.show()
    window.inspect_dock.raise_()
    panel = window.inspect_panel
    qtbot.waitUntil(lambda: panel.dataset is not None and panel.worker.idle(), timeout=SLOW)
    qtbot.waitUntil(lambda: panel._layers is not None, timeout=SLOW)
    return panel


def test_a_click_paints_the_nodes_activations_before_the_event_loop_runs_again(window, qtbot):
    panel = opened(window, qtbot, "lenet5")
    graph = window.session.graph
    # Give the project known weights, so the expected activations can be worked out here.
    model = build_model(graph)
    window.session.set_slot("weights", WeightStore.from_model(model, graph), "Weights")
    qtbot.waitUntil(
        lambda: (
            panel.worker.idle()
            and panel._layers is not None
            and panel._layers.version == panel._version
        ),
        timeout=SLOW,
    )
    x = panel.dataset.x_val
    expected = activations(model, x[:1])
    jobs: list[str] = []
    panel.worker.submit = lambda kind, *args: jobs.append(kind)
    counter = PaintCounter()
    panel.activation_view.viewport().installEventFilter(counter)
    for node_id in graph.topological_order()[1:]:
        painted = counter.count
        click_node(window, node_id)
        # No waiting: the view was drawn and painted inside the click.
        assert counter.count > painted, node_id
        result = panel.last_activation
        assert result.node_id == node_id and result.sample == 0
        np.testing.assert_allclose(result.values, expected[node_id][0], rtol=1e-4, atol=1e-5)
    assert jobs == [], "a click with the activations at hand asked the worker again"
    panel.activation_view.viewport().removeEventFilter(counter)
    del panel.worker.submit

    # Another sample: the worker computes it, and the kept activations follow.
    panel.sample_box.setValue(4)
    qtbot.waitUntil(
        lambda: panel.last_activation is not None and panel.last_activation.sample == 4,
        timeout=SLOW,
    )
    node_id = panel.node_id
    assert panel._layers.sample == 4
    fourth = activations(model, x[4:5])
    np.testing.assert_allclose(
        panel.last_activation.values, fourth[node_id][0], rtol=1e-4, atol=1e-5
    )
    assert np.allclose(panel._layers.layers["input"], x[4])


def test_nodes_that_share_a_layer_show_their_own_call(window, qtbot):
    panel = opened(window, qtbot, "siamese")
    graph = window.session.graph
    sharer = next(n for n in graph.topological_order() if graph.node(n).shares)
    owner = graph.node(sharer).shares
    click_node(window, owner)
    mine = panel.last_activation.values
    click_node(window, sharer)
    assert panel.last_activation.node_id == sharer
    theirs = panel.last_activation.values
    assert theirs.shape == mine.shape
    # The two towers see the two images of the pair, so their maps differ.
    assert not np.allclose(theirs, mine)
    x_first, x_second = panel.dataset.x_val
    assert not np.allclose(x_first[0], x_second[0])


def test_a_sample_whose_label_is_an_image_names_its_shape(window, qtbot):
    panel = opened(window, qtbot, "autoencoder")
    assert "label: 8 x 8 x 1 values" in panel.sample_label.text()


def test_bars_under_one_keep_their_values_on_the_axis_however_often_drawn(qtbot):
    from guibuilder.ui.inspect.views import ActivationView

    view = ActivationView()
    qtbot.addWidget(view)
    probs = np.array([0.05, 0.68, 0.02, 0.25], "float32")
    for _ in range(3):
        view.show_activation("output", probs, ("a", "b", "c", "d"))
        axis = view.plot.getAxis("left")
        assert axis.autoSIPrefixScale == 1.0, "the axis shows the values scaled"
        assert "x0.001" not in axis.labelString()
    view.show_activation("maps", np.random.default_rng(0).random((4, 4, 3)).astype("float32"))
    view.show_activation("output", probs * 1e-4)
    assert view.plot.getAxis("left").autoSIPrefixScale == 1.0
