"""Graph -> a standalone plain-Keras Python script.

:func:`model_code` writes a ``build_model()`` function: one line per layer in topological
order, keyword arguments that differ from the layer's defaults only, variables named after
the node ids, shared layers defined once and called again, generic layers rebuilt with
``keras.layers.deserialize``. :func:`python_script` adds the data loading and training code of
a project's settings. The script imports only ``keras`` and ``numpy``.
"""

from __future__ import annotations

import builtins
import inspect
import keyword
import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from guibuilder import __version__, catalog
from guibuilder.catalog import keras_objects
from guibuilder.compiler.build import node_layer
from guibuilder.compiler.layers import (
    CALL_ARGS,
    TENSOR_REF,
    call_problem,
    check_value,
    generic_object,
    keras_class,
    keras_config,
    keras_object,
    load_keras,
)
from guibuilder.errors import GuibuilderError, shown
from guibuilder.graph import Graph, Node

#: Names the generated code uses itself; a node id equal to one (or to a builtin) gets a
#: trailing underscore.
_RESERVED = frozenset(
    {"keras", "np", "build_model", "load_data", "train", "main", "model", "data", "print"}
)
_INDENT = "    "


class CodegenError(GuibuilderError):
    """The graph cannot be written as Python; ``node_ids`` names the node(s) at fault."""

    def __init__(self, message: str, node_ids: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.node_ids: tuple[str, ...] = tuple(node_ids)


# ----------------------------------------------------------------- values
# A value becomes code in two steps: :func:`_expression` turns it into a tree of plain data,
# constructor calls (:class:`_Make`) and variable names (:class:`_Code`), and :func:`_source`
# writes the tree with literal writers only. Nothing read from a file is written as code.
class _Code(str):
    """A name this module made itself (a variable of the generated code)."""


@dataclass(frozen=True)
class _Make:
    """A constructor call ``path(key=value, ...)``; ``path`` comes from the allowlist or
    from a class that trusted code registered, never from a file."""

    path: str
    kwargs: Mapping[str, Any]


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:  # arrays and other values without a plain truth value
        return False


def _is_serialized(value: Any) -> bool:
    return isinstance(value, dict) and {"class_name", "config"} <= set(value)


def _defaults(serialized: Mapping[str, Any], config: Mapping[str, Any]) -> tuple[dict, set[str]]:
    """The config of the class ``serialized`` names, made with only its required arguments
    (taken from ``config``), and the names of those arguments."""
    cls = keras_class(serialized)
    try:
        signature = inspect.signature(cls.__init__)
    except (TypeError, ValueError, AttributeError):
        return {}, set()
    required = {}
    for name, param in signature.parameters.items():
        if name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.default is param.empty:
            if name not in config:
                return {}, set()
            required[name] = config[name]
    try:
        return dict(keras_object({**serialized, "config": required}).get_config()), set(required)
    except Exception:  # a class that cannot be made this way: keep every argument
        return {}, set(required)


def nondefault(
    serialized: Mapping[str, Any], config: Mapping[str, Any], skip: Sequence[str] = ()
) -> dict[str, Any]:
    """The entries of ``config`` that differ from those of a default object of the class
    that ``serialized`` names."""
    base, required = _defaults(serialized, config)
    return {
        k: v
        for k, v in config.items()
        if k not in skip and (k in required or k not in base or not _same(base[k], v))
    }


def _expression(value: Any) -> Any:
    """``value`` as a tree: serialized objects of listed public Keras classes become
    constructor calls with their non-default arguments; the rest stays data."""
    if _is_serialized(value) and isinstance(value["config"], dict):
        path = keras_objects.public_path(value)
        if path is not None:
            kwargs = nondefault(value, value["config"])
            if all(keras_objects.is_keyword_name(k) for k in kwargs):
                return _Make(path, {k: _expression(v) for k, v in kwargs.items()})
    if isinstance(value, dict):
        return {k: _expression(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_expression(v) for v in value)
    return value


def _source(tree: Any) -> str:
    """Python source for a tree of :func:`_expression` (or plain data)."""
    if isinstance(tree, _Code):
        return str.__str__(tree)
    if isinstance(tree, _Make):
        return f"{tree.path}({_keywords(tree.kwargs)})"
    if isinstance(tree, dict):
        return "{" + ", ".join(f"{_key(k)}: {_source(v)}" for k, v in tree.items()) + "}"
    if isinstance(tree, list):
        return "[" + ", ".join(_source(v) for v in tree) + "]"
    if isinstance(tree, tuple):
        inner = ", ".join(_source(v) for v in tree)
        return f"({inner},)" if len(tree) == 1 else f"({inner})"
    return _scalar(tree)


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise CodegenError(f"a dict key {shown(key)} is not text, so it cannot be written")
    return _scalar(key)


def _scalar(value: Any) -> str:
    """A literal for a JSON scalar (or a NumPy number or array)."""
    if value is None or isinstance(value, bool):
        return repr(None if value is None else bool(value))
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value) if math.isfinite(value) else f'float("{float(value)}")'
    if isinstance(value, str):
        return str.__repr__(value)
    if isinstance(value, np.generic | np.ndarray):
        return _source(value.tolist())
    raise CodegenError(f"a value of type {type(value).__name__} cannot be written as Python")


def _keywords(kwargs: Mapping[str, Any]) -> str:
    for key in kwargs:
        if not keras_objects.is_keyword_name(key):
            raise CodegenError(f"{shown(key)} cannot be written as a keyword argument")
    return ", ".join(f"{k}={_source(v)}" for k, v in kwargs.items())


def literal(value: Any) -> str:
    """Python source for a config value: Keras objects as constructor calls."""
    return _source(_expression(value))


def _call(function: str, kwargs: Mapping[str, Any]) -> str:
    return _source(_Make(function, {k: _expression(v) for k, v in kwargs.items()}))


def _doc_text(text: Any, limit: int = 60) -> str:
    """File text for a docstring or a comment: one line of printable characters with no
    quote or backslash (so it cannot end the docstring), shortened to ``limit``."""
    kept = "".join(c if c.isprintable() else " " for c in str(text))
    line = " ".join(kept.replace("\\", "/").replace('"', "'").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ------------------------------------------------------------------ names
def _names(graph: Graph) -> dict[str, str]:
    """A distinct Python variable for every node id."""
    taken: set[str] = set()
    names = {}
    for node_id in graph.nodes:
        name = re.sub(r"\W", "_", node_id, flags=re.ASCII) or "node"
        if name[0].isdigit():
            name = f"n{name}"
        if keyword.iskeyword(name) or name in _RESERVED or hasattr(builtins, name):
            name += "_"
        base, n = name, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        names[node_id] = name
    return names


# ------------------------------------------------------------------ model
def _is_custom(keras: Any, cls: Any) -> bool:
    """Whether ``cls`` is a registered layer class of no Keras module (copied into scripts)."""
    module = getattr(cls, "__module__", "") or ""
    if not inspect.isclass(cls) or module.split(".")[0] == "keras":
        return False
    return keras.saving.get_registered_name(cls) != cls.__name__


def _collect_custom(value: Any, customs: dict[str, Any]) -> Any:
    """``value`` (a serialized config) with the custom classes it names, at any depth, added
    to ``customs`` and their module dropped: the script defines them itself."""
    keras = load_keras()
    if isinstance(value, dict):
        copied = {k: _collect_custom(v, customs) for k, v in value.items()}
        registered = value.get("registered_name")
        if isinstance(registered, str) and "class_name" in value:
            cls = keras.saving.get_registered_object(registered)
            if cls is not None and _is_custom(keras, cls):
                customs.setdefault(cls.__name__, cls)
                copied.pop("module", None)
        return copied
    if isinstance(value, list | tuple):
        return [_collect_custom(v, customs) for v in value]
    return value


def _layer_source(node: Node, customs: dict[str, Any]) -> tuple[str, Any]:
    """The expression that creates the layer of ``node`` (an owner, not a sharer), and the
    layer; custom classes it needs are added to ``customs``."""
    keras = load_keras()
    spec = catalog.get(node.type_id)
    layer = node_layer(node)
    if spec.type_id == "KerasLayer":
        return _generic_source(node, layer, customs), layer
    cls = type(layer)
    source = None
    if _is_custom(keras, cls):
        source = _keyword_call(node, layer, customs)
    elif getattr(keras.layers, cls.__name__, None) is cls:
        source = _keyword_call(node, layer)
    if source:
        return source, layer
    return _deserialize(keras.layers.serialize(layer), customs), layer


def _keyword_call(node: Node, layer: Any, customs: dict[str, Any] | None = None) -> str | None:
    """``keras.layers.Class(keywords)``, or ``Class(keywords)`` for a custom class (added to
    ``customs``); None if the keywords do not rebuild ``layer``."""
    cls = type(layer)
    serialized = load_keras().saving.serialize_keras_object(layer)
    kwargs = nondefault(serialized, layer.get_config(), skip=("name", "trainable"))
    if not node.trainable:
        kwargs["trainable"] = False
    kwargs["name"] = node.id
    path = cls.__name__ if customs is not None else keras_objects.public_path(serialized)
    if path is None or not _rebuilds(serialized, kwargs, layer):
        return None
    if customs is not None:
        customs.setdefault(cls.__name__, cls)
    return _call(path, kwargs)


def _generic_source(node: Node, layer: Any, customs: dict[str, Any]) -> str:
    """``deserialize`` of a generic node's Keras config, as the builder makes it; a custom
    layer is made by its class, which the script defines."""
    keras = load_keras()
    serialized = generic_object(node.params, node.id, node.trainable)
    registered = serialized["registered_name"]
    cls = keras.saving.get_registered_object(registered) if registered else None
    is_layer = "trainable" in node.params["config"]
    if is_layer and cls is not None and _is_custom(keras, cls) and type(layer) is cls:
        return _keyword_call(node, layer, customs) or _deserialize(serialized, customs)
    return _deserialize(serialized, customs)


def _deserialize(serialized: dict[str, Any], customs: dict[str, Any]) -> str:
    check_value(serialized, "the generated code")
    is_layer = "trainable" in serialized["config"]
    serialized = _collect_custom(serialized, customs)
    function = "keras.layers.deserialize" if is_layer else "keras.saving.deserialize_keras_object"
    return f"{function}({_source(serialized)})"


def _strip_names(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_names(v) for k, v in value.items() if k != "name"}
    if isinstance(value, list | tuple):
        return [_strip_names(v) for v in value]
    return value


def _rebuilds(serialized: Mapping[str, Any], kwargs: Mapping[str, Any], layer: Any) -> bool:
    """Whether the keywords ``kwargs`` make a layer with the config of ``layer``: the layer
    is made from them through the safe path, nothing is evaluated."""
    try:
        made = keras_object({**serialized, "config": dict(kwargs)})
        return _strip_names(made.get_config()) == _strip_names(layer.get_config())
    except Exception:  # the keywords do not rebuild it: fall back on its config
        return False


def _input_line(node: Node, var: str) -> str:
    _, config = keras_config(catalog.get("Input"), node.params)
    batch_shape = tuple(config["batch_shape"])
    kwargs: dict[str, Any] = (
        {"shape": batch_shape[1:]} if batch_shape[0] is None else {"batch_shape": batch_shape}
    )
    if config.get("dtype") not in (None, "float32"):
        kwargs["dtype"] = config["dtype"]
    kwargs["name"] = node.id
    return f"{var} = {_call('keras.Input', kwargs)}"


def _tensor_ref(var: str, index: int, many: bool) -> _Code:
    return _Code(f"{var}[{int.__repr__(index)}]" if many else var)


def _fill(value: Any, tensors: Sequence[str], node: Node) -> Any:
    if isinstance(value, dict):
        if TENSOR_REF in value:
            index = value[TENSOR_REF]
            is_number = isinstance(index, int) and not isinstance(index, bool)
            if set(value) != {TENSOR_REF} or not is_number or index not in range(len(tensors)):
                raise CodegenError(
                    f"node {shown(node.id)} calls its layer with input {shown(index)}, "
                    f"but it has {len(tensors)} inputs",
                    [node.id],
                )
            return tensors[index]
        return {k: _fill(v, tensors, node) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, tensors, node) for v in value]
    return value


def _call_args(node: Node, layer: Any, inputs: Sequence[tuple[str, _Code]]) -> str:
    """The arguments of the call of a node's layer, as :func:`apply_layer` makes it."""
    kwargs = dict(node.call_kwargs or {})
    problem = call_problem(layer, kwargs)
    if problem is not None:
        raise CodegenError(f"node {shown(node.id)}: {problem}", [node.id])
    tensors = [t for _, t in inputs]
    keywords = {k: _fill(v, tensors, node) for k, v in kwargs.items() if k != CALL_ARGS}
    extra = _keywords({k: _expression(v) for k, v in keywords.items()})
    if CALL_ARGS in kwargs:
        args = [literal(_fill(a, tensors, node)) for a in kwargs[CALL_ARGS]]
        return ", ".join([*args, extra] if extra else args)
    style = catalog.get(node.type_id).call_style
    if style == "auto":
        style = "single" if len(tensors) == 1 else "list"
    if style == "single":
        first = _source(tensors[0])
    elif style == "list":
        first = _source(tensors)
    else:
        first = _keywords(dict(inputs))
    return ", ".join([first, extra] if extra else [first])


def model_code(graph: Graph) -> str:
    """Source of a ``build_model()`` function that returns the model of ``graph``, after the
    classes of the custom layers it uses, copied from their modules.

    Raises
    ------
    GraphError
        The graph is not valid.
    CodegenError
        A node's output count is unknown (its shapes cannot be inferred), or a custom
        layer's source cannot be found.
    """
    classes, function = _model_parts(graph)
    return "\n\n\n".join([*(_class_source(cls).rstrip("\n") for cls in classes), function])


def _class_source(cls: Any) -> str:
    try:
        return textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError) as exc:
        raise CodegenError(
            f"the source of the custom layer {cls.__name__} cannot be found to copy it"
        ) from exc


