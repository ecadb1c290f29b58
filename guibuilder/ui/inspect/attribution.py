"""The Attribution and Adversarial tabs of the Inspect panel.

Attribution: for the panel's sample, which pixels the score of a class depends on:
saliency (the gradient of the score), occlusion (how much the score drops when a patch is
covered) and Grad-CAM (conv nets), each laid over the input in a colour map. The class
explained is the predicted one unless another is chosen.

Adversarial: the fast-gradient-sign (FGSM) perturbation of the sample for an epsilon set
with a slider, with the original, the perturbation and the adversarial image side by side
and the prediction for each. Both are computed in the Inspect worker thread.
:class:`ImageTab` is what these two and the Predict tab share.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider

from guibuilder.errors import GuibuilderError
from guibuilder.inspect.sample_input import (
    ImageProfile,
    as_probabilities,
    describe_inputs,
    image_profile,
    model_output,
    output_names,
)
from guibuilder.inspect.subject import Context, validation_split
from guibuilder.ui import theme
from guibuilder.ui.inspect.tab_base import WorkerTab

if TYPE_CHECKING:
    from guibuilder.ui.inspect.panel import InspectPanel

#: The epsilon slider's steps, as hundredths of the data's value range.
EPSILON_STEPS = 50
#: The slider's start: 0.1 of the value range.
EPSILON_DEFAULT = 10
#: Quiet time after the slider last moved before the worker is asked (milliseconds).
DEBOUNCE_MS = 120
#: The colour map of the perturbation: blue where FGSM darkens, red where it brightens.
DIVERGE = "CET-D1"


def _caption(names: tuple[str, ...], index: int, probs: np.ndarray) -> str:
    name = names[index] if index < len(names) else str(index)
    return f"{name} ({probs[index]:.0%})"


# ------------------------------------------------------------------ attribution
@dataclass(frozen=True)
class AttributionResult:
    """Saliency, occlusion and Grad-CAM of one sample for one class.

    A method that does not apply to the model is None, with the reason in ``notes``.
    """

    sample: int
    target: int
    predicted: int
    probs: np.ndarray
    image: np.ndarray
    saliency: np.ndarray
    occlusion: np.ndarray | None
    grad_cam: np.ndarray | None
    conv: str | None
    notes: dict[str, str]
    profile: ImageProfile | None
    seconds: float


def attribution_job(
    context: Context, sample: int, target: int | None, profile: ImageProfile | None
) -> AttributionResult:
    """Compute the attributions of validation sample ``sample`` (in the worker thread).

    ``profile`` is the dataset's image profile, None when its samples are not images.
    """
    from guibuilder.inspect.attribution import grad_cam, last_conv, occlusion, saliency

    start = time.perf_counter()
    x, _y = validation_split(context.data)
    if isinstance(x, list):
        raise GuibuilderError("attributions need a model with one input")
    if np.issubdtype(np.asarray(x[:1]).dtype, np.integer):
        raise GuibuilderError(
            f"attributions follow the gradient of the input, and {context.data.name!r} gives "
            "whole numbers (such as the token ids an Embedding looks up), which have none"
        )
    image = np.asarray(x[sample], dtype="float32")
    model = context.model
    output = model_output(model, image[None])
    if np.ndim(output[0]) > 1:
        shape = " x ".join(str(d) for d in np.shape(output[0]))
        raise GuibuilderError(
            "attributions explain one score per class, and this model's output for a sample "
            f"is {shape} values"
        )
    probs = as_probabilities(output[0], context.data.task == "classification")
    predicted = int(np.argmax(probs))
    target = predicted if target is None else target
    notes: dict[str, str] = {}
    maps: dict[str, np.ndarray | None] = {"occlusion": None, "grad_cam": None}
    conv = None
    if profile is not None:
        maps["occlusion"] = occlusion(model, image, target)
        try:
            conv = last_conv(model)
            maps["grad_cam"] = grad_cam(model, image, target, conv)
        except GuibuilderError as exc:
            notes["grad_cam"] = f"{exc.message}."
    else:
        notes["occlusion"] = notes["grad_cam"] = "This needs an image input."
    return AttributionResult(
        sample,
        target,
        predicted,
        probs,
        image,
        saliency(model, image, target),
        maps["occlusion"],
        maps["grad_cam"],
        conv,
        notes,
        profile,
        time.perf_counter() - start,
    )


def saliency_shown(values: np.ndarray) -> np.ndarray:
    """The saliency map drawn for an image sample: summed over colour channels, signed."""
    values = np.asarray(values, dtype="float32")
    return values.sum(axis=-1) if values.ndim == 3 else values


class ImageTab(WorkerTab):
    """What the Attribution, Adversarial and Predict tabs share.

    A row of controls, a caption, a note above the views (:meth:`say`), the dataset's
    :class:`ImageProfile`, and :meth:`ask_now` for controls that change the question.
    """

    def __init__(self, panel: InspectPanel) -> None:
        super().__init__(panel)
        self.pictures: Any = None
        self.bars: Any = None
        self.last_result: Any = None
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        self.controls = QHBoxLayout()
        self._profile: tuple[Any, ImageProfile | None] | None = None

    def build(self) -> None:
        layout = self.layout()
        layout.addLayout(self.controls)
        layout.addWidget(self.status)
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.status.hide()

    def profile(self) -> ImageProfile | None:
        """The :class:`ImageProfile` of the panel's dataset (None when it is not images)."""
        data = self.panel.dataset
        if data is None:
            return None
        if self._profile is None or self._profile[0] is not data:
            self._profile = (data, image_profile(data))
        return self._profile[1]

    def say(self, text: str) -> None:
        """Show ``text`` above the views, or nothing when it is empty."""
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def show_failure(self, kind: str, text: str) -> None:
        self.caption.setText("")
        self.say(f"{text[:1].upper()}{text[1:]}.")
        for view in (self.pictures, self.bars):  # the last result's: not what the text is about
            if view is not None:
                view.hide()

    def levels(self, image: np.ndarray) -> tuple[float, float]:
        """The grey levels images are drawn with: the dataset's value range."""
        profile = self.profile()
        return (profile.low, profile.high) if profile is not None else _range(image)

    def untrained_note(self) -> str:
        """A sentence when the project's model has no trained weights; else nothing."""
        session = self.panel.session
        weights = session.project.weights if session is not None else None
        if weights is not None and len(weights):
            return ""
        return "The model has no trained weights yet, so this shows what random weights do."

    def ask_now(self) -> None:
        """Ask the worker for what the page's controls now say, if the page is on view."""
        if self.built and self.is_current():
            self.update_jobs()


