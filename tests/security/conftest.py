"""Fixtures of the hostile-input tests: the SavedModel trap and hostile project files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.hostile import MARKER, hostile_json, make_trap, write_user_module


@pytest.fixture(scope="session")
def trap(tmp_path_factory) -> tuple[Path, Path]:
    """A SavedModel that writes its marker when loaded, and that marker (checked to work)."""
    import tensorflow as tf

    folder = tmp_path_factory.mktemp("trap")
    marker = folder / "trap_ran"
    path = make_trap(folder, marker)
    tf.saved_model.load(str(path))
    assert marker.exists(), "the trap must be live, or the tests below prove nothing"
    marker.unlink()
    return path, marker


@pytest.fixture
def markers(tmp_path, trap) -> tuple[Path, Path]:
    """The payloads' marker in ``tmp_path`` and the trap's; both are absent at the end."""
    marker = tmp_path / MARKER
    yield marker, trap[1]
    assert not marker.exists(), "a payload ran"
    assert not trap[1].exists(), "the SavedModel trap was loaded"


@pytest.fixture
def write_hostile(tmp_path, trap, markers):
    """``write_hostile(name)``: the hostile project ``name`` saved in ``tmp_path``, beside a
    module that creates the marker when imported."""
    write_user_module(tmp_path, markers[0])

    def write(name: str) -> Path:
        path = tmp_path / f"{name}.gbproj"
        path.write_text(hostile_json(name, markers[0], trap[0]))
        return path

    return write
