"""Upgrading project files written by older versions of the format.

``MIGRATIONS`` maps a format version to the function that turns a file of that version
into the next one. :func:`migrate` applies them in order until the file is current, so a
future change to the format adds one function here and nothing else.

Version 0 is the draft layout of the format used while the project was being designed
(layers under ``"layers"`` with ``"x"``/``"y"`` coordinates, connections under ``"links"``
as ``{"from", "to", "port", "index"}``). No released guibuilder wrote it; it is kept as
the first, real step of the chain, and to show how the next step is written.

Version 2 adds ``"classroom"``: a teacher's locks, the student view and a challenge
(:mod:`guibuilder.document.classroom`); a version 1 file has none.

Version 3 adds ``"weights_sha256"``: the SHA-256 of the weights file saved with the
project, so that a load notices weights that do not belong to the file (a save cut off
between writing the two); a version 2 file records none, and its weights load unchecked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: The current format version: what :func:`migrate` produces and what saving writes.
FORMAT_VERSION = 3


class MigrationError(ValueError):
    """A file whose old layout is damaged; the message says which part."""


def _list_of_dicts(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise MigrationError(f'"{key}" must be a list of objects')
    return items


def _v0_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Rename ``layers``/``links`` to ``nodes``/``edges`` and gather positions."""
    nodes = []
    for layer in _list_of_dicts(data, "layers"):
        node = {k: v for k, v in layer.items() if k not in ("x", "y")}
        node["position"] = [layer.get("x", 0.0), layer.get("y", 0.0)]
        nodes.append(node)
    edges = [
        {
            "source": link.get("from"),
            "output": link.get("index", 0),
            "target": link.get("to"),
            "port": link.get("port", "input"),
            "slot": link.get("slot", 0),
        }
        for link in _list_of_dicts(data, "links")
    ]
    upgraded = {k: v for k, v in data.items() if k not in ("layers", "links")}
    upgraded.update(
        version=1,
        nodes=nodes,
        edges=edges,
        outputs=[],
        weights=None,
        meta=data.get("meta", {}),
    )
    return upgraded


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Add the ``classroom`` field: no locks, no challenge."""
    if "classroom" in data:
        raise MigrationError('a version 1 file cannot have a "classroom" field')
    return {**data, "version": 2, "classroom": None}


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """Add the ``weights_sha256`` field: no hash, so the weights are not checked."""
    return {**data, "version": 3, "weights_sha256": data.get("weights_sha256")}


#: version -> function that upgrades a file of that version to the next version.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    0: _v0_to_v1,
    1: _v1_to_v2,
    2: _v2_to_v3,
}


def migrate(data: dict[str, Any], version: int) -> dict[str, Any]:
    """Upgrade ``data`` (a file of format ``version``) to :data:`FORMAT_VERSION`.

    Raises :class:`MigrationError` for a version the chain does not start from, or an
    old file whose layout is damaged.
    """
    if version not in MIGRATIONS and version != FORMAT_VERSION:
        raise MigrationError(f"format version {version} is unknown")
    while version < FORMAT_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
    return data
