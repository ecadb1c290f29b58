"""The Inspect panel's Predict tab: drawing with the mouse, dropping files, live probabilities."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from guibuilder.document import Project
from guibuilder.document.weights import WeightStore
from guibuilder.graph import Graph
from guibuilder.inspect.drawing import PAD_SIZE
from guibuilder.inspect.sample_input import ImageProfile
from guibuilder.ui.inspect.predict import PredictTab
from guibuilder.ui.window_editor import WindowEditor

SLOW = 60_000
DIGITS = ImageProfile((8, 8, 1), 0.0, 1.0, False, (0.0, 0.125))


@pytest.fixture(scope="module")
def digit_weights():
    """A softmax regression of the digits (scikit-learn fits it in about a second)."""
    from sklearn.linear_model import LogisticRegression

    from guibuilder.data import load_dataset

    data = load_dataset({"name": "digits"})
    fitted = LogisticRegression(max_iter=500).fit(data.x_train.reshape(-1, 64), data.y_train)
    return fitted.coef_.T.astype("float32"), fitted.intercept_.astype("float32")


def classifier(weights, bias, dataset: str = "digits", shape=(8, 8, 1)) -> Project:
    graph = Graph("pad")
    graph.add_node("Input", {"shape": list(shape)}, node_id="image", position=(0.0, 0.0))
    graph.add_node("Flatten", {}, node_id="flat", position=(0.0, 120.0))
    graph.add_node(
        "Dense", {"units": len(bias), "activation": "softmax"}, node_id="digit", position=(0, 240)
    )
    graph.connect("image", "flat")
    graph.connect("flat", "digit")
    store = WeightStore({"digit": [weights, bias]})
    return Project(graph=graph, dataset={"name": dataset}, weights=store)


def open_predict(window, qtbot, project: Project):
    """The Predict tab of ``project``, shown, its dataset loaded."""
    window.set_session(WindowEditor(project))
    window.inspect_dock.show()
    window.inspect_dock.raise_()
    panel = window.inspect_panel
    qtbot.waitUntil(lambda: panel.dataset is not None, timeout=SLOW)
    page = next(
        panel.tabs.widget(i)
        for i in range(panel.tabs.count())
        if isinstance(panel.tabs.widget(i), PredictTab)
    )
    panel.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.pad is not None, timeout=5000)
    return page


@pytest.fixture
def predict(window, qtbot, digit_weights):
    """The Predict tab of a digits classifier, shown, with an empty pad."""
    page = open_predict(window, qtbot, classifier(*digit_weights))
    qtbot.waitUntil(page.pad.isVisible, timeout=5000)
    return page


def pad_point(page, x: float, y: float) -> QPoint:
    """A point of the pad given as fractions of its drawing area."""
    rect = page.pad.pad_rect()
    return QPoint(round(rect.x() + x * rect.width()), round(rect.y() + y * rect.height()))


def stroke(page, points, release: bool = True) -> None:
    """Drag the mouse over ``points`` (fractions of the pad) with the left button held."""
    pad = page.pad
    first = pad_point(page, *points[0])
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, first)
    for x, y in points[1:]:
        QTest.mouseMove(pad, pad_point(page, x, y))
        QTest.qWait(4)
    if release:
        last = pad_point(page, *points[-1])
        QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, last)


def wait_prediction(qtbot, page, newer_than: int = -1):
    qtbot.waitUntil(
        lambda: page.last_result is not None and page.last_result.stroke > newer_than,
        timeout=SLOW,
    )
    return page.last_result


def oval(cx=0.5, cy=0.5, rx=0.22, ry=0.33, steps=32):
    return [
        (cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in np.linspace(0, 2 * math.pi, steps)
    ]


def test_drawing_a_stroke_updates_the_probabilities_live(predict, qtbot):
    page = predict
    assert page.pad.empty and page.last_result is None
    stroke(page, [(0.2, 0.3), (0.8, 0.3)], release=False)
    live = wait_prediction(qtbot, page)
    assert not page.pad.empty, "nothing was drawn"
    assert np.isclose(live.probs.sum(), 1.0, atol=1e-4)
    QTest.mouseRelease(
        page.pad,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        pad_point(page, 0.8, 0.3),
    )
    first = wait_prediction(qtbot, page, live.stroke)

    stroke(page, [(0.5, 0.3), (0.5, 0.9), (0.2, 0.9)])
    second = wait_prediction(qtbot, page, page.pad.version - 1)
    assert not np.allclose(first.probs, second.probs), "a new stroke left the probabilities"
    assert np.allclose(page.bars.heights(), second.probs)
    assert page.status.isHidden(), "a trained model got a note"
    shown = page.seen.pictures[0].base.image
    assert np.allclose(shown, second.input[:, :, 0].T)


def test_why_colours_the_model_input_by_saliency(predict, qtbot, digit_weights):
    page = predict
    assert page.why_box.isChecked()
    stroke(page, oval())
    result = wait_prediction(qtbot, page, page.pad.version - 1)
    weights, _bias = digit_weights
    best = int(result.probs.argmax())
    # d p_c / d x of a softmax regression: p_c (w_c - sum_j p_j w_j)
    expected = result.probs[best] * (weights[:, best] - weights @ result.probs)
    shown = page.seen.pictures[0].values
    assert np.allclose(shown, expected.reshape(8, 8), atol=1e-5)
    assert f"saliency of {best}" in page.seen.pictures[0].plot.titleLabel.text

    QTest.mouseClick(page.why_box, Qt.MouseButton.LeftButton)
    assert not page.why_box.isChecked()
    plain = wait_prediction(qtbot, page, -1)
    qtbot.waitUntil(lambda: page.last_result.saliency is None, timeout=SLOW)
    assert page.seen.pictures[0].values is None
    assert not page.seen.pictures[0].overlay.isVisible()
    assert np.allclose(plain.probs, result.probs)


def test_a_drawn_digit_is_recognised(predict, qtbot):
    page = predict
    stroke(page, [(0.5, 0.12), (0.5, 0.88)])
    one = wait_prediction(qtbot, page, page.pad.version - 1)
    assert one.input.shape == (8, 8, 1)
    assert one.input.min() == 0.0 and one.input.max() == pytest.approx(1.0, abs=0.02)
    assert one.input[:, :, 0].mean() < 0.5, "the strokes should be bright on a dark ground"
    assert page.panel.dataset.class_names[int(one.probs.argmax())] == "1"
    assert ">1</span>" in page.caption.text()

    QTest.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    assert page.pad.empty and page.last_result is None
    assert not page.bars.heights().any()
    stroke(page, oval())
    zero = wait_prediction(qtbot, page, page.pad.version - 1)
    assert int(zero.probs.argmax()) == 0


def drop(widget, paths) -> QDropEvent:
    """Drag ``paths`` onto ``widget`` and drop them there, as a file manager does."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    centre = widget.rect().center()
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(
        centre, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted(), "the pad refused the drag"
    event = QDropEvent(
        QPointF(centre), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, event)
    return event


def test_dropping_a_png_puts_it_on_the_pad_and_predicts(predict, qtbot, tmp_path):
    page = predict
    paper = Image.new("RGB", (120, 90), "white")
    ImageDraw.Draw(paper).line([(60, 10), (60, 80)], fill="black", width=14)
    path = tmp_path / "one.png"
    paper.save(path)

    event = drop(page.pad, [path])
    assert event.isAccepted()
    assert not page.pad.empty
    pixels = page.pad.pixels()
    assert pixels[PAD_SIZE // 2, PAD_SIZE // 2].min() > 200, "the dark ink was not made bright"
    assert pixels[PAD_SIZE // 2, 5].max() < 30, "the white paper was not made dark"
    result = wait_prediction(qtbot, page, page.pad.version - 1)
    assert page.panel.dataset.class_names[int(result.probs.argmax())] == "1"


def test_a_file_that_is_no_image_is_refused_in_one_sentence(predict, qtbot, tmp_path):
    page = predict
    stroke(page, [(0.5, 0.12), (0.5, 0.88)])
    drawn = page.pad.pixels()
    broken = tmp_path / "broken.png"
    broken.write_text("not a picture")
    messages = []
    page.panel.message.connect(messages.append)
    drop(page.pad, [broken])
    assert page.status.text() == (
        "The dropped file broken.png is not a readable image: not an image Pillow can identify."
    )
    assert len(messages) == 1 and messages[0].startswith("Predict: the dropped file broken.png")
    assert np.array_equal(page.pad.pixels(), drawn), "the drawing was lost"

    text = tmp_path / "notes.txt"
    text.write_text("hello")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(text))])
    enter = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter.ignore()
    QApplication.sendEvent(page.pad, enter)
    assert not enter.isAccepted()


