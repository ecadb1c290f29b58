"""``guibuilder inspect`` on a small CNN trained for two epochs on digits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from guibuilder.cli import main
from guibuilder.data import load_dataset
from guibuilder.document import Project, project_from_dict, save_project
from guibuilder.document.settings import TrainConfig
from guibuilder.training import TrainingSession
from tests.training.helpers import collect

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "resources" / "demo" / "digits_cnn.gbproj"

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> dict[str, Path]:
    """The demo CNN trained 2 epochs on digits: its run folder and a project with weights."""
    root = tmp_path_factory.mktemp("inspect")
    project = project_from_dict(json.loads(DEMO.read_text()))
    config = TrainConfig(epochs=2, batch_size=32, learning_rate=0.01, seed=0)
    session = TrainingSession(
        project.graph, load_dataset("digits"), config, run_root=root / "runs", name="cnn"
    )
    events = collect(session)
    assert events[-1].kind == "finished", events[-1]
    path = root / "cnn.gbproj"
    save_project(Project(project.graph, dataset={"name": "digits"}), path)
    return {
        "run": session.result.run_dir,
        "project": path,
        "root": root,
        "weights": session.result.weights,
    }


def non_blank(path: Path) -> bool:
    """Whether a PNG shows something: enough pixels that are not the white background."""
    from matplotlib.image import imread

    pixels = imread(path)[..., :3]
    drawn = (pixels < 0.9).any(axis=-1).mean()
    return drawn > 0.02 and float(pixels.std()) > 0.05


def test_the_command_writes_labelled_non_blank_figures(trained):
    out = trained["root"] / "figures"
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "guibuilder",
            "inspect",
            str(trained["run"]),
            "--sample",
            "5",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    pngs = sorted(out.glob("*.png"))
    names = {p.name for p in pngs}
    for expected in (
        "activations_01_conv_1.png",
        "filters_conv_1.png",
        "saliency.png",
        "confusion_matrix.png",
        "signal_health.png",
    ):
        assert expected in names, sorted(names)
    assert len(pngs) >= 5
    blank = [p.name for p in pngs if not non_blank(p)]
    assert not blank, blank
    assert f"Wrote {len(pngs)} figures to {out}." in result.stdout
    assert "validation sample 5" in result.stdout


def test_user_errors_are_one_line(trained, capsys):
    assert main(["inspect", str(trained["run"]), "--sample", "5000", "--out", "x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--sample 5000 is out of range: the validation set of 'digits' has 359 samples" in err[0]
    assert main(["inspect", str(trained["root"] / "missing"), "--out", "x"]) == 2
    assert "does not exist" in capsys.readouterr().err
    empty = trained["root"] / "empty_run"
    empty.mkdir()
    assert main(["inspect", str(empty), "--out", "x"]) == 2
    assert "empty_run is not a run folder: it has no config.json" in capsys.readouterr().err


def test_a_project_is_built_with_its_weights_or_a_warning(trained, tmp_path):
    from guibuilder.inspect.cli import _from_project

    bare = _from_project(trained["project"], None)
    bare.model()
    assert bare.notes == ["cnn.gbproj has no trained weights: the figures show an untrained model"]
    path = tmp_path / "trained.gbproj"
    project = project_from_dict(json.loads(DEMO.read_text()))
    project.weights = trained["weights"]
    save_project(project, path)
    subject = _from_project(path, "digits")
    model = subject.model()
    assert subject.notes == []
    assert subject.data.name == "digits"
    kernel = trained["weights"].get("conv_1")[0]
    np.testing.assert_array_equal(model.get_layer("conv_1").get_weights()[0], kernel)