def _model_parts(graph: Graph) -> tuple[list[Any], str]:
    """The custom layer classes the model needs, and the ``build_model()`` source."""
    from guibuilder.compiler.shapes import infer_shapes

    graph.validate()
    infos = infer_shapes(graph)
    for node_id in graph.topological_order():
        if infos[node_id].error:
            raise CodegenError(infos[node_id].error, [node_id])
    names = _names(graph)
    shared = {node.shares for node in graph if node.shares}
    customs: dict[str, Any] = {}
    layers: dict[str, Any] = {}
    body: list[str] = []
    for node_id in graph.topological_order():
        node = graph.node(node_id)
        var = names[node_id]
        if node.type_id == "Input":
            body.append(_input_line(node, var))
            continue
        owner = graph.owner(node_id)
        many = len(infos[node_id].outputs) > 1
        inputs = [
            (e.port, _tensor_ref(names[e.source], e.output, len(infos[e.source].outputs) > 1))
            for e in graph.in_edges(node_id)
        ]
        if owner.id in shared:
            layer_var = f"{names[owner.id]}_layer"
            if owner.id not in layers:
                source, layers[owner.id] = _layer_source(owner, customs)
                body.append(f"{layer_var} = {source}")
            called = f"{layer_var}({_call_args(node, layers[owner.id], inputs)})"
        else:
            source, layer = _layer_source(owner, customs)
            called = f"{source}({_call_args(node, layer, inputs)})"
        body.append(f"{var} = keras.tree.flatten({called})" if many else f"{var} = {called}")
    ins = [names[n] for n in graph.input_nodes()]
    outs = [_tensor_ref(names[n], i, len(infos[n].outputs) > 1) for n, i in graph.outputs()]
    model = {
        "inputs": _Code(ins[0]) if len(ins) == 1 else [_Code(n) for n in ins],
        "outputs": outs[0] if len(outs) == 1 else outs,
        "name": graph.name,
    }
    body.append(f"return {_source(_Make('keras.Model', model))}")
    lines = [
        "def build_model():",
        f'{_INDENT}"""The model, untrained; each layer is named after its node."""',
        *(_INDENT + line for line in body),
    ]
    return list(customs.values()), "\n".join(lines) + "\n"


