"""Hostile projects: each would create a marker file if anything of it ran.

A project is a small classifier (Input -> Dense) on ``moons``, changed by one mutation. The
marker is ``MARKER`` in the folder the test works in; the SavedModel trap (see
:func:`make_trap`) writes its own marker when TensorFlow loads it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from guibuilder.document import Project
from guibuilder.document.project import project_to_dict
from guibuilder.document.settings import TrainConfig
from guibuilder.graph import Graph

#: The file a payload creates in the folder it runs in.
MARKER = "marker"
#: A module that creates the marker when it is imported (written beside the projects).
USER_MODULE = "evil_module"


def base_project() -> dict[str, Any]:
    """The JSON of a small, good project: moons -> Dense(2), one quick epoch."""
    graph = Graph("tiny")
    graph.add_node("Input", {"shape": [2]}, node_id="x")
    graph.add_node("Dense", {"units": 2}, node_id="out")
    graph.connect("x", "out")
    project = Project(
        graph,
        dataset={"name": "moons", "samples": 64},
        training=TrainConfig(epochs=1, batch_size=32),
    )
    return project_to_dict(project)


def _touch(marker: str) -> str:
    return f'__import__("pathlib").Path({marker!r}).touch()'


def _tfsm(trap: Path) -> dict[str, Any]:
    """A serialized TFSMLayer: loading it runs the trap's initializer."""
    return {
        "module": "keras.layers",
        "class_name": "TFSMLayer",
        "config": {"filepath": str(trap), "call_endpoint": "serve"},
        "registered_name": None,
    }


def _node(data: dict, node_id: str) -> dict:
    return next(n for n in data["nodes"] if n["id"] == node_id)


def _generic(data: dict, params: dict) -> None:
    node = _node(data, "out")
    node["type"] = "KerasLayer"
    node["params"] = {"outputs": 1, **params}


Mutation = Callable[[dict, Path, Path], None]

#: name -> (mutation(project JSON, marker path, trap), the call-kwargs key or param named in
#: the refusal). Each is refused when the project is opened.
REFUSED: dict[str, tuple[Mutation, str]] = {
    "call-kwargs-key": (
        lambda d, m, t: _node(d, "out").update(
            call_kwargs={f"*[{_touch(str(m))}][1:], training": True}
        ),
        "call_kwargs key '*[__import__",
    ),
    "call-kwargs-key-newline": (
        lambda d, m, t: _node(d, "out").update(call_kwargs={f"\n{_touch(str(m))}\n": 1}),
        "call_kwargs key '\\n__import__",
    ),
    "call-kwargs-keyword": (
        lambda d, m, t: _node(d, "out").update(call_kwargs={"lambda": 1}),
        "call_kwargs key 'lambda'",
    ),
    "call-kwargs-tfsm": (
        lambda d, m, t: _node(d, "out").update(call_kwargs={"training": _tfsm(t)}),
        "'keras.layers.TFSMLayer'",
    ),
    "call-kwargs-tfsm-nested": (
        lambda d, m, t: _node(d, "out").update(
            call_kwargs={"training": [{"deeper": {"still": [_tfsm(t)]}}]}
        ),
        "'keras.layers.TFSMLayer'",
    ),
    "call-kwargs-function": (
        lambda d, m, t: _node(d, "out").update(
            call_kwargs={"training": {"module": "os", "class_name": "function", "config": "system"}}
        ),
        "the function 'system'",
    ),
    "param-tfsm": (
        lambda d, m, t: _node(d, "out")["params"].update(kernel_initializer=_tfsm(t)),
        "'keras.layers.TFSMLayer'",
    ),
    "generic-tfsm": (
        lambda d, m, t: _generic(d, {"class_name": "TFSMLayer", "config": _tfsm(t)["config"]}),
        "'keras.layers.TFSMLayer'",
    ),
    "generic-nested-tfsm": (
        lambda d, m, t: _generic(
            d,
            {
                "class_name": "Dense",
                "config": {"units": 2, "kernel_initializer": {"config": {"seed": _tfsm(t)}}},
            },
        ),
        "'keras.layers.TFSMLayer'",
    ),
    "generic-lambda": (
        lambda d, m, t: _generic(
            d,
            {
                "class_name": "Lambda",
                "config": {
                    "function": {"class_name": "__lambda__", "config": {"code": _touch(str(m))}}
                },
            },
        ),
        "'keras.layers.Lambda'",
    ),
    "generic-os": (
        lambda d, m, t: _generic(
            d, {"module": "os", "class_name": "system", "config": {"command": f"touch {m}"}}
        ),
        "'os.system'",
    ),
    "generic-subprocess": (
        lambda d, m, t: _generic(
            d,
            {"module": "subprocess", "class_name": "Popen", "config": {"args": ["touch", str(m)]}},
        ),
        "'subprocess.Popen'",
    ),
    "generic-user-module": (
        lambda d, m, t: _generic(
            d, {"module": USER_MODULE, "class_name": "Evil", "config": {"trainable": True}}
        ),
        f"'{USER_MODULE}.Evil'",
    ),
    "generic-keras-internal": (
        lambda d, m, t: _generic(
            d,
            {
                "module": "keras.src.saving.saving_api",
                "class_name": "load_model",
                "config": {"filepath": str(t)},
            },
        ),
        "'keras.src.saving.saving_api",
    ),
    "registered-name": (
        lambda d, m, t: _generic(
            d,
            {
                "class_name": "Dense",
                "config": {"units": 2, "trainable": True},
                "registered_name": f"{USER_MODULE}>Evil",
            },
        ),
        f"registered as '{USER_MODULE}>Evil'",
    ),
    "registered-name-guibuilder": (
        lambda d, m, t: _generic(
            d,
            {
                "module": "guibuilder.keras_layers",
                "class_name": "ClassToken",
                "config": {"trainable": True},
                "registered_name": "guibuilder>Evil",
            },
        ),
        "registered as 'guibuilder>Evil'",
    ),
}


def hostile_json(name: str, marker: Path, trap: Path) -> str:
    data = copy.deepcopy(base_project())
    REFUSED[name][0](data, marker, trap)
    return json.dumps(data)


def write_user_module(folder: Path, marker: Path) -> None:
    """A module that creates ``marker`` when imported, and would be found from ``folder``."""
    (folder / f"{USER_MODULE}.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).touch()\nclass Evil:\n    pass\n"
    )


def docstring_payload(marker: str = MARKER) -> str:
    """Text that ends a docstring, creates ``marker`` in the working folder and opens a new
    string to swallow the rest; it holds no slash, so it can be a file name."""
    return f'x"""; open("{marker}", "w"); """y'


def make_trap(folder: Path, marker: Path) -> Path:
    """A SavedModel whose resource initializer writes ``marker`` when TensorFlow loads it
    (what a TFSMLayer does when it is made)."""
    import tensorflow as tf

    class Writer(tf.saved_model.experimental.TrackableResource):
        def _create_resource(self):
            return tf.raw_ops.VarHandleOp(dtype=tf.float32, shape=[], shared_name="trap")

        def _initialize(self):
            tf.io.write_file(str(marker), "ran")
            return tf.raw_ops.AssignVariableOp(
                resource=self.resource_handle, value=tf.constant(0.0)
            )

    class Trap(tf.Module):
        def __init__(self):
            super().__init__()
            self.writer = Writer()

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def serve(self, x):
            return x

    trap = Trap()
    path = folder / "trap_savedmodel"
    tf.saved_model.save(trap, str(path), signatures={"serving_default": trap.serve})
    return path
