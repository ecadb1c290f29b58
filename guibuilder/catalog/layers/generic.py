"""The generic "Keras layer" node: any Keras layer by class name and config.

Import falls back to it for a layer the catalog does not list (a nested model, a layer
from a newer Keras), so that nothing is ever dropped. Its shape comes from Keras itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guibuilder.catalog.layers._common import docs
from guibuilder.catalog.spec import LayerSpec, ParamSpec, PortSpec


def _to_keras(params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    return params["class_name"], dict(params["config"])


KERAS_LAYER = LayerSpec(
    type_id="KerasLayer",
    keras_class="",
    category="Other",
    summary="Any other Keras layer, given by its class name and config.",
    params=(
        ParamSpec("class_name", "str", "Identity", "The Keras class, e.g. 'Identity'."),
        ParamSpec("config", "json", {}, "The layer's get_config(), as JSON."),
        ParamSpec(
            "module", "str", "keras.layers", "Where the class lives.", optional=True, advanced=True
        ),
        ParamSpec(
            "registered_name",
            "str",
            None,
            "Name under which a custom class is registered.",
            optional=True,
            advanced=True,
        ),
        ParamSpec("outputs", "int", 1, "How many tensors the layer returns.", minimum=1),
    ),
    inputs=(PortSpec("inputs", variadic=True, min_count=1),),
    num_outputs=lambda p: p["outputs"],
    infer=None,
    doc_url=docs("base_layer"),
    call_style="auto",
    describe=lambda p: p["class_name"],
    to_keras=_to_keras,
)

SPECS = [KERAS_LAYER]