# ----------------------------------------------------------------- script
def _serialize(obj: Any, skip: Sequence[str] = ()) -> str:
    """A Keras object (optimizer, loss, metric) as a constructor call; a float that only
    carries float32 noise (``0.003000000026``) is written as the number it stands for."""
    serialized = load_keras().saving.serialize_keras_object(obj)
    path = keras_objects.public_path(serialized)
    if path is None:
        return literal(serialized)
    kwargs = nondefault(serialized, serialized["config"], skip)
    return _call(path, {k: _short_float(v) for k, v in kwargs.items()})


def _short_float(value: Any) -> Any:
    if not isinstance(value, float) or not math.isfinite(value):
        return value
    short = float(f"{value:.7g}")
    return short if float(np.float32(short)) == value else value


def _training_code(graph: Graph, config: Any, dataset: Any) -> list[str]:
    """The ``train`` function for ``config`` on ``dataset`` (a guibuilder Dataset)."""
    from guibuilder.compiler.build import build_model
    from guibuilder.training.recipe import (
        CROSSENTROPIES,
        default_metrics,
        ends_in_probabilities,
        make_loss,
        make_metrics,
        make_optimizer,
        resolve_loss,
    )
    from guibuilder.training.schedule import learning_rate_at

    model = build_model(graph)
    out_id = graph.owner(graph.outputs()[0][0]).id
    loss = resolve_loss(config, dataset.task, dataset.y_train, model.outputs[0].shape[-1])
    from_logits = config.from_logits
    if from_logits is None:
        from_logits = loss in CROSSENTROPIES and not ends_in_probabilities(model.get_layer(out_id))
    metrics = config.metrics if config.metrics is not None else default_metrics(loss)
    has_val = dataset.has_validation
    monitor = config.monitor
    if monitor == "auto":
        monitor = "val_loss" if has_val or config.validation_split else "loss"
    metric_text = ", ".join(_serialize(m) for m in make_metrics(metrics, loss, from_logits))
    lines = [
        "def train(model, data):",
        f'{_INDENT}"""Compile and fit ``model`` with the project\'s training settings."""',
    ]
    if config.seed is not None:
        lines.append(f"{_INDENT}keras.utils.set_random_seed({_scalar(config.seed)})")
    lines += [
        f"{_INDENT}model.compile(",
        f"{_INDENT * 2}optimizer={_serialize(make_optimizer(config), skip=('name',))},",
        f"{_INDENT * 2}loss={_serialize(make_loss(loss, from_logits))},",
        f"{_INDENT * 2}metrics=[{metric_text}],",
        f"{_INDENT})",
        f"{_INDENT}callbacks = []",
    ]
    if config.early_stopping:
        stop = {"monitor": monitor, "patience": config.patience, "restore_best_weights": True}
        lines.append(f"{_INDENT}callbacks.append({_call('keras.callbacks.EarlyStopping', stop)})")
    if config.schedule == "plateau":
        plateau = {
            "monitor": monitor,
            "factor": config.decay_factor,
            "patience": config.plateau_patience,
            "min_lr": config.min_learning_rate,
        }
        lines.append(
            f"{_INDENT}callbacks.append({_call('keras.callbacks.ReduceLROnPlateau', plateau)})"
        )
    elif config.schedule != "constant" or config.warmup_epochs:
        steps = max(1, math.ceil(len(dataset.x_train) / config.batch_size))
        rates = [learning_rate_at(config, e, 0, steps) for e in range(config.epochs)]
        lines += [
            f"{_INDENT}# The learning rate of each epoch ({_doc_text(config.schedule)} schedule).",
            f"{_INDENT}rates = {literal(rates)}",
            f"{_INDENT}callbacks.append(keras.callbacks.LearningRateScheduler("
            "lambda epoch: rates[min(epoch, len(rates) - 1)]))",
        ]
    fit = {"batch_size": config.batch_size, "epochs": config.epochs, "shuffle": config.shuffle}
    fit_args = _keywords({k: _expression(v) for k, v in fit.items()})
    if has_val:
        fit_args += ', validation_data=(data["x_val"], data["y_val"])'
    elif config.validation_split:
        fit_args += f", validation_split={_scalar(config.validation_split)}"
    lines.append(
        f'{_INDENT}return model.fit(data["x_train"], data["y_train"], {fit_args}, '
        "callbacks=callbacks)"
    )
    return lines


