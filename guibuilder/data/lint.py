"""Does this model fit this data? Checks to run before training, and the Input that fits.

:func:`lint` is a pure function of the graph, its inferred shapes, the dataset and the
training settings. Each finding is one sentence that names the node it is about and says
what to change; ``level`` is ``"error"`` when training would fail or learn nothing useful,
``"warning"`` when it would run but probably not as meant.

The training settings are read loosely: ``loss`` is a Keras loss name or class name, or a
dict with ``"name"``/``"class_name"`` and ``"from_logits"`` (at the top or in ``"config"``);
a top-level ``from_logits`` and ``validation_split`` are honoured. No loss (or ``"auto"``)
means the loss training picks (:func:`~guibuilder.data.dataset.auto_loss`); no
``from_logits`` (or None) means it follows the last activation, so it is not checked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from guibuilder.data.dataset import Dataset, auto_loss
from guibuilder.errors import GuibuilderError
from guibuilder.limits import machine_memory, size_text

if TYPE_CHECKING:
    from guibuilder.compiler.shapes import NodeInfo
    from guibuilder.graph import Graph, Node

SPARSE = frozenset({"sparse_categorical_crossentropy"})
ONE_HOT = frozenset(
    {"categorical_crossentropy", "categorical_focal_crossentropy", "categorical_hinge"}
)
BINARY = frozenset({"binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge"})
REGRESSION = frozenset(
    {
        "mean_squared_error",
        "mean_absolute_error",
        "mean_absolute_percentage_error",
        "mean_squared_logarithmic_error",
        "huber",
        "log_cosh",
    }
)
ALIASES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "logcosh": "log_cosh",
    "huber_loss": "huber",
}
LOGIT_LOSSES = (SPARSE | ONE_HOT | BINARY) - {"hinge", "squared_hinge", "categorical_hinge"}
#: Bytes of one float32 parameter, and how many copies training holds of it (the weights,
#: their gradients and an optimizer's two moments, as Adam keeps).
BYTES_PER_PARAM = 4
TRAINING_COPIES = 4
#: Copies of each layer output training holds per sample: the value and its gradient.
ACTIVATION_COPIES = 2
#: The batch size the size check assumes where none is given (the training default).
DEFAULT_BATCH_SIZE = 32
#: Layers that pass their input's activation through unchanged in kind.
PASS_THROUGH = frozenset(
    {"Dropout", "GaussianNoise", "Flatten", "Reshape", "Permute", "SpatialDropout1D",
     "SpatialDropout2D", "RepeatVector"}
)  # fmt: skip


@dataclass(frozen=True)
class LintWarning:
    """One finding: a code for tests and filters, the sentence, the nodes it is about."""

    code: str
    message: str
    node_ids: tuple[str, ...] = ()
    level: str = "warning"

    def __str__(self) -> str:
        return self.message


def input_params_for(dataset: Dataset) -> dict[str, Any]:
    """Params of an Input node that takes the dataset's samples."""
    dtype = "int32" if dataset.x_train.dtype.kind in "iu" else "float32"
    return {"shape": list(dataset.input_shape), "dtype": dtype}


def output_params_for(dataset: Dataset) -> dict[str, Any]:
    """Params of a final Dense node that fits the dataset's labels and its automatic loss."""
    if dataset.task == "classification":
        return {"units": int(dataset.num_classes or 2), "activation": "softmax"}
    width = int(dataset.target_shape[-1]) if dataset.target_shape else 1
    return {"units": width, "activation": "linear"}


def lint(
    graph: Graph,
    shapes: Mapping[str, NodeInfo] | None,
    dataset: Dataset,
    training: Mapping[str, Any] | None = None,
) -> list[LintWarning]:
    """Every mismatch between the model, the data and the training settings.

    Parameters
    ----------
    graph
        The model.
    shapes
        Inferred shapes per node id (``ShapeInference.results()``); None infers them here.
    dataset
        The data it will train on.
    training
        The project's training settings (``loss``, ``from_logits``, ``validation_split``).
    """
    if shapes is None:
        from guibuilder.compiler.shapes import infer_shapes

        shapes = infer_shapes(graph, use_keras=False)
    training = training or {}
    found = _check_inputs(graph, dataset)
    found += _check_outputs(graph, shapes, dataset, training)
    validation = training.get("validation_split") or 0
    if not dataset.has_validation and not (isinstance(validation, int | float) and validation > 0):
        found.append(
            LintWarning(
                "no-validation",
                f"{dataset.name} has no validation split, so overfitting will not show: "
                "set its validation_split above 0",
            )
        )
    return found