class AttributionTab(ImageTab):
    """Saliency, occlusion and Grad-CAM of the panel's sample, over the input image."""

    kinds = ("attribution",)

    def __init__(self, panel: InspectPanel) -> None:
        super().__init__(panel)
        self.setObjectName("InspectAttribution")
        self.class_box = QComboBox()
        self.class_box.setObjectName("AttributionClass")
        self.class_box.setMinimumWidth(150)
        self.class_box.setToolTip("The class whose score is explained")
        self.class_box.addItem("Predicted class", None)
        self.class_box.currentIndexChanged.connect(lambda _i: self.ask_now())
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setObjectName("AttributionOpacity")
        self.opacity.setRange(0, 100)
        self.opacity.setValue(85)
        self.opacity.setFixedWidth(110)
        self.opacity.setToolTip("How strongly the maps cover the input image")
        self.opacity.valueChanged.connect(self._opacity_changed)
        self.overlay_label = QLabel("Overlay")
        self.controls.addWidget(QLabel("Explain"))
        self.controls.addWidget(self.class_box)
        self.controls.addSpacing(12)
        self.controls.addWidget(self.overlay_label)
        self.controls.addWidget(self.opacity)
        self.controls.addSpacing(12)
        self.controls.addWidget(self.caption, 1)

    def build(self) -> None:
        from guibuilder.ui.inspect.pictures import PictureRow, ValueBars

        super().build()
        self.pictures = PictureRow(3)
        self.pictures.set_opacity(self.opacity.value() / 100)
        self.bars = ValueBars()
        self.bars.hide()
        self.layout().addWidget(self.pictures, 1)
        self.layout().addWidget(self.bars, 1)
        self.layout().addStretch()  # takes the room of hidden views: the sentence stays up

    def target(self) -> int | None:
        """The class explained: None for the predicted one."""
        return self.class_box.currentData()

    def update_jobs(self) -> None:
        self._fill_classes()
        sample = self.panel.sample_box.value()
        if self.ask("attribution", attribution_job, sample, self.target(), self.profile()):
            self.caption.setText(f"Computing the attributions of sample {sample}…")

    def _fill_classes(self) -> None:
        data = self.panel.dataset
        count = (data.num_classes or 0) if data is not None else 0
        if self.class_box.count() == count + 1:
            return
        self.class_box.blockSignals(True)
        self.class_box.clear()
        self.class_box.addItem("Predicted class", None)
        for i, name in enumerate(output_names(data, count)):
            self.class_box.addItem(name, i)
        self.class_box.blockSignals(False)

    def show_result(self, kind: str, result: AttributionResult) -> None:
        self.last_result = result
        self.say(self.untrained_note())
        names = output_names(self.panel.dataset, result.probs.size)
        for i in range(min(result.probs.size, self.class_box.count() - 1)):
            self.class_box.setItemText(i + 1, _caption(names, i, result.probs))
        explained = _caption(names, result.target, result.probs)
        if result.target == result.predicted:
            which = f"the predicted class, {explained}"
        else:
            which = f"class {explained}; the model predicts {names[result.predicted]}"
        how = "Red raises the score, blue lowers it."
        if result.profile is None:
            how = "Bars above zero raise the score, bars below lower it."
        self.caption.setText(f"Sample {result.sample}, explaining {which}. {how}")
        if result.profile is None:
            self._show_bars(result, names)
        else:
            self._show_maps(result)
        self.panel.status_label.setText(
            f"Attributions of sample {result.sample} computed in {result.seconds * 1000:.0f} ms."
        )

    def _show_maps(self, result: AttributionResult) -> None:
        self.bars.hide()
        self.pictures.show()
        self.opacity.show()
        self.overlay_label.show()
        levels = self.levels(result.image)
        row = self.pictures
        row.show_image(0, "Saliency: d score / d pixel", result.image, levels)
        row.show_overlay(0, saliency_shown(result.saliency), signed=True)
        if result.occlusion is not None:
            row.show_image(1, "Occlusion: score drop when covered", result.image, levels)
            row.show_overlay(1, result.occlusion, signed=True)
        else:
            row.show_note(1, "Occlusion", result.notes.get("occlusion", ""))
        if result.grad_cam is not None:
            row.show_image(2, f"Grad-CAM at {result.conv}", result.image, levels)
            row.show_overlay(2, result.grad_cam, signed=False, bound=1.0)
        else:
            row.show_note(2, "Grad-CAM", result.notes.get("grad_cam", ""))

    def _show_bars(self, result: AttributionResult, names: tuple[str, ...]) -> None:
        self.pictures.hide()
        self.opacity.hide()
        self.overlay_label.hide()
        self.bars.show()
        t = theme.current()
        features = tuple(self.panel.dataset.feature_names)
        values = np.ravel(result.saliency)
        colours = [t.error if v > 0 else t.accent for v in values]
        self.bars.show_values(
            [("saliency", values, colours)],
            features,
            f"Saliency of {names[result.target]}: d score / d feature",
            "gradient",
            fixed=None,
        )
        note = "Occlusion and Grad-CAM need an image input; this is the saliency per feature."
        self.say(" ".join(filter(None, (self.untrained_note(), note))))

    def _opacity_changed(self, value: int) -> None:
        if self.pictures is not None:
            self.pictures.set_opacity(value / 100)