def python_script(
    graph: Graph,
    *,
    title: str = "",
    config: Any = None,
    dataset: Any = None,
    data_file: str | None = None,
) -> str:
    """A standalone script: ``build_model()``, and, with ``dataset`` and ``data_file``, the
    code that loads the arrays saved in ``data_file`` (an ``.npz`` beside the script) and
    trains with ``config`` (a :class:`~guibuilder.training.config.TrainConfig`)."""
    from guibuilder.training.config import TrainConfig

    heading = _doc_text(title or graph.name)
    trains = dataset is not None and data_file is not None
    doc = [
        f'"""{heading}: a plain Keras model written by guibuilder {__version__}.',
        "",
        "Import this file and call build_model() for the untrained model",
    ]
    if trains:
        doc += [
            "(layers named after the project's nodes); run it to train it on "
            f"'{_doc_text(dataset.name)}',",
            f"whose arrays are saved in {_doc_text(data_file)} beside this file.",
            '"""',
        ]
    else:
        doc += ["(layers named after the project's nodes); run it to print its summary.", '"""']
    classes, function = _model_parts(graph)
    sources = [_class_source(cls) for cls in classes]
    imports = ["import keras"]
    if trains:
        imports.append("import numpy as np")
    if sources:
        typing = ["from typing import Any", ""] if any("Any" in t for t in sources) else []
        imports = ["from __future__ import annotations", "", *typing, *imports]
    parts = ["\n".join(doc), "\n".join(imports), *sources, function]
    main = ['if __name__ == "__main__":', f"{_INDENT}model = build_model()"]
    if trains:
        parts.append(
            "\n".join(
                [
                    "def load_data():",
                    f'{_INDENT}"""The project\'s data: x_train, y_train, x_val, y_val arrays."""',
                    f"{_INDENT}from pathlib import Path",
                    "",
                    f"{_INDENT}path = Path(__file__).with_name({_scalar(data_file)})",
                    f"{_INDENT}with np.load(path, allow_pickle=False) as saved:",
                    f"{_INDENT * 2}return {{key: saved[key] for key in saved.files}}",
                ]
            )
            + "\n"
        )
        settings = config if config is not None else TrainConfig()
        parts.append("\n".join(_training_code(graph, settings, dataset)) + "\n")
        main += [f"{_INDENT}model.summary()", f"{_INDENT}train(model, load_data())"]
    else:
        main.append(f"{_INDENT}model.summary()")
    parts.append("\n".join(main))
    body = "\n\n\n".join(part.rstrip("\n") for part in parts[1:])
    return f"{parts[0]}\n\n{body}\n"
