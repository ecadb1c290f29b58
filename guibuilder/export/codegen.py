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
from typing import Any

import numpy as np

from guibuilder import __version__, catalog
from guibuilder.compiler.layers import CALL_ARGS, TENSOR_REF, keras_config, load_keras, make_layer
from guibuilder.errors import GuibuilderError
from guibuilder.graph import Graph, Node

#: Names the generated code uses itself; a node id equal to one (or to a builtin) gets a
#: trailing underscore.
_RESERVED = frozenset(
    {"keras", "np", "build_model", "load_data", "train", "main", "model", "data", "print"}
)
_INDENT = "    "
#: Modules whose serialized objects are written as constructor calls (the rest stay dicts).
_OBJECT_MODULES = frozenset(
    {
        "keras",
        "keras.layers",
        "keras.initializers",
        "keras.regularizers",
        "keras.constraints",
        "keras.optimizers",
        "keras.optimizers.schedules",
        "keras.losses",
        "keras.metrics",
    }
)


class CodegenError(GuibuilderError):
    """The graph cannot be written as Python; ``node_ids`` names the node(s) at fault."""

    def __init__(self, message: str, node_ids: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.node_ids: tuple[str, ...] = tuple(node_ids)


# ----------------------------------------------------------------- values
def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:  # arrays and other values without a plain truth value
        return False


def _is_serialized(value: Any) -> bool:
    return isinstance(value, dict) and {"class_name", "config"} <= set(value)


def _public_class(value: Mapping[str, Any]) -> Any:
    """The public Keras class a serialized object names, or None if it has none."""
    module = value.get("module") or ""
    registered = value.get("registered_name")
    if module not in _OBJECT_MODULES or registered not in (None, value["class_name"]):
        return None
    target: Any = load_keras()
    for part in [*module.split(".")[1:], value["class_name"]]:
        target = getattr(target, part, None)
        if target is None:
            return None
    return target if inspect.isclass(target) else None


def _defaults(cls: Any, config: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The config of ``cls`` built with only its required arguments (taken from ``config``),
    and the names of those arguments."""
    try:
        signature = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
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
        return dict(cls(**_evaluate_all(required)).get_config()), set(required)
    except Exception:  # a class that cannot be made this way: keep every argument
        return {}, set(required)


def _evaluate_all(config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` with serialized Keras objects turned into objects."""
    keras = load_keras()
    return {
        k: keras.saving.deserialize_keras_object(v) if _is_serialized(v) else v
        for k, v in config.items()
    }


def nondefault(cls: Any, config: Mapping[str, Any], skip: Sequence[str] = ()) -> dict[str, Any]:
    """The entries of ``config`` that differ from those of a default ``cls``."""
    base, required = _defaults(cls, config)
    return {
        k: v
        for k, v in config.items()
        if k not in skip and (k in required or k not in base or not _same(base[k], v))
    }


def literal(value: Any) -> str:
    """Python source for a config value: Keras objects as constructor calls."""
    if _is_serialized(value):
        cls = _public_class(value)
        if cls is not None and isinstance(value["config"], dict):
            return _call(_class_path(value), nondefault(cls, value["config"]))
    if isinstance(value, dict):
        items = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        return literal(value.tolist())
    return repr(value)


def _plain(value: Any) -> str:
    """Python source for a value, dicts kept as dicts (for ``deserialize``)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_plain(k)}: {_plain(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return literal(type(value)(_PlainText(_plain(v)) for v in value))
    return literal(value)


class _PlainText(str):
    """Source text that :func:`literal` writes as it is."""

    def __repr__(self) -> str:
        return str(self)


def _class_path(value: Mapping[str, Any]) -> str:
    return f"{value['module']}.{value['class_name']}"


def _call(function: str, kwargs: Mapping[str, Any]) -> str:
    args = ", ".join(f"{k}={literal(v)}" for k, v in kwargs.items())
    return f"{function}({args})"


# ------------------------------------------------------------------ names
def _names(graph: Graph) -> dict[str, str]:
    """A distinct Python variable for every node id."""
    taken: set[str] = set()
    names = {}
    for node_id in graph.nodes:
        name = re.sub(r"\W", "_", node_id) or "node"
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


def _layer_source(node: Node, customs: dict[str, Any]) -> str:
    """The expression that creates the layer of ``node`` (an owner, not a sharer); custom
    classes it needs are added to ``customs``."""
    keras = load_keras()
    spec = catalog.get(node.type_id)
    if spec.type_id == "KerasLayer":
        return _generic_source(spec, node, customs)
    layer = make_layer(spec, node.params, name=node.id, trainable=node.trainable)
    cls = type(layer)
    source = None
    if _is_custom(keras, cls):
        source = _keyword_call(node, layer, customs)
    elif getattr(keras.layers, cls.__name__, None) is cls:
        source = _keyword_call(node, layer)
    if source:
        return source
    serialized = _collect_custom(keras.layers.serialize(layer), customs)
    return f"keras.layers.deserialize({_plain(serialized)})"


def _keyword_call(node: Node, layer: Any, customs: dict[str, Any] | None = None) -> str | None:
    """``keras.layers.Class(keywords)``, or ``Class(keywords)`` for a custom class (added to
    ``customs``); None if the keywords do not rebuild ``layer``."""
    cls = type(layer)
    kwargs = nondefault(cls, layer.get_config(), skip=("name", "trainable"))
    if not node.trainable:
        kwargs["trainable"] = False
    kwargs["name"] = node.id
    if customs is None:
        source = _call(f"keras.layers.{cls.__name__}", kwargs)
        return source if _rebuilds(source, layer) else None
    customs.setdefault(cls.__name__, cls)
    source = _call(cls.__name__, kwargs)
    return source if _rebuilds(source, layer, {cls.__name__: cls}) else None


def _generic_source(spec: Any, node: Node, customs: dict[str, Any]) -> str:
    """``deserialize`` of a generic node's Keras config, as the builder makes it; a custom
    layer is made by its class, which the script defines."""
    keras = load_keras()
    class_name, config = keras_config(spec, node.params)
    is_layer = "trainable" in node.params["config"]
    config = {**config, "name": node.id}
    if is_layer:
        config["trainable"] = node.trainable
    serialized = {
        "module": node.params.get("module") or "keras.layers",
        "class_name": class_name,
        "config": config,
        "registered_name": node.params.get("registered_name"),
    }
    registered = serialized["registered_name"]
    cls = keras.saving.get_registered_object(registered) if registered else None
    if is_layer and cls is not None and _is_custom(keras, cls):
        layer = make_layer(spec, node.params, name=node.id, trainable=node.trainable)
        if type(layer) is cls:
            return _keyword_call(node, layer, customs) or _deserialize(serialized, customs)
    return _deserialize(serialized, customs)


def _deserialize(serialized: dict[str, Any], customs: dict[str, Any]) -> str:
    is_layer = "trainable" in serialized["config"]
    serialized = _collect_custom(serialized, customs)
    function = "keras.layers.deserialize" if is_layer else "keras.saving.deserialize_keras_object"
    return f"{function}({_plain(serialized)})"


def _strip_names(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_names(v) for k, v in value.items() if k != "name"}
    if isinstance(value, list | tuple):
        return [_strip_names(v) for v in value]
    return value


def _rebuilds(source: str, layer: Any, names: Mapping[str, Any] | None = None) -> bool:
    """Whether ``source`` makes a layer with the config of ``layer``."""
    keras = load_keras()
    scope = {"keras": keras, "__builtins__": {"float": float}, **(names or {})}
    try:
        made = eval(source, scope)
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


def _tensor_ref(var: str, index: int, many: bool) -> str:
    return f"{var}[{index}]" if many else var


def _fill(value: Any, tensors: Sequence[str]) -> Any:
    if isinstance(value, dict):
        if set(value) == {TENSOR_REF}:
            return _PlainText(tensors[value[TENSOR_REF]])
        return {k: _fill(v, tensors) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, tensors) for v in value]
    return value


def _call_args(node: Node, inputs: Sequence[tuple[str, str]]) -> str:
    """The arguments of the call of a node's layer, as :func:`apply_layer` makes it."""
    kwargs = dict(node.call_kwargs or {})
    tensors = [t for _, t in inputs]
    extra = [f"{k}={literal(_fill(v, tensors))}" for k, v in kwargs.items() if k != CALL_ARGS]
    if CALL_ARGS in kwargs:
        args = [literal(_fill(a, tensors)) for a in kwargs[CALL_ARGS]]
        return ", ".join([*args, *extra])
    style = catalog.get(node.type_id).call_style
    if style == "auto":
        style = "single" if len(tensors) == 1 else "list"
    if style == "single":
        first = [tensors[0]]
    elif style == "list":
        first = ["[" + ", ".join(tensors) + "]"]
    else:
        first = [f"{port}={t}" for port, t in inputs]
    return ", ".join([*first, *extra])


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
    defined: set[str] = set()
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
            if owner.id not in defined:
                body.append(f"{layer_var} = {_layer_source(owner, customs)}")
                defined.add(owner.id)
            called = f"{layer_var}({_call_args(node, inputs)})"
        else:
            called = f"{_layer_source(owner, customs)}({_call_args(node, inputs)})"
        body.append(f"{var} = keras.tree.flatten({called})" if many else f"{var} = {called}")
    ins = [names[n] for n in graph.input_nodes()]
    outs = [_tensor_ref(names[n], i, len(infos[n].outputs) > 1) for n, i in graph.outputs()]
    inputs_text = ins[0] if len(ins) == 1 else "[" + ", ".join(ins) + "]"
    outputs_text = outs[0] if len(outs) == 1 else "[" + ", ".join(outs) + "]"
    body.append(
        f"return keras.Model(inputs={inputs_text}, outputs={outputs_text}, name={graph.name!r})"
    )
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
    cls = _public_class(serialized)
    if cls is None:
        return literal(serialized)
    kwargs = nondefault(cls, serialized["config"], skip)
    return _call(_class_path(serialized), {k: _short_float(v) for k, v in kwargs.items()})


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
        lines.append(f"{_INDENT}keras.utils.set_random_seed({config.seed})")
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
            f"{_INDENT}# The learning rate of each epoch ({config.schedule} schedule).",
            f"{_INDENT}rates = {literal(rates)}",
            f"{_INDENT}callbacks.append(keras.callbacks.LearningRateScheduler("
            "lambda epoch: rates[min(epoch, len(rates) - 1)]))",
        ]
    fit = {"batch_size": config.batch_size, "epochs": config.epochs, "shuffle": config.shuffle}
    fit_args = ", ".join(f"{k}={literal(v)}" for k, v in fit.items())
    if has_val:
        fit_args += ', validation_data=(data["x_val"], data["y_val"])'
    elif config.validation_split:
        fit_args += f", validation_split={config.validation_split!r}"
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

    heading = " ".join((title or graph.name).split()).replace("\\", "/").replace('"', "'")
    trains = dataset is not None and data_file is not None
    doc = [
        f'"""{heading}: a plain Keras model written by guibuilder {__version__}.',
        "",
        "Import this file and call build_model() for the untrained model",
    ]
    if trains:
        doc += [
            f"(layers named after the project's nodes); run it to train it on {dataset.name!r},",
            f"whose arrays are saved in {data_file} beside this file.",
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
                    f"{_INDENT}path = Path(__file__).with_name({data_file!r})",
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