def _range(values: np.ndarray) -> tuple[float, float]:
    low, high = float(np.min(values)), float(np.max(values))
    return (low, high if high > low else low + 1.0)


# ------------------------------------------------------------------ adversarial
@dataclass(frozen=True)
class AdversarialResult:
    """One sample before and after an FGSM perturbation of size ``epsilon``."""

    sample: int
    label: int
    epsilon: float
    original: np.ndarray
    adversarial: np.ndarray
    before: np.ndarray
    after: np.ndarray
    seconds: float

    @property
    def perturbation(self) -> np.ndarray:
        """What FGSM added (after clipping to the data's range)."""
        return self.adversarial - self.original


def adversarial_job(
    context: Context, sample: int, epsilon: float, profile: ImageProfile
) -> AdversarialResult:
    """The FGSM example of validation sample ``sample`` for ``epsilon`` (worker thread).

    The example is kept inside the value range of ``profile``, the dataset's image profile.
    """
    from guibuilder.inspect.attribution import fgsm

    start = time.perf_counter()
    data = context.data
    if data.task != "classification":
        raise GuibuilderError(
            f"adversarial examples need a classification dataset, and {data.name!r} is not one"
        )
    x, y = validation_split(data)
    original = np.asarray(x[sample], dtype="float32")
    label = int(np.asarray(y[sample]).ravel()[0])
    model = context.model
    before = model_output(model, original[None])
    adversarial = fgsm(model, original, label, epsilon, clip=(profile.low, profile.high))[0]
    after = model_output(model, adversarial[None])
    return AdversarialResult(
        sample,
        label,
        epsilon,
        original,
        adversarial,
        as_probabilities(before[0], True),
        as_probabilities(after[0], True),
        time.perf_counter() - start,
    )


