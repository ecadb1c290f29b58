"""Settings past any real model's: layer parameters, training settings and dataset options
beyond their bounds are one sentence, exit 2, in every command; a model whose training
could not fit in memory is refused before Keras allocates it, by build and summary too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guibuilder.catalog.values import MAX_SIZE, MAX_WINDOW, ParamError
from guibuilder.graph import Graph
from guibuilder.training.config import RANGES, ConfigError, TrainConfig
from tests.security.limited_cli import assert_refused, run_limited
from tests.subprocesses import ROOT

DEMO = json.loads((ROOT / "resources" / "demo" / "digits_cnn.gbproj").read_text())


def _project(tmp_path: Path, change) -> Path:
    data = json.loads(json.dumps(DEMO))
    change(data)
    path = tmp_path / "hostile.gbproj"
    path.write_text(json.dumps(data))
    return path


def _node(data: dict, node_id: str) -> dict:
    return next(n for n in data["nodes"] if n["id"] == node_id)


# ------------------------------------------------------------------ layer parameters
def test_a_giant_pool_size_is_refused_by_every_command(tmp_path):
    def giant_pool(data):
        _node(data, "pool")["params"].update(pool_size=[10**9, 10**9], padding="same")

    path = _project(tmp_path, giant_pool)
    for argv in (
        ["summary", str(path)],
        ["build", str(path), "-o", str(tmp_path / "out.keras")],
        ["train", str(path), "--epochs", "1"],
    ):
        assert_refused(run_limited(*argv), "pool_size must be at most 4,096, got 1,000,000,000")
    assert not (tmp_path / "out.keras").exists()


@pytest.mark.parametrize(
    ("type_id", "params", "words"),
    [
        ("Dense", {"units": 10**12}, "units must be at most 1,048,576"),
        ("Conv2D", {"filters": 10**7}, "filters must be at most 65,536"),
        ("Conv2D", {"kernel_size": [5000, 3]}, "kernel_size must be at most 4,096"),
        ("Conv2D", {"strides": [1, 10**6]}, "strides must be at most 4,096"),
        ("Embedding", {"input_dim": 10**9}, f"input_dim must be at most {MAX_SIZE:,}"),
        ("Input", {"shape": [10**9, 3]}, f"shape must be at most {MAX_SIZE:,}"),
        ("UpSampling2D", {"size": [10**5, 2]}, f"size must be at most {MAX_WINDOW:,}"),
        ("Dropout", {"rate": 0.5, "seed": 2**70}, "seed must be at most"),
    ],
)
def test_the_inspector_and_the_loader_refuse_a_parameter_past_its_bound(type_id, params, words):
    graph = Graph()
    node = graph.add_node(type_id)
    with pytest.raises(ParamError, match=words) as refused:
        graph.set_params(node.id, params)
    assert "\n" not in str(refused.value)
    with pytest.raises(ParamError, match=words):
        Graph().add_node(type_id, params)


def test_bounds_leave_real_models_alone():
    graph = Graph()
    graph.add_node("Input", {"shape": [16_000, 1]})  # a second of 16 kHz audio
    graph.add_node("Dense", {"units": 256_000})  # a large vocabulary
    graph.add_node("Conv1D", {"filters": 512, "kernel_size": [400], "strides": [160]})
    graph.add_node("Embedding", {"input_dim": 256_000, "output_dim": 4096})
    graph.add_node("Dropout", {"rate": 0.1, "seed": 2**32 + 1})


# ------------------------------------------------------------------ training settings
def test_a_giant_batch_size_is_one_sentence_in_the_project_and_on_the_command_line(tmp_path):
    path = _project(tmp_path, lambda d: d["training"].update(batch_size=10**12))
    words = "training setting 'batch_size' must be a whole number from 1 to 65,536"
    assert_refused(run_limited("train", str(path)), words)
    plain = _project(tmp_path, lambda d: None)
    assert_refused(run_limited("train", str(plain), "--batch-size", str(10**12)), words)


@pytest.mark.parametrize("name", sorted(RANGES))
def test_every_numeric_setting_has_both_bounds_checked(name):
    low, high = RANGES[name]
    assert high < 2**63
    integer = isinstance(TrainConfig().to_dict()[name], int) or name == "seed"
    over = high + 1 if integer else high * 2
    for value in (low - 1, over):
        with pytest.raises(ConfigError) as refused:
            TrainConfig.from_dict({name: value})
        assert refused.value.setting == name
    with pytest.raises(ConfigError):
        TrainConfig.from_dict({name: 10**400})


# ------------------------------------------------------------------ dataset options
@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"seed": 10**400}, "option 'seed' of digits must be an integer from 0 to 4294967295"),
        ({"seed": 2**40}, "option 'seed' of digits must be at most 4294967295"),
    ],
)
def test_dataset_options_past_their_bounds_are_one_sentence(tmp_path, options, words):
    path = _project(tmp_path, lambda d: d["dataset"].update(options))
    assert_refused(run_limited("train", str(path)), words)


# ------------------------------------------------------------------ memory
def _huge_activations(data: dict) -> None:
    """An Input of 4096 x 4096 x 64 values: no parameters to speak of, but 256 GB of
    layer outputs for a batch of 32."""
    _node(data, "image")["params"]["shape"] = [4096, 4096, 64]
    data["training"]["batch_size"] = 32


def test_a_model_whose_outputs_cannot_fit_is_refused_by_build_summary_and_train(tmp_path):
    path = _project(tmp_path, _huge_activations)
    for argv in (
        ["build", str(path), "-o", str(tmp_path / "out.keras")],
        ["summary", "--check", str(path)],
        ["train", str(path), "--dataset", "moons"],
    ):
        line = assert_refused(run_limited(*argv), "needs about", "to train", "largest")
        assert "at batch size 32" in line
    assert not (tmp_path / "out.keras").exists()
