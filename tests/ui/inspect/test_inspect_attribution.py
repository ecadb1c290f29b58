"""The Inspect panel's Attribution and Adversarial tabs, driven as a user drives them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionSlider

from guibuilder.document import Project
from guibuilder.document.weights import WeightStore
from guibuilder.graph import Graph
from guibuilder.ui import theme
from guibuilder.ui.inspect.attribution import AdversarialTab, AttributionTab
from guibuilder.ui.window_editor import WindowEditor

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo" / "digits_cnn.gbproj"
#: Keras is imported by the first job, which can take a while on a busy machine.
SLOW = 60_000


def open_project(window, qtbot, project: Project | Path):
    """Show ``project`` (or open that file) with the Inspect dock up and its dataset loaded."""
    if isinstance(project, Path):
        window.load(project)
    else:
        window.set_session(WindowEditor(project))
    window.inspect_dock.show()
    window.inspect_dock.raise_()
    panel = window.inspect_panel
    qtbot.waitUntil(lambda: panel.dataset is not None, timeout=SLOW)
    return panel


def open_tab(panel, cls):
    page = next(
        panel.tabs.widget(i)
        for i in range(panel.tabs.count())
        if isinstance(panel.tabs.widget(i), cls)
    )
    panel.tabs.setCurrentWidget(page)
    QApplication.processEvents()
    return page


def wait_result(qtbot, page, done=lambda r: True):
    qtbot.waitUntil(lambda: page.last_result is not None and done(page.last_result), timeout=SLOW)
    return page.last_result


def linear_project(weights: np.ndarray, bias: np.ndarray) -> Project:
    """8x8 digits -> Flatten -> Dense(10) with no activation and the given weights."""
    graph = Graph("linear")
    graph.add_node("Input", {"shape": [8, 8, 1]}, node_id="image", position=(0.0, 0.0))
    graph.add_node("Flatten", {}, node_id="flat", position=(0.0, 120.0))
    graph.add_node("Dense", {"units": 10}, node_id="score", position=(0.0, 240.0))
    graph.connect("image", "flat")
    graph.connect("flat", "score")
    store = WeightStore({"score": [weights, bias]})
    return Project(graph=graph, dataset={"name": "digits"}, weights=store)


def test_saliency_of_a_linear_model_is_its_weights_as_shown(window, qtbot):
    rng = np.random.default_rng(3)
    weights = rng.normal(size=(64, 10)).astype("float32")
    bias = rng.normal(size=10).astype("float32")
    panel = open_project(window, qtbot, linear_project(weights, bias))
    page = open_tab(panel, AttributionTab)
    panel.sample_box.setValue(4)
    result = wait_result(qtbot, page, lambda r: r.sample == 4)

    sample = panel.dataset.x_val[4]
    scores = sample.reshape(-1) @ weights + bias
    assert result.predicted == result.target == int(np.argmax(scores))
    assert page.status.isHidden(), "a trained model got a note"
    shown = page.pictures.pictures[0].values
    assert np.allclose(shown, weights[:, result.target].reshape(8, 8), atol=1e-5)
    assert np.allclose(page.pictures.pictures[0].base.image, sample[:, :, 0].T)

    chosen = (result.predicted + 3) % 10
    page.class_box.setCurrentIndex(chosen + 1)
    result = wait_result(qtbot, page, lambda r: r.target == chosen)
    shown = page.pictures.pictures[0].values
    assert np.allclose(shown, weights[:, chosen].reshape(8, 8), atol=1e-5)
    assert f"class {chosen}" in page.caption.text()

    occlusion = page.pictures.pictures[1].values
    assert occlusion.shape == (8, 8) and np.abs(occlusion).max() > 0
    note = page.pictures.pictures[2].note.toPlainText().replace("\n", " ")
    assert "Grad-CAM needs a 2-D convolution" in note
    assert page.pictures.pictures[2].values is None


def test_grad_cam_of_the_demo_cnn_follows_the_chosen_sample(window, qtbot):
    panel = open_project(window, qtbot, DEMO)
    page = open_tab(panel, AttributionTab)
    first = wait_result(qtbot, page, lambda r: r.sample == 0)
    assert first.conv == "conv_2"
    assert "no trained weights" in page.status.text()
    cam = page.pictures.pictures[2].values
    assert cam.shape == (8, 8) and cam.min() >= 0.0 and cam.max() <= 1.0
    assert "conv_2" in page.pictures.pictures[2].plot.titleLabel.text
    rgba = page.pictures.pictures[2].overlay.image
    assert rgba.shape == (8, 8, 4) and rgba[..., 3].max() > 0, "the overlay is invisible"

    panel.sample_box.setValue(7)
    later = wait_result(qtbot, page, lambda r: r.sample == 7)
    assert np.allclose(later.image, panel.dataset.x_val[7])
    assert not np.allclose(later.saliency, first.saliency)


def slider_point(slider, value: int) -> QPoint:
    """Where the slider's handle is when it is at ``value``, in the slider's coordinates."""
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    style = slider.style()
    groove = style.subControlRect(
        QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, slider
    )
    handle = style.subControlRect(
        QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, slider
    )
    span = groove.width() - handle.width()
    x = QStyle.sliderPositionFromValue(slider.minimum(), slider.maximum(), value, span)
    return QPoint(groove.x() + x + handle.width() // 2, handle.center().y())


def test_moving_the_epsilon_slider_changes_the_adversarial_image(window, qtbot, monkeypatch):
    panel = open_project(window, qtbot, DEMO)
    page = open_tab(panel, AdversarialTab)
    before = wait_result(qtbot, page)
    assert before.epsilon == pytest.approx(0.1)
    assert np.abs(before.perturbation).max() <= 0.1 + 1e-6
    assert np.allclose(page.pictures.pictures[2].base.image, before.adversarial[:, :, 0].T)

    jobs = []
    compute = panel.worker.compute
    monkeypatch.setattr(
        panel.worker, "compute", lambda kind, *args: (jobs.append(kind), compute(kind, *args))
    )
    slider = page.slider
    start, end = slider_point(slider, slider.value()), slider_point(slider, 40)
    QTest.mousePress(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 11):
        point = start + (end - start) * (step / 10)
        QTest.mouseMove(slider, point)
        QTest.qWait(5)
    QTest.mouseRelease(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert slider.value() > 30
    assert jobs.count("adversarial") <= 1, "every slider step asked the worker"
    after = wait_result(qtbot, page, lambda r: r.epsilon > 0.3)
    assert page.epsilon_label.text() == f"ε = {after.epsilon:.3g}"
    assert not np.allclose(after.adversarial, before.adversarial)
    assert np.allclose(page.pictures.pictures[2].base.image, after.adversarial[:, :, 0].T)
    assert np.abs(after.perturbation).max() > 0.1 + 1e-6
    assert np.allclose(page.bars.heights(1), after.after)
    assert np.isclose(after.after.sum(), 1.0, atol=1e-4)


def test_tabular_data_gets_feature_bars_and_clear_sentences(window, qtbot):
    graph = Graph("iris")
    graph.add_node("Input", {"shape": [4]}, node_id="x", position=(0.0, 0.0))
    graph.add_node("Dense", {"units": 3}, node_id="out", position=(0.0, 120.0))
    graph.connect("x", "out")
    weights = np.arange(12, dtype="float32").reshape(4, 3) / 10
    store = WeightStore({"out": [weights, np.zeros(3, dtype="float32")]})
    panel = open_project(window, qtbot, Project(graph, {"name": "iris"}, weights=store))

    page = open_tab(panel, AttributionTab)
    result = wait_result(qtbot, page)
    assert page.bars.isVisible() and not page.pictures.isVisible()
    assert np.allclose(page.bars.heights(), weights[:, result.target])
    ticks = page.bars.plot.getAxis("bottom")._tickLevels[0]
    assert [label for _x, label in ticks] == list(panel.dataset.feature_names)
    assert "need an image input" in page.status.text()
    assert not page.opacity.isVisible(), "an overlay control without an overlay"
    red = [brush == theme.current().error for brush in page.bars.series[0].opts["brushes"]]
    assert red == list(weights[:, result.target] > 0)

    adversarial = open_tab(panel, AdversarialTab)
    qtbot.waitUntil(lambda: "image inputs" in adversarial.status.text(), timeout=5000)
    assert adversarial.last_result is None and not adversarial.pictures.isVisible()
    assert not adversarial.slider.isVisible()
    assert "samples are 4 numbers" in adversarial.status.text()


def colour_folder(root: Path) -> dict:
    """An image folder of 12 x 12 colour squares, red or blue, as a dataset spec."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for name, channel in (("blue", 2), ("red", 0)):
        (root / name).mkdir(parents=True)
        for i in range(12):
            pixels = (rng.random((12, 12, 3)) * 50).astype("uint8")
            r, c = rng.integers(0, 6, 2)
            pixels[r : r + 6, c : c + 6, channel] = 240
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return {"name": "image_folder", "path": str(root), "image_size": [12, 12], "color_mode": "rgb"}


