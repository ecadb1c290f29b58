"""Saved Keras model -> graph (+ weights), so that building the graph gives the same model.

Each layer becomes a node named like the layer. A layer the catalog describes exactly
becomes a catalog node; anything else (a nested model, a layer in a non-default dtype, a
call with extra tensor arguments) becomes a generic ``KerasLayer`` node holding the full
Keras config, so nothing is lost. A layer applied k times becomes k nodes: the first keeps
the layer's name, the others (``<name>__2``, ...) share its layer.

Loading keeps Keras' ``safe_mode``, and the file's config is checked before Keras sees it:
a Lambda layer, or anything whose loading would import or run foreign code, is refused.
"""

from __future__ import annotations

import heapq
import importlib
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guibuilder import catalog
from guibuilder.catalog import LayerSpec, PortSpec
from guibuilder.catalog.keras_objects import object_problem
from guibuilder.catalog.spec import to_json
from guibuilder.compiler.build import keras_message
from guibuilder.compiler.layers import (
    CALL_ARGS,
    TENSOR_REF,
    load_keras,
    make_layer,
    node_problem,
    params_from_config,
    unexposed_config,
)
from guibuilder.compiler.layout import apply_layout
from guibuilder.document.weights import WeightStore, check_declared_size
from guibuilder.errors import FileFormatError, GuibuilderError, UnsafeModelError, shown
from guibuilder.graph import Edge, Graph
from guibuilder.graph.model import NODE_ID_RE
from guibuilder.limits import available_memory, size_text

#: File suffixes Keras can load a whole model from.
MODEL_SUFFIXES = (".keras", ".h5", ".hdf5")
#: The most bytes a model's config.json or metadata.json (or a legacy .h5's config) may
#: hold: real ones stay under 1 MB (DenseNet121's is 0.4 MB, EfficientNetB7's 0.8 MB).
MAX_CONFIG_BYTES = 64 * 2**20
#: The deepest nesting of lists and objects a config may have: real models reach about
#: 12 levels, a few more per nested model; Keras reads a config recursively.
MAX_CONFIG_DEPTH = 100
#: A zip member larger than EXPANSION_FLOOR may expand at most MAX_EXPANSION times its
#: stored size: Keras stores members uncompressed, and only a zip bomb expands a hundredfold.
EXPANSION_FLOOR = 64 * 2**20
MAX_EXPANSION = 100
_CONFIG_MEMBERS = ("config.json", "metadata.json")
_WEIGHTS_MEMBER = "model.weights.h5"

_TENSOR = "__keras_tensor__"
_GENERIC = "KerasLayer"

#: (layer name, node index, tensor index), as Keras records where a tensor comes from.
TensorRef = tuple[str, int, int]


def import_model(path: str | Path) -> tuple[Graph, WeightStore]:
    """Read a ``.keras`` or legacy ``.h5`` model: its graph, laid out, and its weights.

    Raises
    ------
    FileFormatError
        The file is missing, empty, damaged, of another kind, or holds no model.
    UnsafeModelError
        Loading the model would run code: a Lambda layer, a custom function or class.
    """
    path = Path(path)
    config = read_model_config(path)
    check_safe(config, path.name)
    model = _load(path)
    try:
        graph, layers = _convert(model)
    except GuibuilderError as exc:
        raise FileFormatError(f"{path.name} cannot be imported: {exc}") from exc
    apply_layout(graph)
    return graph, WeightStore.from_layers(layers)


def graph_from_keras(model: Any) -> Graph:
    """The laid-out graph of a Functional or Sequential ``keras.Model``.

    The weights are not copied; take them with :meth:`WeightStore.from_model`.
    """
    graph, _ = _convert(model)
    apply_layout(graph)
    return graph


# ---------------------------------------------------------------------- the file
def read_model_config(path: Path) -> dict:
    """The model config stored in ``path``, read without Keras; one clear error if bad."""
    name = path.name
    if not path.exists():
        raise FileFormatError(f"the model file {path} does not exist")
    if path.is_dir():
        raise FileFormatError(
            f"{name} is a folder, not a model file: save the model with model.save('x.keras')"
        )
    suffix = path.suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        raise FileFormatError(
            f"{name} is not a Keras model file: import reads models saved as .keras or .h5"
        )
    if path.stat().st_size == 0:
        raise FileFormatError(f"{name} is empty")
    if suffix == ".keras":
        return _keras_zip_config(path)
    return _h5_config(path)