# ------------------------------------------------------------------ model size
def check_model_size(
    graph: Graph,
    shapes: Mapping[str, NodeInfo] | None = None,
    *,
    memory: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> LintWarning | None:
    """An error when training the model needs more memory than the machine has.

    Training holds :data:`TRAINING_COPIES` float32 copies of every parameter and, for a
    batch of ``batch_size`` samples, every layer's outputs twice (forward values and their
    gradients, :data:`ACTIVATION_COPIES`). This is a floor, so it catches only the model
    that cannot fit at all (an Input of a billion values, a pool that pads to gigabytes)
    before Keras tries to allocate it. ``memory`` is in bytes; None asks the machine, and
    an unknown size skips the check.
    """
    memory = machine_memory() if memory is None else memory
    if not memory:
        return None
    if shapes is None:
        from guibuilder.compiler.shapes import infer_shapes

        shapes = infer_shapes(graph, use_keras=False)
    params = {node_id: info.params for node_id, info in shapes.items() if node_id in graph.nodes}
    values = {node_id: _values(shapes[node_id].outputs) for node_id in params}
    per_value = BYTES_PER_PARAM * ACTIVATION_COPIES * batch_size
    costs = {
        node_id: params[node_id] * BYTES_PER_PARAM * TRAINING_COPIES + values[node_id] * per_value
        for node_id in params
    }
    needed = sum(costs.values())
    if needed <= memory:
        return None
    largest = max(costs, key=costs.__getitem__)
    total, activations = sum(params.values()), sum(values.values())
    return LintWarning(
        "model-too-big",
        f"the model needs about {size_text(needed)} to train ({total:,} parameters, "
        f"{activations:,} layer outputs per sample at batch size {batch_size}); this machine "
        f"has {size_text(memory)} of memory: make layers smaller, starting with the largest, "
        f"{_label(graph, largest)} with {params[largest]:,} parameters and "
        f"{values[largest]:,} outputs per sample",
        (largest,),
        "error",
    )


def _values(outputs: tuple[tuple[int | None, ...], ...]) -> int:
    """Values per sample in a node's outputs (an unknown dimension counts as 1)."""
    return sum(math.prod(d or 1 for d in shape[1:]) for shape in outputs)


def refuse_model_too_big(
    graph: Graph,
    shapes: Mapping[str, NodeInfo] | None = None,
    *,
    memory: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> None:
    """Raise :class:`GuibuilderError` with :func:`check_model_size`'s sentence, if any.

    :class:`~guibuilder.training.TrainingSession` calls it before anything is built, so
    the window's Train button and ``guibuilder train`` refuse such a model outright (not
    as a :func:`lint` finding, which the user may train past); so do ``guibuilder build``
    and ``guibuilder summary --check``.
    """
    finding = check_model_size(graph, shapes, memory=memory, batch_size=batch_size)
    if finding is not None:
        raise GuibuilderError(finding.message)


# ------------------------------------------------------------------ inputs
def _check_inputs(graph: Graph, dataset: Dataset) -> list[LintWarning]:
    inputs = graph.input_nodes()
    if not inputs:
        return []
    arrays = dataset.inputs
    if len(inputs) != len(arrays):
        names = ", ".join(_label(graph, n) for n in inputs)
        given = "one input" if len(arrays) == 1 else f"{len(arrays)} inputs"
        nodes = f"{len(inputs)} Input nodes ({names})" if len(inputs) > 1 else "one Input node"
        return [
            LintWarning(
                "input-count",
                f"the model has {nodes} but {dataset.name} gives {given} per sample",
                tuple(inputs),
                "error",
            )
        ]
    found = []
    for node_id, x in zip(inputs, arrays, strict=True):
        found += _check_input(graph, graph.node(node_id), x, dataset.name)
    return found


def _check_input(graph: Graph, node: Node, x: Any, name: str) -> list[LintWarning]:
    """What is wrong between Input ``node`` and the training array ``x`` it is fed."""
    expected = tuple(node.params.get("shape") or ())
    given = tuple(int(d) for d in x.shape[1:])
    found = []
    if len(expected) != len(given) or any(
        e is not None and e != g for e, g in zip(expected, given, strict=False)
    ):
        found.append(
            LintWarning(
                "input-shape",
                f"Input node {_label(graph, node.id)} takes samples of shape "
                f"{_fmt(expected)} but {name} gives {_fmt(given)}: "
                f"set its shape to {list(given)}",
                (node.id,),
                "error",
            )
        )
    dtype = node.params.get("dtype", "float32")
    if x.dtype.kind == "f" and dtype in ("int32", "int64", "uint8", "bool"):
        found.append(
            LintWarning(
                "input-dtype",
                f"Input node {_label(graph, node.id)} has dtype {dtype}, which cuts off the "
                f"fractions of {name}'s real-valued samples: set it to float32",
                (node.id,),
            )
        )
    return found


# ------------------------------------------------------------------ outputs
def _check_outputs(
    graph: Graph,
    shapes: Mapping[str, NodeInfo],
    dataset: Dataset,
    training: Mapping[str, Any],
) -> list[LintWarning]:
    refs = graph.outputs()
    if not refs:
        return []
    if len(refs) > 1:
        ids = tuple(dict.fromkeys(r[0] for r in refs))
        names = ", ".join(_label(graph, n) for n in ids)
        return [
            LintWarning(
                "output-count",
                f"the model has {len(refs)} outputs ({names}) but {dataset.name} has one "
                "label per sample",
                ids,
                "error",
            )
        ]
    node_id, index = refs[0]
    label = _label(graph, node_id)
    activation = _final_activation(graph, node_id)
    shape = _output_shape(shapes, node_id, index)
    loss, from_logits = _loss(training, dataset, shape)
    if dataset.task == "classification":
        found = _check_classification(label, node_id, shape, activation, loss, dataset)
    else:
        found = _check_regression(label, node_id, shape, activation, loss, dataset)
    if loss in LOGIT_LOSSES and activation is not None and from_logits is not None:
        found += _check_logits(label, node_id, activation, loss, from_logits)
    return found


def _check_classification(
    label: str,
    node_id: str,
    shape: tuple | None,
    activation: str | None,
    loss: str,
    data: Dataset,
) -> list[LintWarning]:
    found = []
    k = data.num_classes or 0
    one_hot_labels = data.y_train.ndim == 2 and data.y_train.shape[1] > 1
    if loss in ONE_HOT and not one_hot_labels:
        found.append(
            LintWarning(
                "label-format",
                f"the loss {loss} expects one-hot labels but {data.name} gives class indices: "
                f"use sparse_categorical_crossentropy (the output {label} can stay as it is)",
                (node_id,),
                "error",
            )
        )
    elif loss in SPARSE and one_hot_labels:
        found.append(
            LintWarning(
                "label-format",
                f"the loss {loss} expects class indices but {data.name} gives one-hot labels: "
                f"use categorical_crossentropy (the output {label} can stay as it is)",
                (node_id,),
                "error",
            )
        )
    elif loss in REGRESSION:
        found.append(
            LintWarning(
                "loss-task",
                f"the loss {loss} treats {data.name}'s class numbers as quantities: use "
                f"sparse_categorical_crossentropy with {k} units and softmax in {label}",
                (node_id,),
            )
        )
    if shape is None:
        return found
    if len(shape) > 2:
        found.append(
            LintWarning(
                "output-rank",
                f"output {label} gives {_fmt(shape)}, not one vector per sample, but "
                f"{data.name} has one class per sample: add Flatten or global pooling before it",
                (node_id,),
                "error",
            )
        )
        return found
    units = shape[-1] if len(shape) == 2 else 1
    if loss in BINARY:
        if k > 2:
            found.append(
                LintWarning(
                    "binary-loss",
                    f"the loss {loss} fits two classes but {data.name} has {k}: use "
                    f"sparse_categorical_crossentropy with {k} units and softmax in {label}",
                    (node_id,),
                    "error",
                )
            )
        elif units not in (None, 1):
            found.append(
                LintWarning(
                    "output-units",
                    f"output {label} gives {units} values per sample but {loss} on two classes "
                    "needs 1 (with sigmoid): set its units to 1",
                    (node_id,),
                    "error",
                )
            )
    elif units is not None and units != k and loss not in REGRESSION:
        found.append(
            LintWarning(
                "output-units",
                f"output {label} gives {units} values per sample but {data.name} has {k} "
                f"classes: set its units to {k}",
                (node_id,),
                "error",
            )
        )
    return found


def _check_regression(
    label: str,
    node_id: str,
    shape: tuple | None,
    activation: str | None,
    loss: str,
    data: Dataset,
) -> list[LintWarning]:
    found = []
    task = "forecasting" if data.task == "sequence" else "regression"
    if activation in ("softmax", "log_softmax"):
        found.append(
            LintWarning(
                "softmax-regression",
                f"output {label} applies {activation}, which makes values that add up to 1, "
                f"but {data.name} is a {task} task: use a linear activation",
                (node_id,),
                "error",
            )
        )
    elif activation in ("sigmoid", "tanh", "relu") and not _fits_range(data, activation):
        found.append(
            LintWarning(
                "output-range",
                f"output {label} applies {activation}, whose values cannot reach all of "
                f"{data.name}'s targets: use a linear activation",
                (node_id,),
            )
        )
    if loss in SPARSE | ONE_HOT | BINARY:
        found.append(
            LintWarning(
                "loss-task",
                f"the loss {loss} is for classes but {data.name} is a {task} task: use mse",
                (node_id,),
                "error",
            )
        )
    want = data.target_shape
    if shape is not None and want and tuple(shape[1:]) != want and None not in shape[1:]:
        found.append(
            LintWarning(
                "output-units",
                f"output {label} gives {_fmt(shape[1:])} per sample but {data.name}'s targets "
                f"are {_fmt(want)}: make it end in a Dense with {want[-1]} units",
                (node_id,),
                "error",
            )
        )
    return found


def _fits_range(data: Dataset, activation: str) -> bool:
    low, high = float(data.y_train.min()), float(data.y_train.max())
    bounds = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, float("inf"))}
    lo, hi = bounds[activation]
    return lo <= low and high <= hi


