"""Mutated model configs (.keras and legacy .h5): refused in one sentence, or they import
into a project whose model builds."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from guibuilder.compiler.build import build_model
from guibuilder.compiler.importer import import_model
from tests.fuzz import hostile_inputs
from tests.fuzz.checks import check_each, nothing_runs, refused
from tests.profiles import examples


def _import(path, marker) -> None:
    imported = []
    with nothing_runs(marker):
        if refused(lambda: imported.append(import_model(path)), path) is None:
            graph, _weights = imported[0]
            refused(lambda: build_model(graph))


@settings(max_examples=examples(40))
@given(rng=st.randoms(use_true_random=False))
def test_a_mutated_keras_config_is_refused_in_one_sentence_or_builds(
    rng, tiny_models, workdir, marker
):
    keras_file, _ = tiny_models
    config = hostile_inputs.keras_config(keras_file)
    path = workdir / "fuzz.keras"
    text = hostile_inputs.mutated_model_config(config, rng, str(marker))
    hostile_inputs.write_keras(keras_file, path, text)
    _import(path, marker)


@settings(max_examples=examples(15))
@given(rng=st.randoms(use_true_random=False), as_bytes=st.booleans())
def test_a_mutated_h5_model_config_is_refused_in_one_sentence_or_builds(
    rng, as_bytes, tiny_models, workdir, marker
):
    _, h5_file = tiny_models
    config = json.loads(hostile_inputs.keras_h5_config(h5_file))
    text = hostile_inputs.mutated_model_config(config, rng, str(marker))
    path = workdir / "fuzz.h5"
    hostile_inputs.write_h5(h5_file, path, text.encode() if as_bytes else text)
    _import(path, marker)


def test_crafted_model_files(tiny_models, tmp_path, marker):
    """Code, deep nesting, odd attributes, damage; the zip bomb is left to the benchmark."""
    made = hostile_inputs.crafted_models(*tiny_models, tmp_path, str(marker))
    light = [p for p in made if p.stem not in ("bomb", "units-1000000000")]
    check_each((path.name, lambda p=path: _import(p, marker)) for path in light)
