"""Hostile model files: each is refused by ``guibuilder import`` with one sentence naming
the file, exit 2, before it can make the program allocate what it claims.

The files are small on disk; what they claim (a config of gigabytes, weights of
terabytes, a nesting 100,000 levels deep) is what a careless reader would allocate.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

from guibuilder.compiler.importer import MAX_CONFIG_BYTES, read_model_config
from guibuilder.errors import FileFormatError
from tests.fuzz.hostile_inputs import declare_zip_size, huge_weights_h5, keras_zip
from tests.security.limited_cli import assert_refused, run_limited

SMALL_CONFIG = {
    "module": "keras",
    "class_name": "Functional",
    "config": {"name": "m", "layers": [], "input_layers": [], "output_layers": []},
}


def _import(model: Path, tmp_path: Path) -> str:
    result = run_limited("import", str(model), "-o", str(tmp_path / "out.gbproj"))
    line = assert_refused(result, model.name)
    assert not (tmp_path / "out.gbproj").exists()
    return line


def _refused_here(model: Path) -> str:
    with pytest.raises(FileFormatError) as info:
        read_model_config(model)
    return str(info.value)


# ----------------------------------------------------------------------- .keras
def test_a_config_that_declares_gigabytes_is_refused_before_it_is_read(tmp_path):
    path = keras_zip(tmp_path / "declared.keras", {"config.json": json.dumps(SMALL_CONFIG)})
    declare_zip_size(path, "config.json", 4_000_000_000)
    assert "would expand to 4.0 GB" in _import(path, tmp_path)


def test_a_highly_compressible_config_is_refused(tmp_path):
    """A few hundred kB on disk that inflate to 200 MB of spaces: over the config limit."""
    spaces = b" " * (200 * 2**20)
    path = keras_zip(tmp_path / "bomb.keras", {"config.json": spaces}, deflate=True)
    assert path.stat().st_size < 2**20
    assert "config ever holds" in _import(path, tmp_path)


def test_a_member_that_inflates_past_its_declared_size_is_damaged(tmp_path):
    """The headers say 100 bytes; the data inflates to 100 MB. Reading stops at the
    declared size and the checksum tells the lie."""
    body = b'{"a": "' + b"x" * (100 * 2**20) + b'"}'
    path = keras_zip(tmp_path / "liar.keras", {"config.json": body}, deflate=True)
    declare_zip_size(path, "config.json", 100)
    assert "is damaged" in _import(path, tmp_path)


def test_the_config_limit_is_far_above_a_real_model():
    assert MAX_CONFIG_BYTES >= 64 * 2**20  # DenseNet121's config is 0.4 MB


@pytest.mark.parametrize("member", ["metadata.json", "model.weights.h5", "assets/x.bin"])
def test_any_member_that_would_expand_past_memory_or_as_a_bomb_is_refused(tmp_path, member):
    members = {"config.json": json.dumps(SMALL_CONFIG).encode(), member: b"\0" * 2**20}
    path = keras_zip(tmp_path / "member.keras", members, deflate=True)
    declare_zip_size(path, member, 4_000_000_000)
    assert "is refused" in _refused_here(path)


def test_a_deeply_nested_config_is_refused(tmp_path):
    nested = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = keras_zip(tmp_path / "deep.keras", {"config.json": nested}, deflate=True)
    assert "nested too deeply" in _import(path, tmp_path)
    shallow = '{"a": ' + "[" * 500 + "]" * 500 + "}"
    path = keras_zip(tmp_path / "deep500.keras", {"config.json": shallow})
    assert "more than 100 levels deep" in _refused_here(path)


def test_weights_that_declare_terabytes_are_refused(tmp_path):
    weights = huge_weights_h5(tmp_path / "model.weights.h5").read_bytes()
    assert len(weights) < 64 * 2**10
    members = {"config.json": json.dumps(SMALL_CONFIG).encode(), "model.weights.h5": weights}
    path = keras_zip(tmp_path / "weights.keras", members)
    assert "declares 4,000 GB of weights" in _import(path, tmp_path)


# ----------------------------------------------------------------------- .h5
def _legacy_h5(path: Path, config) -> Path:
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = config
    return path


def test_a_legacy_config_that_is_not_text_is_refused(tmp_path):
    path = _legacy_h5(tmp_path / "numbers.h5", np.arange(5))
    assert "is not text" in _import(path, tmp_path)


def test_a_deeply_nested_legacy_config_is_refused(tmp_path):
    path = _legacy_h5(tmp_path / "deep.h5", "[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in _refused_here(path)


def test_legacy_weights_that_declare_terabytes_are_refused(tmp_path):
    path = huge_weights_h5(tmp_path / "huge.h5")
    with h5py.File(path, "a") as f:
        f.attrs["model_config"] = json.dumps(SMALL_CONFIG)
    assert "of weights, more than" in _import(path, tmp_path)


def test_a_project_weights_file_that_declares_terabytes_is_not_read(tmp_path):
    from guibuilder.document import Project, load_project, save_project, weights_path
    from guibuilder.document.weights import FORMAT_NAME, FORMAT_VERSION, WeightStore
    from guibuilder.graph import Graph

    graph = Graph("small")
    graph.add_node("Input", {"shape": [4]}, node_id="x")
    graph.add_node("Dense", {"units": 2}, node_id="d")
    graph.connect("x", "d")
    weights = WeightStore({"d": [np.zeros((4, 2), "f4"), np.zeros(2, "f4")]})
    path = tmp_path / "small.gbproj"
    save_project(Project(graph, weights=weights), path)
    with h5py.File(weights_path(path), "w") as f:
        f.attrs["format"], f.attrs["version"] = FORMAT_NAME, FORMAT_VERSION
        f.create_dataset("d/0", shape=(10**12,), dtype="f4", chunks=(1024,))
    project = load_project(path)
    assert project.weights is None
    assert any("declares 4,000 GB of weights" in w for w in project.warnings)


def test_a_real_model_still_imports(tmp_path):
    keras = pytest.importorskip("keras")
    x = keras.Input((4,), name="x")
    model = keras.Model(x, keras.layers.Dense(2, name="d")(x), name="small")
    model.save(tmp_path / "small.keras")
    with zipfile.ZipFile(tmp_path / "small.keras") as archive:
        deflated = {i.filename: archive.read(i) for i in archive.infolist()}
    keras_zip(tmp_path / "deflated.keras", deflated, deflate=True)
    for name in ("small.keras", "deflated.keras"):
        assert read_model_config(tmp_path / name)["class_name"] == "Functional"
