"""The hard rules of the design: which packages may import Qt, Keras and TensorFlow."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "guibuilder"
QT = ("PySide6", "PyQt5", "PyQt6", "qtpy", "pyqtgraph", "superqt", "shiboken6")
KERAS = ("keras", "tensorflow", "jax", "torch")


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports, at any depth of the file."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def module_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(), str(path)).body:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_qt_outside_ui():
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "ui" not in p.relative_to(PACKAGE).parts and imported_modules(p) & set(QT)
    ]
    assert not offenders, f"Qt imported outside guibuilder/ui: {offenders}"


def test_graph_and_catalog_do_not_import_keras_at_module_level():
    offenders = [
        str(p.relative_to(PACKAGE))
        for sub in ("graph", "catalog")
        for p in (PACKAGE / sub).rglob("*.py")
        if module_level_imports(p) & set(KERAS)
    ]
    assert not offenders, f"Keras/TensorFlow imported at module level: {offenders}"


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
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