def _keras_zip_config(path: Path) -> dict:
    name = path.name
    if not zipfile.is_zipfile(path):
        raise FileFormatError(
            f"{name} is not a readable .keras file: it is not a zip archive, or it is truncated"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            if "config.json" not in archive.namelist():
                raise FileFormatError(f"{name} has no config.json, so it holds no Keras model")
            _check_members(archive, name)
            text = _read_member(archive, "config.json", name)
            if _WEIGHTS_MEMBER in archive.namelist():
                with archive.open(_WEIGHTS_MEMBER) as weights:
                    _check_weights(weights, f"the {_WEIGHTS_MEMBER} in {name}")
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
        raise FileFormatError(f"{name} is damaged: {keras_message(exc)}") from exc
    return _parse_config(text, f"the config.json in {name}")


def _check_members(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a member that would expand past what a model holds or memory allows."""
    memory = available_memory()
    for info in archive.infolist():
        member = repr(info.filename[:60])
        if info.filename in _CONFIG_MEMBERS and info.file_size > MAX_CONFIG_BYTES:
            raise FileFormatError(
                f"{name} is refused: its {info.filename} would expand to "
                f"{size_text(info.file_size)}, far more than a model's config ever holds"
            )
        if memory is not None and info.file_size > memory:
            raise FileFormatError(
                f"{name} is refused: its member {member} would expand to "
                f"{size_text(info.file_size)}, more than the {size_text(memory)} of memory free"
            )
        if info.file_size > max(EXPANSION_FLOOR, MAX_EXPANSION * info.compress_size):
            raise FileFormatError(
                f"{name} is refused: its member {member} would expand from "
                f"{size_text(info.compress_size)} to {size_text(info.file_size)}, as only a "
                "zip bomb does"
            )
        if info.compress_type != zipfile.ZIP_STORED:
            _drain(archive, info)


def _drain(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Read a compressed member through, a chunk at a time: one that expands past its
    declared size, or whose checksum differs, raises BadZipFile."""
    with archive.open(info) as member:
        while member.read(2**20):
            pass


def _read_member(archive: zipfile.ZipFile, member: str, name: str) -> bytes:
    with archive.open(member) as f:
        data = f.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise FileFormatError(
            f"{name} is refused: its {member} expands past {size_text(MAX_CONFIG_BYTES)}, "
            "far more than a model's config ever holds"
        )
    return data


def _check_weights(source: Any, where: str) -> None:
    import h5py

    try:
        with h5py.File(source, "r") as f:
            check_declared_size(f, where)
    except FileFormatError:
        raise
    except Exception as exc:
        raise FileFormatError(
            f"{where} is not a readable HDF5 file: it is damaged, truncated or of another kind"
        ) from exc


def _h5_config(path: Path) -> dict:
    import h5py

    name = path.name
    try:
        with h5py.File(path, "r") as f:
            if "model_config" not in f.attrs:
                text = None
            elif f.attrs.get_id("model_config").get_storage_size() > MAX_CONFIG_BYTES:
                raise FileFormatError(
                    f"{name} is refused: its model config is larger than "
                    f"{size_text(MAX_CONFIG_BYTES)}, far more than a model's config ever holds"
                )
            else:
                text = f.attrs["model_config"]
    except FileFormatError:
        raise
    except Exception as exc:
        raise FileFormatError(
            f"{name} is not a readable HDF5 file: it is damaged, truncated or of another kind"
        ) from exc
    if text is None:
        raise FileFormatError(
            f"{name} holds no model config (a weights-only file?): save the whole model "
            "with model.save()"
        )
    if not isinstance(text, str | bytes):
        raise FileFormatError(f"the model config in {name} is not text, so it is not a model")
    _check_weights(path, name)
    return _parse_config(text, f"the model config in {name}")


def _parse_config(text: str | bytes, where: str) -> dict:
    try:
        config = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FileFormatError(f"{where} is not valid JSON") from exc
    except RecursionError as exc:
        raise FileFormatError(f"{where} is nested too deeply to describe a model") from exc
    if not isinstance(config, dict):
        raise FileFormatError(f"{where} does not describe a model")
    if _depth(config) > MAX_CONFIG_DEPTH:
        raise FileFormatError(
            f"{where} is nested more than {MAX_CONFIG_DEPTH} levels deep, "
            "far deeper than a model's config"
        )
    return config


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value``, found without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, dict | list):
            deepest = max(deepest, level)
            items = current.values() if isinstance(current, dict) else current
            stack.extend((item, level + 1) for item in items)
    return deepest


def check_safe(config: Any, where: str) -> None:
    """Refuse a config whose loading would run code: a Lambda layer, a serialized Python
    function, or a class from outside Keras."""
    if isinstance(config, dict):  # the training settings are not loaded (compile=False)
        config = {k: v for k, v in config.items() if k != "compile_config"}
    for item in _dicts(config):
        class_name = item.get("class_name")
        if class_name == "Lambda":
            layer = item.get("config", {})
            label = layer.get("name", "") if isinstance(layer, dict) else ""
            raise UnsafeModelError(
                f"{where} has a Lambda layer {shown(label)} whose Python code would have to run "
                "to load it, so it is refused"
            )
        if class_name == "__lambda__":
            raise UnsafeModelError(
                f"{where} holds a Python lambda whose code would have to run to load it, "
                "so it is refused"
            )
        module = item.get("module")
        if module == CUSTOM_MODULE and class_name in _custom_classes():
            continue
        if isinstance(module, str) and class_name and not _is_keras_module(module):
            raise UnsafeModelError(
                f"{where} needs {shown(class_name)} from the module {shown(module)}, whose "
                "code would have to run to load it, so it is refused"
            )
        # Keras' own classes too, before Keras sees them: safe mode lets a SavedModel
        # loader or a vocabulary file through.
        problem = object_problem(item) if "class_name" in item else None
        if problem is not None:
            raise UnsafeModelError(f"{where} names {problem}, so it is refused")


#: The module of guibuilder's own layers: its classes are the only ones from outside
#: Keras that a model may use.
CUSTOM_MODULE = "guibuilder.keras_layers"


def _custom_classes() -> tuple[str, ...]:
    return importlib.import_module(CUSTOM_MODULE).CLASS_NAMES


def _is_keras_module(module: str) -> bool:
    return module == "keras" or module.startswith("keras.")


def _dicts(value: Any) -> Iterator[dict]:
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def _load(path: Path) -> Any:
    keras = load_keras()
    importlib.import_module(CUSTOM_MODULE)  # registers guibuilder's layers with Keras
    try:
        return keras.saving.load_model(str(path), compile=False, safe_mode=True)
    except Exception as exc:
        text = str(exc)
        if "safe_mode" in text or "unsafe" in text.lower():
            raise UnsafeModelError(
                f"{path.name} would run code to load ({keras_message(exc)}), so it is refused"
            ) from exc
        raise FileFormatError(f"{path.name} cannot be loaded: {keras_message(exc)}") from exc


# ------------------------------------------------------------------ the model
@dataclass
class _Call:
    """One application of a layer: a future node."""

    layer: str
    index: int
    args: Any
    kwargs: dict
    sources: list[TensorRef] = field(default_factory=list)


@dataclass
class _Plan:
    """How one layer becomes nodes: type, params, and per call its edges and kwargs."""

    type_id: str
    params: dict
    trainable: bool
    #: per call index: [(port, slot, source ref)], call kwargs
    wiring: dict[int, tuple[list[tuple[str, int, TensorRef]], dict]]


class _Unstorable(Exception):
    """A call argument that a node cannot hold."""


def _convert(model: Any) -> tuple[Graph, dict[str, Any]]:
    """The graph of ``model`` and ``{owner node id: live layer}`` for its weights."""
    keras = load_keras()
    if isinstance(model, keras.Sequential):
        config, live = _sequential_config(model)
    else:
        config = model.get_config() if hasattr(model, "get_config") else None
        if not isinstance(config, dict) or "input_layers" not in config:
            raise FileFormatError(
                f"the model {getattr(model, 'name', '')!r} is a subclassed keras.Model, "
                "which has no layer graph to import"
            )
        live = {op.name: op for op in getattr(model, "operations", model.layers)}
    entries = {entry["name"]: entry for entry in config["layers"]}
    nested = {
        name
        for name, op in live.items()
        if isinstance(op, keras.Model) and not isinstance(op, keras.Sequential)
    }
    inputs = [_history_ref(r, nested) for r in _leaves(config["input_layers"])]
    outputs = [_history_ref(r, nested) for r in _leaves(config["output_layers"])]
    calls = _calls(config["layers"])
    _drop_automatic_masks(calls, live, {(name, index) for name, index, _ in (*inputs, *outputs)})
    by_layer: dict[str, list[_Call]] = {}
    for (name, _), call in calls.items():
        by_layer.setdefault(name, []).append(call)
    entries = {name: entry for name, entry in entries.items() if name in by_layer}
    checked: dict[str, dict | None] = {}
    plans = {
        name: _plan(entry, by_layer[name], live.get(name), checked)
        for name, entry in entries.items()
    }
    graph = Graph(name=str(config.get("name") or getattr(model, "name", "model")))
    ids, owners = _insert(graph, _call_order(calls, inputs, list(entries)), plans, entries)
    for ref in (*inputs, *outputs):
        if (ref[0], ref[1]) not in ids:
            raise FileFormatError(f"the model refers to a missing layer call {ref[0]!r}")
    graph.set_outputs([(ids[(name, index)], tensor) for name, index, tensor in outputs])
    for node in graph:
        problem = node_problem(node.type_id, node.params, node.call_kwargs)
        if problem is not None:
            raise UnsafeModelError(f"layer {shown(node.id)} ({node.type_id}): {problem}")
    layers = {
        node_id: live[name]
        for name, node_id in owners.items()
        if plans[name].type_id != "Input" and hasattr(live.get(name), "get_weights")
    }
    return graph, layers


def _sequential_config(model: Any) -> tuple[dict, dict[str, Any]]:
    """A Sequential model described as a Functional config (one call per layer)."""
    try:
        tensor = model.inputs[0]
    except Exception as exc:
        raise FileFormatError(
            f"the Sequential model {model.name!r} was never built, so its input shape is unknown"
        ) from exc
    stored = model.get_config()["layers"]
    input_config = {"batch_shape": list(tensor.shape), "dtype": str(tensor.dtype)}
    if stored and stored[0]["class_name"] == "InputLayer":
        input_config = {**stored[0]["config"], **input_config}
        stored = stored[1:]
    used = {layer.name for layer in model.layers}
    input_name = input_config.get("name") or "input_layer"
    while input_name in used:
        input_name += "_"
    input_config["name"] = input_name
    layers = [
        {
            "module": "keras.layers",
            "class_name": "InputLayer",
            "config": input_config,
            "registered_name": None,
            "name": input_name,
            "inbound_nodes": [],
        }
    ]
    previous = input_name
    for entry, layer in zip(stored, model.layers, strict=True):
        history = {"keras_history": [previous, 0, 0]}
        node = {"args": [{"class_name": _TENSOR, "config": history}], "kwargs": {}}
        layers.append({**entry, "name": layer.name, "inbound_nodes": [node]})
        previous = layer.name
    config = {
        "name": model.name,
        "layers": layers,
        "input_layers": [[input_name, 0, 0]],
        "output_layers": [[previous, 0, 0]],
    }
    return config, {layer.name: layer for layer in model.layers}


def _leaves(structure: Any) -> list[list]:
    """The ``[name, node, tensor]`` leaves of an input or output structure, in Keras'
    flattening order (dict keys sorted)."""
    if isinstance(structure, list) and len(structure) == 3 and isinstance(structure[0], str):
        return [structure]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in _leaves(structure[key])]
    if isinstance(structure, list | tuple):
        return [leaf for item in structure for leaf in _leaves(item)]
    raise FileFormatError("the model's inputs or outputs are not described the way Keras does")


