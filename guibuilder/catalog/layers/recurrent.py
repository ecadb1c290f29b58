"""Recurrent layers (LSTM, GRU, SimpleRNN, optionally bidirectional) and Embedding.

A recurrent node with ``bidirectional`` on builds a Keras ``Bidirectional`` wrapper around
the layer; import maps such a wrapper back to the node of the layer it wraps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guibuilder.catalog.layers._common import (
    ACTIVATIONS,
    MAX_CHANNELS,
    MAX_UNITS,
    constraint_param,
    docs,
    fmt_shape,
    initializer_param,
    regularizer_param,
    result,
    seed_param,
    single,
)
from guibuilder.catalog.spec import Inferred, LayerSpec, ParamSpec, Shape, ShapeError

MERGE_MODES = ("concat", "sum", "mul", "ave")

#: Per recurrent type: (gates, state tensors returned with return_state, id prefix).
_RNN_KINDS: dict[str, tuple[int, int, str]] = {
    "LSTM": (4, 2, "lstm"),
    "GRU": (3, 1, "gru"),
    "SimpleRNN": (1, 1, "simple_rnn"),
}

#: Params of the node that are not arguments of the recurrent layer itself.
_WRAPPER_PARAMS = ("bidirectional", "merge_mode")


def _rnn_params(type_id: str) -> tuple[ParamSpec, ...]:
    head = [
        ParamSpec(
            "units",
            "int",
            32,
            "Size of the hidden state (outputs per step).",
            minimum=1,
            maximum=MAX_UNITS,
        ),
        ParamSpec(
            "activation",
            "activation",
            "tanh",
            "Function applied to the new state.",
            choices=ACTIVATIONS,
        ),
    ]
    if type_id != "SimpleRNN":
        head.append(
            ParamSpec(
                "recurrent_activation",
                "activation",
                "sigmoid",
                "Function applied to the gates.",
                choices=ACTIVATIONS,
                advanced=True,
            )
        )
    head += [
        ParamSpec(
            "return_sequences",
            "bool",
            False,
            "Output every time step (needed before another recurrent layer), not just the last.",
        ),
        ParamSpec(
            "return_state",
            "bool",
            False,
            "Also output the final state tensors, as extra outputs.",
        ),
        ParamSpec(
            "bidirectional",
            "bool",
            False,
            "Read the sequence both forwards and backwards (a Bidirectional wrapper).",
        ),
        ParamSpec(
            "merge_mode",
            "choice",
            "concat",
            "How the two directions are combined; empty gives them as two outputs.",
            choices=MERGE_MODES,
            optional=True,
        ),
        ParamSpec(
            "dropout",
            "float",
            0.0,
            "Fraction of the inputs dropped during training.",
            minimum=0.0,
            maximum=1.0,
        ),
        ParamSpec(
            "recurrent_dropout",
            "float",
            0.0,
            "Fraction of the recurrent state dropped during training.",
            minimum=0.0,
            maximum=1.0,
        ),
        ParamSpec("use_bias", "bool", True, "Add a learned bias to each gate.", advanced=True),
        initializer_param("kernel_initializer", "glorot_uniform", "input weights"),
        initializer_param("recurrent_initializer", "orthogonal", "recurrent weights"),
        initializer_param("bias_initializer", "zeros", "bias"),
    ]
    if type_id == "LSTM":
        head.append(
            ParamSpec(
                "unit_forget_bias",
                "bool",
                True,
                "Start the forget gate's bias at 1, so the cell remembers at first.",
                advanced=True,
            )
        )
    if type_id == "GRU":
        head.append(
            ParamSpec(
                "reset_after",
                "bool",
                True,
                "Apply the reset gate after the matrix product (the cuDNN-compatible form).",
                advanced=True,
            )
        )
    head += [
        regularizer_param("kernel_regularizer", "input weights"),
        regularizer_param("recurrent_regularizer", "recurrent weights"),
        regularizer_param("bias_regularizer", "bias"),
        regularizer_param("activity_regularizer", "outputs"),
        constraint_param("kernel_constraint", "input weights"),
        constraint_param("recurrent_constraint", "recurrent weights"),
        constraint_param("bias_constraint", "bias"),
        seed_param("dropout"),
        ParamSpec(
            "go_backwards",
            "bool",
            False,
            "Read the sequence from the end to the start.",
            advanced=True,
        ),
        ParamSpec(
            "stateful",
            "bool",
            False,
            "Keep the state from one batch to the next (needs a fixed batch size).",
            advanced=True,
        ),
        ParamSpec(
            "unroll",
            "bool",
            False,
            "Unroll the loop: faster for short sequences, needs a known length.",
            advanced=True,
        ),
    ]
    return tuple(head)


def _num_outputs(type_id: str):
    states = _RNN_KINDS[type_id][1]

    def count(params: Mapping[str, Any]) -> int:
        both = params.get("bidirectional", False)
        main = 2 if both and params.get("merge_mode") is None else 1
        if not params.get("return_state", False):
            return main
        return main + states * (2 if both else 1)

    return count


def _direction_params(type_id: str, features: int, params: Mapping[str, Any]) -> int:
    gates = _RNN_KINDS[type_id][0]
    units = params["units"]
    count = gates * units * (features + units)
    if params["use_bias"]:
        twice = type_id == "GRU" and params["reset_after"]
        count += gates * units * (2 if twice else 1)
    return count


def _rnn_shape(type_id: str):
    def infer(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
        shape = single(inputs, type_id)
        if len(shape) != 3:
            hint = (
                "; if it follows another recurrent layer, turn on return_sequences there"
                if len(shape) == 2
                else ""
            )
            raise ShapeError(
                f"needs a sequence shaped (time steps, features) but received {fmt_shape(shape)}"
                + hint
            )
        batch, steps, features = shape
        if features is None:
            raise ShapeError(
                f"needs a known number of features per step but received {fmt_shape(shape)}"
            )
        if params["stateful"] and batch is None:
            raise ShapeError("has stateful=True, which needs a fixed batch size on the Input")
        if params["unroll"] and steps is None:
            raise ShapeError(
                "has unroll=True, which needs a known number of time steps "
                f"but received {fmt_shape(shape)}"
            )
        both = params["bidirectional"]
        if both and params["go_backwards"]:
            raise ShapeError(
                "cannot combine go_backwards with bidirectional: the wrapper already "
                "reads the sequence backwards; turn go_backwards off"
            )
        units = params["units"]
        count = _direction_params(type_id, features, params) * (2 if both else 1)
        width = units * 2 if both and params["merge_mode"] == "concat" else units
        out = (batch, steps, width) if params["return_sequences"] else (batch, width)
        outputs = [out]
        if both and params["merge_mode"] is None:
            outputs = [out, out]
        if params["return_state"]:
            states = _RNN_KINDS[type_id][1] * (2 if both else 1)
            outputs += [(batch, units)] * states
        return result(*outputs, params=count)

    return infer


def _rnn_to_keras(type_id: str):
    prefix = _RNN_KINDS[type_id][2]

    def to_keras(params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        config = {k: v for k, v in params.items() if k not in _WRAPPER_PARAMS}
        if not params["bidirectional"]:
            return type_id, config
        inner = {
            "module": "keras.layers",
            "class_name": type_id,
            "config": {**config, "name": prefix},
            "registered_name": None,
        }
        return "Bidirectional", {"layer": inner, "merge_mode": params["merge_mode"]}

    return to_keras


def _rnn_from_keras(type_id: str):
    names = [p.name for p in _rnn_params(type_id) if p.name not in _WRAPPER_PARAMS]

    def from_keras(class_name: str, config: Mapping[str, Any]) -> dict[str, Any]:
        if class_name != "Bidirectional":
            return {n: config[n] for n in names if n in config}
        inner = config["layer"]["config"]
        params = {n: inner[n] for n in names if n in inner}
        params["bidirectional"] = True
        params["merge_mode"] = config.get("merge_mode", "concat")
        return params

    return from_keras


def _rnn_describe(params: Mapping[str, Any]) -> str:
    parts = [f"{params['units']} units"]
    if params["bidirectional"]:
        parts.append("bidirectional")
    if params["return_sequences"]:
        parts.append("sequences")
    if params["return_state"]:
        parts.append("+ states")
    return ", ".join(parts)


def _rnn_spec(type_id: str, summary: str, doc: str) -> LayerSpec:
    return LayerSpec(
        type_id=type_id,
        keras_class=type_id,
        category="Recurrent",
        summary=summary,
        params=_rnn_params(type_id),
        num_outputs=_num_outputs(type_id),
        infer=_rnn_shape(type_id),
        doc_url=docs(f"recurrent_layers/{doc}"),
        describe=_rnn_describe,
        ignored_config=frozenset({"zero_output_for_mask", "layer", "backward_layer"}),
        to_keras=_rnn_to_keras(type_id),
        from_keras=_rnn_from_keras(type_id),
    )


LSTM = _rnn_spec(
    "LSTM", "Long short-term memory: a recurrent layer with gates that remember.", "lstm"
)
GRU = _rnn_spec("GRU", "Gated recurrent unit: a lighter gated recurrent layer.", "gru")
SIMPLE_RNN = _rnn_spec(
    "SimpleRNN", "The plain recurrent layer: each state is a function of the last.", "simple_rnn"
)


def _embedding_shape(params: Mapping[str, Any], inputs: list[Shape]) -> Inferred:
    shape = single(inputs, "Embedding")
    rows, width = params["input_dim"], params["output_dim"]
    table = rows * width
    rank = params["lora_rank"]
    if rank:
        return result((*shape, width), params=table + rank * (rows + width), non_trainable=table)
    return result((*shape, width), params=table)


EMBEDDING = LayerSpec(
    type_id="Embedding",
    keras_class="Embedding",
    category="Core",
    summary="Turns whole numbers (word or category ids) into learned vectors.",
    params=(
        ParamSpec(
            "input_dim",
            "int",
            1000,
            "Vocabulary size: the ids go from 0 to input_dim - 1.",
            minimum=1,
        ),
        ParamSpec(
            "output_dim",
            "int",
            64,
            "Length of each learned vector.",
            minimum=1,
            maximum=MAX_CHANNELS,
        ),
        ParamSpec(
            "mask_zero",
            "bool",
            False,
            "Treat id 0 as padding that later layers skip.",
        ),
        initializer_param("embeddings_initializer", "random_uniform", "vectors"),
        regularizer_param("embeddings_regularizer", "vectors"),
        regularizer_param("activity_regularizer", "outputs"),
        constraint_param("embeddings_constraint", "vectors"),
        ParamSpec(
            "lora_rank",
            "int",
            None,
            "Rank of a LoRA adapter (freezes the table, trains a small update).",
            optional=True,
            minimum=1,
            advanced=True,
        ),
        ParamSpec(
            "lora_alpha", "float", None, "Scale of the LoRA adapter.", optional=True, advanced=True
        ),
    ),
    infer=_embedding_shape,
    doc_url=docs("core_layers/embedding"),
    describe=lambda p: f"{p['input_dim']} ids -> {p['output_dim']}",
    ignored_config=frozenset({"quantization_config"}),
)

SPECS = [LSTM, GRU, SIMPLE_RNN, EMBEDDING]
