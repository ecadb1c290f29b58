"""The command-line training path under another Keras backend (JAX), when it is installed."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from guibuilder.document import Project, save_project
from tests.training.helpers import mlp_graph

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import argparse, sys
    from guibuilder.training.cli import add_train_parser
    parser = argparse.ArgumentParser()
    add_train_parser(parser.add_subparsers())
    args = parser.parse_args(sys.argv[1:])
    import keras
    print("backend", keras.backend.backend())
    sys.exit(args.handler(args))
    """
)


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed")
def test_train_runs_under_the_jax_backend(tmp_path):
    path = tmp_path / "iris.gbproj"
    training = {"epochs": 2, "batch_size": 16, "seed": 0, "schedule": "cosine"}
    save_project(Project(mlp_graph(), dataset={"name": "iris"}, training=training), path)
    paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": os.pathsep.join(filter(None, paths))}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, "train", str(path), "--save"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "backend jax" in done.stdout
    assert "Trained 2 epochs" in done.stdout
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1
    assert {"config.json", "history.csv", "best.keras", "last.keras", "train.log"} <= {
        p.name for p in runs[0].iterdir()
    }
    assert (tmp_path / "iris.weights.h5").exists()
