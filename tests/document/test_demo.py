"""The committed demo project is what its script writes, and it is a working model."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from guibuilder.compiler.shapes import infer_shapes
from guibuilder.document import load_project

DEMO = Path(__file__).parents[2] / "resources" / "demo"


def _script():
    spec = importlib.util.spec_from_file_location("make_demo", DEMO / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_demo_is_what_the_script_writes(tmp_path):
    out = tmp_path / "digits_cnn.gbproj"
    assert _script().main([str(out)]) == 0
    assert out.read_bytes() == (DEMO / "digits_cnn.gbproj").read_bytes()


def test_demo_is_a_valid_digits_classifier():
    project = load_project(DEMO / "digits_cnn.gbproj")
    graph = project.graph
    graph.validate()
    infos = infer_shapes(graph, use_keras=False)
    assert not [i.error for i in infos.values() if i.error]
    assert infos["image"].outputs == ((None, 8, 8, 1),)
    assert infos["digit"].outputs == ((None, 10),)
    assert graph.outputs() == [("digit", 0)]
    assert project.dataset == {"name": "digits"}
    config = project.train_config()
    assert (config.optimizer, config.epochs) == ("adam", 10)
    ys = [graph.node(n).position[1] for n in graph.topological_order()]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