def test_a_non_image_dataset_says_predict_needs_an_image(window, qtbot):
    weights = np.ones((4, 3), dtype="float32")
    project = classifier(weights, np.zeros(3, dtype="float32"), "iris", shape=(4,))
    page = open_predict(window, qtbot, project)
    qtbot.waitUntil(lambda: "needs an image input" in page.status.text(), timeout=5000)
    assert not page.pad.isVisible()


def test_open_button_loads_a_file_and_delete_clears_the_pad(predict, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    page = predict
    paper = Image.new("L", (64, 64), 255)
    ImageDraw.Draw(paper).ellipse([(14, 6), (50, 58)], outline=0, width=9)
    path = tmp_path / "zero.jpeg"
    paper.save(path)
    asked = []

    def chosen(*args, **kwargs):
        asked.append(args[3] if len(args) > 3 else kwargs.get("filter", ""))
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", chosen)
    QTest.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert asked and "*.png" in asked[0] and "*.jpeg" in asked[0]
    assert not page.pad.empty
    zero = wait_prediction(qtbot, page, page.pad.version - 1)
    assert int(zero.probs.argmax()) == 0

    page.pad.setFocus()
    QTest.keyClick(page.pad, Qt.Key.Key_Delete)
    assert page.pad.empty and not page.pad.pixels().any()
    assert "Draw on the pad" in page.caption.text()


def test_a_model_whose_input_does_not_fit_the_images_is_named(window, qtbot):
    weights = np.zeros((16, 10), dtype="float32")
    project = classifier(weights, np.zeros(10, dtype="float32"), shape=(4, 4, 1))
    page = open_predict(window, qtbot, project)
    qtbot.waitUntil(page.pad.isVisible, timeout=5000)
    stroke(page, [(0.5, 0.12), (0.5, 0.88)])
    qtbot.waitUntil(lambda: "fit the Input" in page.status.text(), timeout=SLOW)
    assert page.status.text() == (
        "The model takes samples of shape 4 x 4 x 1, but the dataset's are 8 x 8 x 1: "
        "fit the Input to the data."
    )
    assert not page.pad.empty, "the drawing was lost"


def test_an_autoencoder_says_predict_needs_a_classifier(window, qtbot):
    """The autoencoder template reads images but has no classes: one sentence, no empty bars."""
    from guibuilder.templates import get_template

    page = open_predict(window, qtbot, get_template("autoencoder").project())
    qtbot.waitUntil(lambda: "classification dataset" in page.status.text(), timeout=5000)
    assert "'digits (reconstruct)' is not one" in page.status.text()
    assert not page.pad.isVisible()