def _history_ref(leaf: list, nested: set[str]) -> TensorRef:
    name, node_index, tensor_index = leaf
    # A nested Functional model counts its own inner call as node 0 here.
    return str(name), int(node_index) - (1 if name in nested else 0), int(tensor_index)


def _calls(layers: list[dict]) -> dict[tuple[str, int], _Call]:
    calls: dict[tuple[str, int], _Call] = {}
    for entry in layers:
        name = entry["name"]
        if entry["class_name"] == "InputLayer":
            calls[(name, 0)] = _Call(name, 0, [], {})
            continue
        for index, node in enumerate(entry.get("inbound_nodes") or []):
            if not isinstance(node, dict) or "args" not in node:
                raise FileFormatError(f"the calls of layer {name!r} are in an unknown format")
            args, kwargs = _unwrap(node["args"]), _unwrap(node.get("kwargs") or {})
            call = _Call(name, index, args, kwargs)
            call.sources = [ref for ref, _ in _tensor_paths([args, kwargs])]
            calls[(name, index)] = call
    return calls


def _drop_automatic_masks(
    calls: dict[tuple[str, int], _Call], live: dict[str, Any], keep: set[tuple[str, int]]
) -> None:
    """Forget the masks Keras passed along by itself (an Embedding with ``mask_zero``
    feeding an RNN): they are recorded as tensor arguments, yet the rebuilt model derives
    the very same masks again. The operations that only computed them are dropped too.

    A mask is dropped only when, in the loaded model, it computes the same thing as the
    mask Keras attaches to the call's input; anything else stays an explicit argument.
    """
    counts: dict[str, int] = {}
    for name, _ in calls:
        counts[name] = counts.get(name, 0) + 1
    dropped = False
    for (name, index), call in calls.items():
        if not any(_tensor_paths(call.kwargs.get("mask"))):
            continue
        nodes = getattr(live.get(name), "_inbound_nodes", None)
        if nodes is None or len(nodes) != counts[name] or not _mask_is_automatic(nodes[index]):
            continue
        call.kwargs = {k: v for k, v in call.kwargs.items() if k != "mask"}
        call.sources = [ref for ref, _ in _tensor_paths([call.args, call.kwargs])]
        dropped = True
    while dropped:
        used = keep | {(source, index) for c in calls.values() for source, index, _ in c.sources}
        unused = [key for key in calls if key not in used]
        for key in unused:
            del calls[key]
        dropped = bool(unused)


