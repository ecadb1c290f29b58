"""Data tests never touch the network: downloads are off, sockets refuse, the cache is empty."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """A private, empty Keras cache; downloads off; any connection attempt fails."""
    home = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.setenv("GUIBUILDER_OFFLINE", "1")

    def refuse(*_args, **_kwargs):
        raise OSError("network access is not allowed in tests")

    monkeypatch.setattr(socket, "create_connection", refuse)
    return home / "datasets"