def _check_logits(
    label: str, node_id: str, activation: str, loss: str, from_logits: bool
) -> list[LintWarning]:
    squash = "sigmoid" if loss in BINARY else "softmax"
    if from_logits and activation in ("softmax", "sigmoid"):
        return [
            LintWarning(
                "softmax-logits",
                f"output {label} applies {activation} but the loss has from_logits=True, "
                f"which applies it again: set from_logits to false or make {label} linear",
                (node_id,),
            )
        ]
    if not from_logits and activation not in ("softmax", "sigmoid"):
        return [
            LintWarning(
                "missing-softmax",
                f"output {label} is {activation}, but the loss {loss} expects probabilities: "
                f"give {label} the activation {squash}, or set from_logits to true",
                (node_id,),
            )
        ]
    return []


# ------------------------------------------------------------------ helpers
def _loss(
    training: Mapping[str, Any], dataset: Dataset, shape: tuple | None
) -> tuple[str, bool | None]:
    loss = training.get("loss")
    from_logits = training.get("from_logits")
    if isinstance(loss, Mapping):
        config = loss.get("config") if isinstance(loss.get("config"), Mapping) else {}
        from_logits = loss.get("from_logits", config.get("from_logits", from_logits))
        loss = loss.get("name") or loss.get("class_name")
    from_logits = None if from_logits is None else bool(from_logits)
    if isinstance(loss, str) and loss not in ("", "auto"):
        return _normal(loss), from_logits
    units = shape[-1] if shape else None
    return _normal(auto_loss(dataset.task, dataset.y_train, units)), from_logits


def _normal(loss: str) -> str:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", loss).lower()
    return ALIASES.get(snake, snake)


def _final_activation(graph: Graph, node_id: str) -> str | None:
    """The activation that produces the node's output, looking through Dropout & co."""
    seen = set()
    while node_id not in seen:
        seen.add(node_id)
        node = graph.node(node_id)
        params = graph.effective_params(node_id)
        if node.type_id == "Softmax":
            return "softmax"
        if node.type_id == "ReLU":
            return "relu"
        if isinstance(params.get("activation"), str):
            return params["activation"]
        predecessors = graph.predecessors(node_id)
        if node.type_id not in PASS_THROUGH or len(predecessors) != 1:
            return None
        node_id = predecessors[0]
    return None


def _output_shape(shapes: Mapping[str, NodeInfo], node_id: str, index: int) -> tuple | None:
    info = shapes.get(node_id)
    if info is None or info.error or info.pending or index >= len(info.outputs):
        return None
    return tuple(info.outputs[index])


def _label(graph: Graph, node_id: str) -> str:
    name = graph.node(node_id).name
    return f"'{node_id}'" if name == node_id else f"'{name}' ({node_id})"


def _fmt(shape) -> str:
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"