def _mask_is_automatic(node: Any) -> bool:
    try:
        given = _flat(node.arguments.kwargs.get("mask"))
        automatic = [getattr(t, "_keras_mask", None) for t in _flat(node.arguments.args[0])]
        return len(given) == len(automatic) and all(
            _same_tensor(a, b) for a, b in zip(given, automatic, strict=True)
        )
    except Exception:  # an unexpected structure: keep the mask as it is
        return False


def _flat(value: Any) -> list:
    if isinstance(value, list | tuple):
        return [leaf for item in value for leaf in _flat(item)]
    return [value]


def _same_tensor(a: Any, b: Any, depth: int = 0) -> bool:
    """Whether two symbolic tensors compute the same: the same tensor, or the same
    weightless operation applied to the same arguments."""
    if a is b:
        return True
    if a is None or b is None or depth > 8:
        return False
    op_a, index_a, tensor_a = a._keras_history
    op_b, index_b, tensor_b = b._keras_history
    if tensor_a != tensor_b or type(op_a) is not type(op_b) or op_a is op_b:
        return op_a is op_b and index_a == index_b and tensor_a == tensor_b
    if getattr(op_a, "weights", None) or getattr(op_b, "weights", None):
        return False
    config_a = {k: v for k, v in op_a.get_config().items() if k != "name"}
    config_b = {k: v for k, v in op_b.get_config().items() if k != "name"}
    if config_a != config_b:
        return False
    args_a = op_a._inbound_nodes[index_a].arguments
    args_b = op_b._inbound_nodes[index_b].arguments
    leaves_a = _flat([list(args_a.args), list(args_a.kwargs.values())])
    leaves_b = _flat([list(args_b.args), list(args_b.kwargs.values())])
    if list(args_a.kwargs) != list(args_b.kwargs) or len(leaves_a) != len(leaves_b):
        return False
    for x, y in zip(leaves_a, leaves_b, strict=True):
        if hasattr(x, "_keras_history") or hasattr(y, "_keras_history"):
            if not _same_tensor(x, y, depth + 1):
                return False
        elif type(x) is not type(y) or not _equal(x, y):
            return False
    return True