def test_colour_images_are_explained_and_perturbed_in_colour(window, qtbot, tmp_path):
    graph = Graph("colour")
    graph.add_node("Input", {"shape": [12, 12, 3]}, node_id="image", position=(0.0, 0.0))
    graph.add_node(
        "Conv2D", {"filters": 4, "kernel_size": [3, 3]}, node_id="conv", position=(0.0, 120.0)
    )
    graph.add_node("Flatten", {}, node_id="flat", position=(0.0, 240.0))
    graph.add_node("Dense", {"units": 2}, node_id="out", position=(0.0, 360.0))
    for a, b in (("image", "conv"), ("conv", "flat"), ("flat", "out")):
        graph.connect(a, b)
    panel = open_project(window, qtbot, Project(graph, colour_folder(tmp_path / "squares")))

    page = open_tab(panel, AttributionTab)
    result = wait_result(qtbot, page)
    assert result.image.shape == (12, 12, 3) and result.conv == "conv"
    base = page.pictures.pictures[0].base.image
    assert base.shape == (12, 12, 3) and np.allclose(base, result.image.transpose(1, 0, 2))
    assert np.allclose(page.pictures.pictures[0].values, result.saliency.sum(axis=-1))

    adversarial = open_tab(panel, AdversarialTab)
    fooled = wait_result(qtbot, adversarial)
    assert fooled.adversarial.shape == (12, 12, 3)
    assert fooled.adversarial.min() >= 0.0 and fooled.adversarial.max() <= 1.0
    shown = adversarial.pictures.pictures[1].base.image
    assert np.allclose(shown, fooled.perturbation.sum(axis=-1).T)


