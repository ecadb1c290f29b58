"""Every catalog layer agrees with Keras: same output shapes, same parameter counts, and a
config that survives Keras -> params -> Keras unchanged.

Sample inputs per layer type live in the ``cases_*.py`` modules beside this file.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

from guibuilder import catalog
from guibuilder.compiler.layers import (
    apply_layer,
    load_keras,
    make_layer,
    params_from_config,
    unexposed_config,
)

#: Types whose shape comes from Keras itself or that have no layer of their own.
NO_RULE = {"Input", "KerasLayer"}


def _load_cases() -> dict[str, list]:
    cases: dict[str, list] = {}
    here = Path(__file__).parent
    for info in pkgutil.iter_modules([str(here)]):
        if info.name.startswith("cases_"):
            module = importlib.import_module(f"{__package__}.{info.name}")
            for type_id, items in module.CASES.items():
                cases.setdefault(type_id, []).extend(items)
    return cases


CASES = _load_cases()
ALL = [
    pytest.param(type_id, params, shapes, id=f"{type_id}-{i}")
    for type_id, items in sorted(CASES.items())
    for i, (params, shapes) in enumerate(items)
]


def _keras_result(spec, params, shapes):
    keras = load_keras()
    tensors = [keras.Input(batch_shape=s) for s in shapes]
    ports = _ports(spec, len(tensors))
    layer = make_layer(spec, params, "probe")
    outputs = apply_layer(spec, layer, list(zip(ports, tensors, strict=True)))
    non_trainable = sum(int(w.numpy().size) for w in layer.non_trainable_weights)
    return [tuple(o.shape) for o in outputs], layer.count_params(), non_trainable


def _ports(spec, n):
    names: list[str] = []
    for port in spec.inputs:
        if port.variadic:
            names.extend([port.name] * (n - len(names)))
        elif len(names) < n:
            names.append(port.name)
    return names


def test_every_layer_has_cases():
    missing = [s.type_id for s in catalog.all_specs() if s.type_id not in NO_RULE | set(CASES)]
    assert not missing, f"no shape cases for {missing}"


@pytest.mark.parametrize(("type_id", "params", "shapes"), ALL)
def test_shape_rule_matches_keras(type_id, params, shapes):
    spec = catalog.get(type_id)
    params = catalog.normalize_params(spec, params)
    ours = spec.infer(params, [tuple(s) for s in shapes])
    shapes_k, count_k, non_trainable_k = _keras_result(spec, params, shapes)
    assert list(ours.outputs) == shapes_k
    assert ours.params == count_k
    assert ours.non_trainable == non_trainable_k


@pytest.mark.parametrize(
    "type_id", sorted(s.type_id for s in catalog.all_specs() if s.type_id not in NO_RULE)
)
def test_config_round_trips(type_id):
    spec = catalog.get(type_id)
    params = spec.defaults()
    if type_id in CASES:
        params = catalog.normalize_params(spec, CASES[type_id][0][0])
    layer = make_layer(spec, params, "probe")
    config = layer.get_config()
    assert not unexposed_config(spec, config), "config keys the spec does not know"
    again = make_layer(spec, params_from_config(spec, type(layer).__name__, config), "probe")
    assert again.get_config() == config