def _equal(x: Any, y: Any) -> bool:
    try:
        return bool(x == y)
    except Exception:  # arrays and other values without a plain truth value
        return False


def _unwrap(value: Any) -> Any:
    """Serialized tuples as lists; everything else as stored."""
    if isinstance(value, dict):
        if value.get("class_name") == "__tuple__" and "config" in value:
            return [_unwrap(v) for v in value["config"]["value"]]
        if value.get("class_name") == _TENSOR:
            return value
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_unwrap(v) for v in value]
    return value


def _tensor_ref(value: Any) -> TensorRef | None:
    if isinstance(value, dict) and value.get("class_name") == _TENSOR:
        name, node_index, tensor_index = value["config"]["keras_history"]
        return str(name), int(node_index), int(tensor_index)
    return None


def _tensor_paths(value: Any) -> Iterator[tuple[TensorRef, Any]]:
    """Every tensor in a call's arguments, in order, with the value holding it."""
    ref = _tensor_ref(value)
    if ref is not None:
        yield ref, value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensor_paths(item)
    elif isinstance(value, list):
        for item in value:
            yield from _tensor_paths(item)


def _plain(value: Any, key: str) -> Any:
    """A non-tensor call argument as JSON; raise _Unstorable if it is not plain data."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_plain(v, key) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {str(k): _plain(v, key) for k, v in value.items()}
    raise _Unstorable(key)


def _plan(entry: dict, own: list[_Call], op: Any, checked: dict[str, dict | None]) -> _Plan:
    """Decide how the layer of ``entry`` becomes nodes: a catalog node when a spec
    rebuilds it exactly and its calls fit the spec's ports, otherwise a KerasLayer.
    ``checked`` remembers the outcome per distinct config (most layers repeat one)."""
    name, class_name = entry["name"], entry["class_name"]
    config = entry.get("config") or {}
    trainable = bool(config.get("trainable", True))
    if class_name == "InputLayer":
        spec = catalog.get("Input")
        try:
            params = params_from_config(spec, class_name, config)
        except GuibuilderError as exc:
            raise FileFormatError(f"input {name!r} cannot be imported: {exc}") from exc
        return _Plan("Input", params, True, {})
    outputs = _output_count(op, own)
    spec = catalog.for_keras_layer(class_name, config)
    if spec is not None and spec.type_id != _GENERIC:
        params = _exact_params(spec, class_name, config, checked)
        if params is not None and spec.num_outputs(params) == outputs:
            try:
                wiring = {c.index: _spec_wiring(spec, c) for c in own}
            except _Unstorable:
                wiring = None
            if wiring is not None and all(w is not None for w in wiring.values()):
                return _Plan(spec.type_id, params, trainable, wiring)
    params = {
        "class_name": class_name,
        "config": to_json({k: v for k, v in config.items() if k != "name"}),
        "module": entry.get("module") or "keras.layers",
        "registered_name": entry.get("registered_name"),
        "outputs": outputs,
    }
    try:
        wiring = {c.index: _generic_wiring(c) for c in own}
    except _Unstorable as exc:
        raise FileFormatError(
            f"layer {name!r} is called with an argument {exc} that cannot be stored"
        ) from exc
    return _Plan(_GENERIC, params, trainable, wiring)


def _output_count(op: Any, own: list[_Call]) -> int:
    used = max((ref[2] + 1 for c in own for ref in c.sources), default=1)
    counted = [len(node.output_tensors) for node in getattr(op, "_inbound_nodes", [])]
    return max([used, *counted]) if counted else used


def _exact_params(
    spec: LayerSpec, class_name: str, config: dict, checked: dict[str, dict | None]
) -> dict | None:
    """The spec's params for ``config`` if rebuilding them gives the very same config."""
    if unexposed_config(spec, config):
        return None
    bare = {k: v for k, v in config.items() if k != "name"}
    key = json.dumps([spec.type_id, class_name, bare], sort_keys=True, default=repr)
    if key not in checked:
        checked[key] = _rebuild_check(spec, class_name, config)
    return checked[key]


