"""The structure of the package: the import-linter contracts in pyproject.toml hold, and
they break on a wrong import; importing the core loads neither Qt nor Keras."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
QT = ("PySide6", "PyQt5", "PyQt6", "qtpy", "pyqtgraph", "superqt", "shiboken6")
KERAS = ("keras", "tensorflow", "jax", "torch")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the checkout at ``root`` (its pyproject.toml and its guibuilder)."""
    assert LINT_IMPORTS.exists(), "lint-imports is missing: pip install -e '.[test]'"
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_layer_contracts_hold():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("graph/graph.py", "import guibuilder.ui.theme", "Each layer imports only the layers"),
        ("document/project.py", "from guibuilder import training", "Each layer imports only"),
        ("training/config.py", "import PySide6", "No Qt outside the window"),
        ("catalog/registry.py", "import keras", "No Keras or TensorFlow in the graph"),
        ("editing/edits.py", "import keras", "Editing never imports Keras"),
        ("editing/editor.py", "from guibuilder.ui import theme", "Each layer imports only"),
        ("ui/canvas/scene.py", "from guibuilder.ui.training import panel", "The window's wings"),
        ("ui/training/run.py", "from guibuilder.ui.inspect import panel", "The window's wings"),
        ("ui/jobs.py", "from guibuilder.ui import mainwindow", "The window's wings"),
    ],
)
def test_a_wrong_import_breaks_a_contract(tmp_path, module, line, contract):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "guibuilder", tmp_path / "guibuilder", ignore=ignore)
    path = tmp_path / "guibuilder" / module
    path.write_text(f"{path.read_text()}\n\ndef _wrong() -> None:\n    {line}  # noqa\n")
    done = lint_imports(tmp_path)
    assert done.returncode != 0, done.stdout
    broken = done.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, done.stdout


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return set(out.split())


def test_importing_the_core_loads_neither_qt_nor_keras():
    loaded = loaded_after(
        "import guibuilder.graph, guibuilder.catalog\n"
        "from guibuilder import catalog\n"
        "catalog.all_specs()\n"
        "import guibuilder.compiler.shapes"
    )
    assert not loaded & set(QT + KERAS), sorted(loaded & set(QT + KERAS))


def test_cli_and_document_load_no_qt():
    loaded = loaded_after("import guibuilder.cli, guibuilder.document")
    assert not loaded & set(QT), sorted(loaded & set(QT))