class AdversarialTab(ImageTab):
    """The FGSM example of the panel's sample, its epsilon set with a slider."""

    kinds = ("adversarial",)

    def __init__(self, panel: InspectPanel) -> None:
        super().__init__(panel)
        self.setObjectName("InspectAdversarial")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("AdversarialEpsilon")
        self.slider.setRange(0, EPSILON_STEPS)
        self.slider.setValue(EPSILON_DEFAULT)
        self.slider.setFixedWidth(180)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(10)
        self.slider.setToolTip("Size of the perturbation, as a fraction of the pixel range")
        self.slider.valueChanged.connect(self._slider_moved)
        self.epsilon_label = QLabel("")
        self.epsilon_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("ε = 0.000 ") + 4)
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.ask_now)
        self.epsilon_title = QLabel("Epsilon")
        self.controls.addWidget(self.epsilon_title)
        self.controls.addWidget(self.slider)
        self.controls.addWidget(self.epsilon_label)
        self.controls.addSpacing(12)
        self.controls.addWidget(self.caption, 1)

    def build(self) -> None:
        from guibuilder.ui.inspect.pictures import PictureRow, ValueBars

        super().build()
        self.pictures = PictureRow(3)
        self.bars = ValueBars()
        row = QHBoxLayout()
        row.addWidget(self.pictures, 3)
        row.addWidget(self.bars, 2)
        self.layout().addLayout(row, 1)
        self._show_epsilon()

    def epsilon(self) -> float:
        """The slider's epsilon, in the data's units."""
        profile = self.profile()
        span = profile.high - profile.low if profile is not None else 1.0
        return self.slider.value() / 100 * span

    def _show_epsilon(self) -> None:
        self.epsilon_label.setText(f"ε = {self.epsilon():.3g}")

    def _slider_moved(self, _value: int) -> None:
        self._show_epsilon()
        self.debounce.start()

    def update_jobs(self) -> None:
        visible = self.profile() is not None
        for widget in (self.pictures, self.bars, self.slider, self.epsilon_title):
            widget.setVisible(visible)
        self.epsilon_label.setVisible(visible)
        if not visible:
            self.caption.setText("")
            self.panel.status_label.setText("")
            self.say(
                "Adversarial examples are shown for image inputs, and this dataset's "
                f"samples are {describe_inputs(self.panel.dataset)}."
            )
            return
        self._show_epsilon()
        sample = self.panel.sample_box.value()
        self.ask("adversarial", adversarial_job, sample, self.epsilon(), self.profile())

    def show_result(self, kind: str, result: AdversarialResult) -> None:
        self.last_result = result
        self.say(self.untrained_note())
        t = theme.current()
        names = output_names(self.panel.dataset, result.before.size)
        levels = self.levels(result.original)
        guess, fooled = int(result.before.argmax()), int(result.after.argmax())
        row = self.pictures
        title = f"Original: {_caption(names, guess, result.before)}"
        row.show_image(0, title, result.original, levels)
        bound = max(result.epsilon, 1e-6)
        perturbation = result.perturbation
        shown = perturbation.sum(axis=-1) if perturbation.ndim == 3 else perturbation
        row.show_image(1, f"Perturbation (±{result.epsilon:.3g})", shown, (-bound, bound), DIVERGE)
        title = f"Adversarial: {_caption(names, fooled, result.after)}"
        row.show_image(2, title, result.adversarial, levels)
        self.bars.show_values(
            [("original", result.before, t.muted), ("adversarial", result.after, t.error)],
            names,
            f"True class {names[result.label]}",
            highlight=result.label,
        )
        epsilon = f"ε = {result.epsilon:.3g}"
        if fooled != guess:
            text = f"At {epsilon} the prediction flips from {names[guess]} to {names[fooled]}."
        else:
            text = (
                f"At {epsilon} the prediction stays {names[guess]} "
                f"({result.before[guess]:.0%} → {result.after[guess]:.0%})."
            )
        self.caption.setText(text)
        self.panel.status_label.setText(
            f"Adversarial example of sample {result.sample} computed in "
            f"{result.seconds * 1000:.0f} ms."
        )