def _rebuild_check(spec: LayerSpec, class_name: str, config: dict) -> dict | None:
    keras = load_keras()
    try:
        params = params_from_config(spec, class_name, config)
        layer = make_layer(spec, params, config["name"], bool(config.get("trainable", True)))
        again = keras.saving.serialize_keras_object(layer)
    except Exception:  # the spec cannot describe this config: keep the generic node
        return None
    if again.get("class_name") != class_name or _inner_unnamed(again["config"]) != _inner_unnamed(
        config
    ):
        return None
    return params


def _inner_unnamed(config: dict) -> Any:
    """``config`` as JSON without the name and build state of wrapped layers: a
    Bidirectional's ``forward_lstm_1`` only says how Keras counted, and the rebuilt
    wrapper names (and builds) its layers anew."""
    plain = to_json(config)
    for key in ("layer", "backward_layer"):
        inner = plain.get(key)
        if isinstance(inner, dict) and isinstance(inner.get("config"), dict):
            inner["config"].pop("name", None)
            inner.pop("build_config", None)
    return plain


def _spec_wiring(
    spec: LayerSpec, call: _Call
) -> tuple[list[tuple[str, int, TensorRef]], dict] | None:
    """Edges and call kwargs of a call on a catalog layer; None if its ports cannot
    express it."""
    args, kwargs = call.args, call.kwargs
    style = spec.call_style
    ports = list(spec.inputs)
    if style == "keywords":
        named = {p.name for p in ports}
        tensors_by_port = {k: v for k, v in kwargs.items() if k in named}
        rest = {k: v for k, v in kwargs.items() if k not in named}
        positional = [_tensor_ref(a) for a in args]
        if None in positional or set(tensors_by_port) & {p.name for p in ports[: len(args)]}:
            return None
        edges = _assign(ports[: len(args)], positional)
        for port_name, value in tensors_by_port.items():
            ref = _tensor_ref(value)
            if ref is None:
                return None
            edges.append((port_name, 0, ref))
    else:
        if len(args) != 1:
            return None
        if style == "single":
            ref = _tensor_ref(args[0])
            refs = [ref] if ref is not None else []
        elif style == "list" and isinstance(args[0], list):
            refs = [_tensor_ref(a) for a in args[0]]
        else:
            return None
        if not refs or None in refs:
            return None
        edges = _assign(ports, refs)
        rest = kwargs
    if edges is None or not _ports_filled(ports, edges) or any(_tensor_paths(rest)):
        return None
    return edges, {k: _plain(v, k) for k, v in rest.items()}


