"""Mutated data files (CSV, NPY, NPZ, image folders): refused in one sentence, or a model
made to fit them builds."""

from __future__ import annotations

import shutil

from hypothesis import given, settings
from hypothesis import strategies as st

from guibuilder.compiler.build import build_model
from guibuilder.compiler.shapes import infer_shapes
from guibuilder.data import input_params_for, lint, load_dataset, output_params_for
from guibuilder.graph import Graph
from tests.fuzz import hostile_inputs
from tests.fuzz.checks import check_each, nothing_runs, refused
from tests.profiles import examples


def _fitting_graph(dataset) -> Graph:
    graph = Graph("fit")
    graph.add_node("Input", input_params_for(dataset), node_id="x")
    graph.add_node("Flatten", node_id="flat")
    graph.add_node("Dense", output_params_for(dataset), node_id="out")
    graph.connect("x", "flat")
    graph.connect("flat", "out")
    return graph


def _use(path, marker) -> None:
    """Load ``path`` as a dataset; check the refusal, or use it as the window would."""
    loaded = []
    with nothing_runs(marker):
        if refused(lambda: loaded.append(load_dataset(path)), path) is None:
            dataset = loaded[0]
            refused(dataset.summary)
            refused(dataset.preview)
            graph = []
            if refused(lambda: graph.append(_fitting_graph(dataset))) is None:
                refused(lambda: lint(graph[0], infer_shapes(graph[0]), dataset))
                refused(lambda: build_model(graph[0]))


@settings(max_examples=examples(60))
@given(rng=st.randoms(use_true_random=False))
def test_a_mutated_data_file_is_refused_in_one_sentence_or_fits_a_model(rng, workdir, marker):
    folder = workdir / "data"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    _use(hostile_inputs.write_data_file(folder, rng), marker)


def test_crafted_data_files(tmp_path, marker):
    """Bombs, headers that claim terabytes, empty and 0-d arrays, code in a file name."""
    made = hostile_inputs.crafted_data(tmp_path, str(marker))
    check_each((path.name, lambda p=path: _use(p, marker)) for path in made)
