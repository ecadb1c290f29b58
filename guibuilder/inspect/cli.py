"""The ``inspect`` command: PNG figures of what a trained model does, for one sample.

``guibuilder inspect RUN_DIR|PROJECT [--sample N] --out DIR`` writes the activations of
every layer, the first convolution's filters, weight histograms, saliency, occlusion and
Grad-CAM, an FGSM example, the confusion matrix (or predicted against true), the most
confidently wrong samples, a PCA of the last hidden layer and the signal health.
"""

from __future__ import annotations

import argparse
import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from guibuilder.errors import FileFormatError, GuibuilderError

INSPECT_HELP = "write PNG figures of a trained model: activations, filters, saliency, ..."

#: Samples used for the signal health and the embedding (the first ones of the set).
BATCH = 256
EPSILONS = (0.05, 0.1, 0.2)


def _index(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def configure_inspect(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``inspect``."""
    parser.add_argument(
        "source",
        metavar="RUN_DIR|PROJECT",
        help="a run folder (uses its best.keras) or a .gbproj project with trained weights",
    )
    parser.add_argument(
        "--sample",
        type=_index,
        default=0,
        metavar="N",
        help="which validation sample to explain (default 0)",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="the folder for the figures")
    parser.add_argument(
        "--dataset",
        metavar="NAME|PATH",
        help="the data to inspect with; the run's or the project's dataset by default",
    )


@dataclass
class _Subject:
    """What is inspected: the graph, the weights file or store, the data, their origin."""

    graph: Any
    data: Any
    origin: str
    weights_file: Path | None = None
    weights: Any = None
    #: Warnings kept until native stderr is unmuted.
    notes: list[str] = field(default_factory=list)

    def model(self) -> Any:
        """Build the model and load its weights."""
        from guibuilder.compiler.build import build_model

        model = build_model(self.graph)
        if self.weights_file is not None:
            from guibuilder.compiler.importer import read_model_config

            read_model_config(self.weights_file)  # refuses a zip bomb before Keras reads it
            try:
                model.load_weights(self.weights_file)
            except Exception as exc:  # a damaged or foreign file: Keras says why
                raise FileFormatError(
                    f"the weights in {self.weights_file} cannot be loaded: {exc}"
                ) from exc
        elif self.weights is None or not len(self.weights):
            self.notes.append(
                f"{self.origin} has no trained weights: the figures show an untrained model"
            )
        else:
            stale = self.weights.apply(model, self.graph)
            if stale:
                names = ", ".join(stale)
                self.notes.append(f"the saved weights no longer fit {names}: those are untrained")
        return model


def _from_run(folder: Path, dataset: str | None) -> _Subject:
    from guibuilder.document import project_from_dict
    from guibuilder.training.runs import BEST, CONFIG, LAST, read_config

    config = read_config(folder)
    path = next((folder / n for n in (BEST, LAST) if (folder / n).is_file()), None)
    if path is None:
        raise FileFormatError(f"the run folder {folder} has no {BEST} or {LAST}: did it finish?")
    if "project" not in config:
        raise FileFormatError(f"{folder / CONFIG} does not hold the run's project")
    graph = project_from_dict(config["project"], str(folder / CONFIG)).graph
    described = config.get("dataset") or {}
    source = dataset or described.get("spec") or described.get("name")
    if not source:
        raise GuibuilderError(f"the run {folder} does not say its dataset: give one with --dataset")
    data = _load_data(source, folder)
    return _Subject(graph, data, f"{folder.name}/{path.name}", weights_file=path)


def _from_project(path: Path, dataset: str | None) -> _Subject:
    from guibuilder.clitools import load_project_warned

    project = load_project_warned(str(path))
    source = dataset or project.dataset
    if not source:
        raise GuibuilderError(f"{path} has no dataset: give one with --dataset NAME|PATH")
    data = _load_data(source, path.resolve().parent)
    return _Subject(project.graph, data, path.name, weights=project.weights)


def _load_data(source: Any, base: Path) -> Any:
    from guibuilder.data import load_dataset

    return load_dataset(source, base_dir=base)


def _split(data: Any) -> tuple[np.ndarray, np.ndarray, str]:
    if len(data.x_val):
        return data.x_val, data.y_val, "validation"
    return data.x_train, data.y_train, "training"


def _slug(node_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", node_id)


def _caption(data: Any, label: Any) -> str:
    return data.label_text(label) if data.task == "classification" else f"{float(label):.3g}"


class _Writer:
    """Writes the figures into ``out`` and remembers what it wrote."""

    def __init__(self, out: Path, notes: list[str]) -> None:
        self.out = out
        self.notes = notes
        self.written: list[Path] = []

    def add(self, path: Path) -> None:
        self.written.append(path)
        print(f"  {path}")


def run_inspect(args: argparse.Namespace) -> int:
    """Write the figures of ``args.source`` into ``args.out``; 0 when done."""
    source = Path(args.source)
    if not source.exists():
        raise FileFormatError(f"{source} does not exist")
    if Path(args.out).exists() and not Path(args.out).is_dir():
        raise GuibuilderError(f"--out {args.out} is a file: give a folder for the figures")
    subject = (
        _from_run(source, args.dataset) if source.is_dir() else _from_project(source, args.dataset)
    )
    data = subject.data
    inputs = subject.graph.input_nodes()
    if len(inputs) != 1:
        raise GuibuilderError(
            f"inspect draws models with one input, but {subject.origin} has {len(inputs)}"
        )
    x, y, split = _split(data)
    if args.sample >= len(x):
        raise GuibuilderError(
            f"--sample {args.sample} is out of range: the {split} set of {data.name!r} has "
            f"{len(x)} samples"
        )
    from guibuilder.clitools import quiet_keras, warn

    with quiet_keras(args):
        model = subject.model()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out, subject.notes)
    print(f"Inspecting {subject.origin} on {data.name} ({split} sample {args.sample}):")
    with quiet_keras(args):
        _write_all(model, data, x, y, args.sample, writer)
    for note in subject.notes:
        warn(note)
    print(f"Wrote {len(writer.written)} figures to {out}.")
    return 0


def _write_all(model: Any, data: Any, x: Any, y: Any, index: int, writer: _Writer) -> None:
    from guibuilder.inspect import figures
    from guibuilder.inspect.activations import Probe, layer_ids, sample_of
    from guibuilder.inspect.health import signal_health
    from guibuilder.inspect.weights import conv_filters, first_conv, weight_histograms

    out = writer.out
    probe = Probe(model)
    sample = sample_of(x, index)
    acts = probe(sample)
    output = model.outputs[0]._keras_history.operation.name
    names = list(data.class_names) if data.task == "classification" else []
    for depth, node_id in enumerate(layer_ids(model), start=1):
        layer_type = type(model.get_layer(node_id)).__name__
        name = f"activations_{depth:02d}_{_slug(node_id)}.png"
        units = names if node_id == output else ()
        writer.add(
            figures.activation_figure(node_id, layer_type, acts[node_id][0], out / name, units)
        )
    try:
        conv = first_conv(model)
    except GuibuilderError:
        conv = None
    if conv is not None:
        path = out / f"filters_{_slug(conv)}.png"
        writer.add(figures.filters_figure(conv, conv_filters(model, conv), path))
    writer.add(figures.weights_figure(weight_histograms(model), out / "weights.png"))
    batch_x, batch_y = x[:BATCH], y[:BATCH]
    report = signal_health(model, batch_x, batch_y, getattr(model, "loss", None), probe)
    writer.add(figures.health_figure(report, out / "signal_health.png"))
    for h in report:
        if h.flags:
            writer.notes.append(f"signal health of {h.node_id}: {', '.join(h.flags)}")
    if data.task == "classification":
        _classification(model, data, x, y, index, writer, probe)
    else:
        from guibuilder.inspect.evaluation import regression_pairs

        pred, true, r2 = regression_pairs(model, x, y)
        writer.add(figures.regression_figure(pred, true, r2, out / "predicted_vs_true.png"))


def _classification(
    model: Any, data: Any, x: Any, y: Any, index: int, writer: _Writer, probe: Any
) -> None:
    import keras

    from guibuilder.inspect import figures
    from guibuilder.inspect.attribution import fgsm, grad_cam, last_conv, occlusion, saliency
    from guibuilder.inspect.embeddings import pca
    from guibuilder.inspect.evaluation import evaluate_classifier

    out = writer.out
    names = list(data.class_names) or [str(i) for i in range(int(model.outputs[0].shape[-1]))]
    result = evaluate_classifier(model, x, y, len(names))
    writer.add(
        figures.confusion_figure(
            result.matrix,
            names,
            result.precision,
            result.recall,
            result.accuracy,
            out / "confusion_matrix.png",
        )
    )
    image_like = np.ndim(x) == 4 and np.shape(x)[-1] in (1, 3)
    sample = x[index]
    probs = result.probs[index]
    guess = int(probs.argmax())
    if image_like:
        wrong = result.wrong
        captions = [
            f"#{i}: true {names[result.y_true[i]]}\npredicted {names[result.y_pred[i]]} "
            f"({result.probs[i].max():.0%})"
            for i in wrong
        ]
        title = f"The {len(wrong)} most confidently wrong {data.name} samples"
        writer.add(figures.samples_figure(x[wrong], captions, title, out / "most_wrong.png"))
        maps = {
            f"saliency of {names[guess]}: |d score / d x|": saliency(model, sample, guess),
            f"occlusion: drop of {names[guess]}'s score": occlusion(model, sample, guess),
        }
        with contextlib.suppress(GuibuilderError):
            maps[f"Grad-CAM at {last_conv(model)}"] = grad_cam(model, sample, guess)
        title = (
            f"Why sample {index} (true {names[int(y[index])]}) is predicted {names[guess]} "
            f"({probs[guess]:.0%})"
        )
        writer.add(figures.attribution_figure(sample, maps, title, out / "saliency.png"))
        low, high = float(np.min(x)), float(np.max(x))
        samples = [sample]
        captions = [f"original\npredicted {names[guess]} ({probs[guess]:.0%})"]
        for eps in EPSILONS:
            adversarial = fgsm(model, sample, int(y[index]), eps, clip=(low, high))
            p = keras.ops.convert_to_numpy(model(adversarial, training=False))[0]
            samples.append(adversarial[0])
            captions.append(f"FGSM ε={eps:g}\npredicted {names[int(p.argmax())]} ({p.max():.0%})")
        title = f"Adversarial examples (FGSM) of sample {index}, true class {names[int(y[index])]}"
        writer.add(figures.samples_figure(np.stack(samples), captions, title, out / "fgsm.png"))
    hidden = _last_hidden(model)
    if hidden is not None:
        acts = probe(x[:BATCH], [hidden])[hidden]
        points = pca(acts)
        if points.shape[1] == 2:
            title = f"PCA of the activations of {hidden} ({len(points)} {data.name} samples)"
            labels = np.asarray(y[:BATCH]).astype(int)
            writer.add(
                figures.embedding_figure(points, labels, names, title, out / "embedding_pca.png")
            )


def _last_hidden(model: Any) -> str | None:
    """The last layer before the output with more than one value per sample.

    Dropout and noise layers pass their input through unchanged at inference: skipped.
    """
    from guibuilder.inspect.activations import layer_ids

    ids = layer_ids(model)
    out_name = model.outputs[0]._keras_history.operation.name
    for node_id in reversed(ids):
        kind = type(model.get_layer(node_id)).__name__
        if node_id == out_name or "Dropout" in kind or "Noise" in kind:
            continue
        shape = model.get_layer(node_id).output.shape
        if int(np.prod([d for d in shape[1:] if d])) > 1:
            return node_id
    return None