def _assign(ports: list[PortSpec], refs: list) -> list[tuple[str, int, TensorRef]] | None:
    """Tensors to ports in order; a variadic port takes all that remain."""
    edges: list[tuple[str, int, TensorRef]] = []
    remaining = list(refs)
    for port in ports:
        if not remaining:
            break
        if port.variadic:
            edges.extend((port.name, slot, ref) for slot, ref in enumerate(remaining))
            remaining = []
        else:
            edges.append((port.name, 0, remaining.pop(0)))
    return None if remaining else edges


def _ports_filled(ports: list[PortSpec], edges: list[tuple[str, int, TensorRef]]) -> bool:
    for port in ports:
        count = sum(1 for name, _, _ in edges if name == port.name)
        if port.required and count < (port.min_count if port.variadic else 1):
            return False
        if not port.variadic and count > 1:
            return False
    return True


def _generic_wiring(call: _Call) -> tuple[list[tuple[str, int, TensorRef]], dict]:
    """Edges and call kwargs of a call on a KerasLayer node: a plain call when the
    layer takes one tensor or one list of tensors, else the call spelled out."""
    args, kwargs = call.args, call.kwargs
    simple_kwargs = not any(_tensor_paths(kwargs))
    if simple_kwargs and len(args) == 1:
        ref = _tensor_ref(args[0])
        if ref is not None:
            return [("inputs", 0, ref)], {k: _plain(v, k) for k, v in kwargs.items()}
        if isinstance(args[0], list) and len(args[0]) > 1:
            refs = [_tensor_ref(a) for a in args[0]]
            if None not in refs:
                edges = [("inputs", slot, ref) for slot, ref in enumerate(refs)]
                return edges, {k: _plain(v, k) for k, v in kwargs.items()}
    edges: list[tuple[str, int, TensorRef]] = []

    def spell(value: Any, key: str) -> Any:
        ref = _tensor_ref(value)
        if ref is not None:
            edges.append(("inputs", len(edges), ref))
            return {TENSOR_REF: len(edges) - 1}
        if isinstance(value, list):
            return [spell(v, key) for v in value]
        if isinstance(value, dict) and "class_name" not in value:
            return {str(k): spell(v, key) for k, v in value.items()}
        return _plain(value, key)

    spelled = {CALL_ARGS: spell(list(args), "args")}
    spelled.update({k: spell(v, k) for k, v in kwargs.items()})
    return edges, spelled