def test_an_autoencoder_gets_one_sentence_and_not_the_last_models_pictures(window, qtbot):
    """From the demo CNN to the autoencoder template (its output is an image, not one score
    per class): each tab says why in one sentence and hides the demo's pictures."""
    from guibuilder.templates import get_template

    panel = open_project(window, qtbot, DEMO)
    pages = [open_tab(panel, AttributionTab), open_tab(panel, AdversarialTab)]
    for page in pages:
        open_tab(panel, type(page))
        wait_result(qtbot, page)
    open_project(window, qtbot, get_template("autoencoder").project())
    for page, why in zip(pages, ("one score per class", "classification dataset"), strict=True):
        open_tab(panel, type(page))
        qtbot.waitUntil(lambda page=page: page.status.text() != "", timeout=SLOW)
        qtbot.waitUntil(lambda page=page, why=why: why in page.status.text(), timeout=SLOW)
        assert not page.pictures.isVisibleTo(page), page.status.text()
        assert not page.bars.isVisibleTo(page), page.status.text()
        QApplication.processEvents()  # the sentence sits at the top, not mid-tab
        middle = page.status.mapTo(page, page.status.rect().center()).y()
        assert middle < page.height() / 4, (middle, page.height())


def test_token_ids_get_one_sentence_not_a_chart_of_zero_gradients(window, qtbot):
    """A text model reads token ids through an Embedding: their gradient is zero, so the tab
    says why there is no saliency instead of drawing sixteen flat bars."""
    from guibuilder.templates import get_template

    panel = open_project(window, qtbot, get_template("transformer-text").project())
    page = open_tab(panel, AttributionTab)
    qtbot.waitUntil(lambda: "token ids" in page.status.text(), timeout=SLOW)
    assert "'sentiment'" in page.status.text()
    assert not page.bars.isVisibleTo(page) and not page.pictures.isVisibleTo(page)


def test_pairs_of_images_are_named_as_pairs(window, qtbot):
    """The Siamese template reads two images per sample: the Adversarial and Predict tabs
    say so, not that its samples are single 8 x 8 x 1 arrays (which are images)."""
    from guibuilder.templates import get_template
    from guibuilder.ui.inspect.predict import PredictTab

    panel = open_project(window, qtbot, get_template("siamese").project())
    for cls in (AdversarialTab, PredictTab):
        page = open_tab(panel, cls)
        qtbot.waitUntil(lambda page=page: page.status.text() != "", timeout=SLOW)
        assert "samples are pairs of 8 x 8 x 1 arrays." in page.status.text()
