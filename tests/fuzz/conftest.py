"""Shared by the fuzz suite: a work folder, a tiny saved model, a marker nothing may create."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz import hostile_inputs


@pytest.fixture(scope="session", autouse=True)
def offline(tmp_path_factory):
    """No dataset download: a mutated project may name any of keras.datasets."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GUIBUILDER_OFFLINE", "1")
        patch.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras_home")))
        yield


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    """A folder the examples overwrite (function-scoped tmp_path does not fit @given)."""
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="session")
def marker(workdir) -> Path:
    """The file that code from an input would create: it must never exist."""
    return workdir / "MARKER"


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> tuple[Path, Path]:
    """``tiny.keras`` and ``tiny.h5``, saved once."""
    return hostile_inputs.save_tiny_models(tmp_path_factory.mktemp("models"))
