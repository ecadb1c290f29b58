"""Run folders: names, history.csv columns, reading runs back."""

from __future__ import annotations

import json
import math

import pytest

from guibuilder.errors import FileFormatError
from guibuilder.training.runs import (
    RunFolder,
    list_runs,
    order_metrics,
    read_config,
    read_history,
)


def test_folders_are_named_by_time_and_name_and_never_reused(tmp_path):
    first = RunFolder.create(tmp_path / "runs", "my model/v2", when=0)
    second = RunFolder.create(tmp_path / "runs", "my model/v2", when=0)
    assert first.path.parent == tmp_path / "runs"
    assert first.path.name.endswith("-my-model-v2")
    assert second.path.name == first.path.name + "-2"
    assert first.path.is_dir() and second.path.is_dir()


def test_metrics_are_ordered_loss_first_then_validation():
    keys = ["val_accuracy", "accuracy", "val_loss", "loss", "mae", "val_mae"]
    assert order_metrics(keys) == ["loss", "accuracy", "mae", "val_loss", "val_accuracy", "val_mae"]


def test_history_csv_has_epoch_loss_metrics_val_and_lr_columns(tmp_path):
    run = RunFolder.create(tmp_path, "m")
    run.append_history(
        {"epoch": 1, "val_accuracy": 0.5, "accuracy": 0.4, "val_loss": 1.5, "loss": 2.0, "lr": 0.1}
    )
    run.append_history(
        {
            "epoch": 2,
            "loss": math.nan,
            "accuracy": 0.6,
            "val_loss": 1.0,
            "val_accuracy": 0.7,
            "lr": 0.05,
        }
    )
    lines = run.history_path.read_text().splitlines()
    assert lines[0] == "epoch,loss,accuracy,val_loss,val_accuracy,lr"
    assert lines[1].startswith("1,2.0,0.4,1.5,0.5,0.1")
    history = read_history(run.path)
    assert history["epoch"] == [1.0, 2.0]
    assert history["lr"] == [0.1, 0.05]
    assert math.isnan(history["loss"][1])


def test_config_json_is_standard_json_even_with_numpy_and_nan(tmp_path):
    import numpy as np

    run = RunFolder.create(tmp_path, "m")
    run.write_config({"shape": np.array([8, 8, 1]), "value": np.float32(0.5), "bad": math.inf})
    text = run.config_path.read_text()
    assert "Infinity" not in text and "NaN" not in text
    assert json.loads(text) == {"shape": [8, 8, 1], "value": 0.5, "bad": None}
    assert read_config(run.path)["shape"] == [8, 8, 1]


def test_log_lines_are_time_stamped(tmp_path):
    run = RunFolder.create(tmp_path, "m")
    run.log("hello")
    run.log("world\n")
    lines = run.log_path.read_text().splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == ["hello", "world"]


def test_list_runs_finds_folders_with_a_config(tmp_path):
    assert list_runs(tmp_path / "none") == []
    a = RunFolder.create(tmp_path, "a", when=0)
    a.write_config({})
    RunFolder.create(tmp_path, "b", when=0)
    assert list_runs(tmp_path) == [a.path]
    assert read_history(a.path) == {}


def test_bad_files_give_one_clear_error(tmp_path):
    run = RunFolder.create(tmp_path, "m")
    run.config_path.write_text("[1, 2]")
    with pytest.raises(FileFormatError, match="does not hold a JSON object"):
        read_config(run.path)
    run.config_path.write_text("{oops")
    with pytest.raises(FileFormatError, match="cannot be read"):
        read_config(run.path)
    run.history_path.write_text("epoch,loss\n1,abc\n")
    with pytest.raises(FileFormatError, match="line 2: loss is not a number"):
        read_history(run.path)
    run.history_path.write_text("epoch,loss\n1,2,3\n")
    with pytest.raises(FileFormatError, match="more cells than columns"):
        read_history(run.path)
