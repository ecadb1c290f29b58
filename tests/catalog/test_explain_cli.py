"""``guibuilder explain TYPE`` prints a layer's explanation, as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from guibuilder import catalog
from guibuilder.catalog.explanations import explain, plain
from guibuilder.cli import main

ROOT = Path(__file__).parents[2]


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "guibuilder", "explain", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_explain_prints_text_formula_parameters_and_paper_without_keras():
    done = run("batchnormalization")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("BatchNormalization (Normalization): ")
    formula = plain(explain("BatchNormalization").formula).splitlines()
    assert "Formula\n  " + formula[0] in out and "_B^2" in formula[0]
    assert "  momentum " in out and "Ioffe & Szegedy (2015)" in out
    assert "https://arxiv.org/abs/1502.03167" in out
    assert catalog.get("BatchNormalization").url in out
    assert "Traceback" not in done.stderr


def test_an_unknown_type_is_one_line_with_a_suggestion_and_exit_2():
    done = run("Convv2D")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "no layer type 'Convv2D'" in lines[0] and "Conv2D" in lines[0]


@pytest.mark.parametrize("type_id", [spec.type_id for spec in catalog.all_specs()])
def test_every_layer_type_can_be_explained(type_id, capsys):
    assert main(["explain", type_id]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{type_id} (")
    assert explain(type_id).text.split()[0] in out
    assert "Keras documentation: " in out