def _call_order(
    calls: dict[tuple[str, int], _Call], inputs: list[TensorRef], layer_order: list[str]
) -> list[tuple[str, int]]:
    """Calls in an order where every call comes after the calls feeding it: the model's
    inputs first, in order, then the rest as close to the file's order as possible."""
    rank = {name: i for i, name in enumerate(layer_order)}
    first = {(name, index): i for i, (name, index, _) in enumerate(inputs)}
    waiting: dict[tuple[str, int], int] = {}
    users: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for key, call in calls.items():
        deps = {(name, index) for name, index, _ in call.sources}
        missing = deps - set(calls)
        if missing:
            name = sorted(missing)[0][0]
            raise FileFormatError(f"layer {key[0]!r} takes a tensor from a missing layer {name!r}")
        waiting[key] = len(deps)
        for dep in deps:
            users.setdefault(dep, []).append(key)

    def priority(key: tuple[str, int]) -> tuple[int, int, int]:
        if key in first:
            return (0, first[key], 0)
        return (1, rank[key[0]], key[1])

    heap = [(priority(key), key) for key, count in waiting.items() if count == 0]
    heapq.heapify(heap)
    order: list[tuple[str, int]] = []
    while heap:
        _, key = heapq.heappop(heap)
        order.append(key)
        for user in users.get(key, []):
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(heap, (priority(user), user))
    if len(order) != len(calls):
        stuck = sorted({key[0] for key, count in waiting.items() if count > 0})
        raise FileFormatError(f"the model's layers form a loop through {', '.join(stuck)}")
    return order


def _insert(
    graph: Graph,
    order: list[tuple[str, int]],
    plans: dict[str, _Plan],
    entries: dict[str, dict],
) -> tuple[dict[tuple[str, int], str], dict[str, str]]:
    """Add one node per call, with its edges.

    Returns ``{(layer, call index): node id}`` and ``{layer: owner node id}``: the first
    call of a layer (in ``order``) owns the layer and its weights; later calls share it.
    """
    ids: dict[tuple[str, int], str] = {}
    owners: dict[str, str] = {}
    taken = set(entries)
    uses: dict[str, int] = {}
    for key in order:
        name, index = key
        plan = plans[name]
        uses[name] = uses.get(name, 0) + 1
        edges, call_kwargs = plan.wiring.get(index, ([], {}))
        if name not in owners:
            node_id = owners[name] = _valid_id(name, taken)
            graph.add_node(
                plan.type_id,
                plan.params,
                node_id=node_id,
                name=name,
                trainable=plan.trainable,
                call_kwargs=call_kwargs,
            )
        else:
            node_id = _fresh(f"{owners[name]}__{uses[name]}", taken)
            graph.add_node(
                plan.type_id,
                node_id=node_id,
                trainable=plan.trainable,
                shares=owners[name],
                call_kwargs=call_kwargs,
            )
        ids[key] = node_id
        for port, slot, (source, source_index, tensor) in edges:
            graph.add_edge(Edge(ids[(source, source_index)], node_id, port, tensor, slot))
    return ids, owners


def _valid_id(name: str, taken: set[str]) -> str:
    if NODE_ID_RE.match(name):
        return name
    cleaned = re.sub(r"[^A-Za-z0-9_.\-]", "_", name)
    if not re.match(r"[A-Za-z_]", cleaned):
        cleaned = f"_{cleaned}"
    return _fresh(cleaned, taken)


def _fresh(candidate: str, taken: set[str]) -> str:
    node_id, n = candidate, 1
    while node_id in taken:
        n += 1
        node_id = f"{candidate}_{n}"
    taken.add(node_id)
    return node_id
