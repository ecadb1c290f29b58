"""The weights a project holds, per node, apart from the graph.

A :class:`WeightStore` maps a node id to the arrays of its layer, in the order of Keras'
``layer.get_weights()``. A node that shares another node's layer has no entry: its weights
are the owner's. The store is saved as HDF5 (one group per node id, datasets ``"0"``,
``"1"``, ...) beside the project file.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from guibuilder.document.files import atomic_write
from guibuilder.errors import FileFormatError
from guibuilder.limits import available_memory, size_text

#: Written as attributes of the file so that a stray HDF5 file is recognised as foreign.
FORMAT_NAME = "guibuilder-weights"
FORMAT_VERSION = 1


class WeightStore:
    """Arrays per node id; the graph stays the only source of structure."""

    def __init__(self, weights: Mapping[str, Sequence[np.ndarray]] | None = None) -> None:
        self._weights: dict[str, list[np.ndarray]] = {}
        for node_id, arrays in (weights or {}).items():
            self.set(node_id, arrays)

    # ------------------------------------------------------------------ access
    def __len__(self) -> int:
        return len(self._weights)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._weights

    def __iter__(self) -> Iterator[str]:
        return iter(self._weights)

    def node_ids(self) -> list[str]:
        return list(self._weights)

    def get(self, node_id: str) -> list[np.ndarray] | None:
        """The arrays of ``node_id``, or None when the store has none."""
        return self._weights.get(node_id)

    def set(self, node_id: str, arrays: Sequence[Any]) -> None:
        self._weights[node_id] = [np.asarray(a) for a in arrays]

    def remove(self, node_id: str) -> list[np.ndarray] | None:
        """Forget ``node_id``'s arrays and return them (for an undo)."""
        return self._weights.pop(node_id, None)

    def rename(self, old: str, new: str) -> None:
        if old in self._weights:
            self._weights[new] = self._weights.pop(old)

    def num_values(self) -> int:
        """How many numbers the store holds."""
        return sum(int(a.size) for arrays in self._weights.values() for a in arrays)

    # -------------------------------------------------------------- Keras side
    @classmethod
    def from_model(cls, model: Any, graph: Any) -> WeightStore:
        """The weights of every layer of ``model`` named like a node of ``graph``."""
        layers = _layers_by_name(model)
        store = cls()
        for node in graph:
            if node.shares is None and node.id in layers:
                arrays = layers[node.id].get_weights()
                if arrays:
                    store.set(node.id, arrays)
        return store

    @classmethod
    def from_layers(cls, layers: Mapping[str, Any]) -> WeightStore:
        """The weights of ``{node id: Keras layer}``; layers without weights are left out."""
        store = cls()
        for node_id, layer in layers.items():
            arrays = layer.get_weights()
            if arrays:
                store.set(node_id, arrays)
        return store

    def apply(self, model: Any, graph: Any) -> list[str]:
        """Load the stored arrays into ``model``'s layers (named by node id).

        Returns the ids of nodes whose stored weights no longer fit their layer (a changed
        parameter, a different input size); those layers keep their fresh initial values.
        """
        layers = _layers_by_name(model)
        misfits: list[str] = []
        for node in graph:
            arrays = self._weights.get(node.id)
            layer = layers.get(node.id)
            if arrays is None or layer is None or node.shares is not None:
                continue
            variables = layer.weights
            if len(variables) != len(arrays) or any(
                tuple(v.shape) != a.shape for v, a in zip(variables, arrays, strict=True)
            ):
                misfits.append(node.id)
                continue
            layer.set_weights(arrays)
        return misfits

    # ------------------------------------------------------------------- files
    def to_bytes(self) -> bytes:
        """The HDF5 file of the store; the same weights always give the same bytes."""
        import h5py

        buffer = io.BytesIO()
        with h5py.File(buffer, "w") as f:
            f.attrs["format"] = FORMAT_NAME
            f.attrs["version"] = FORMAT_VERSION
            f.attrs["order"] = json.dumps(list(self._weights))
            for node_id, arrays in self._weights.items():
                group = f.create_group(node_id)
                for i, array in enumerate(arrays):
                    # No timestamps: the same weights always give the same bytes.
                    group.create_dataset(str(i), data=array, track_times=False)
        return buffer.getvalue()

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the store to ``path`` atomically: a crash leaves the old file intact."""
        atomic_write(path, self.to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "the weights file") -> WeightStore:
        """Read the bytes of a file written by :meth:`save`; bad ones raise FileFormatError.

        ``source`` names the file in the messages.
        """
        import h5py

        try:
            with h5py.File(io.BytesIO(data), "r") as f:
                if f.attrs.get("format") != FORMAT_NAME:
                    raise FileFormatError(f"{source} is not a guibuilder weights file")
                version = int(f.attrs.get("version", 0))
                if version > FORMAT_VERSION:
                    raise FileFormatError(
                        f"the weights file {source} is from a newer guibuilder "
                        f"(version {version}): update guibuilder to open it"
                    )
                check_declared_size(f, f"the weights file {Path(source).name}")
                return cls(_read_groups(f, source))
        except FileFormatError:
            raise
        except Exception as exc:
            raise FileFormatError(
                f"the weights file {source} is damaged and cannot be read ({_first_line(exc)})"
            ) from exc

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> WeightStore:
        """Read a store written by :meth:`save`; a bad file raises FileFormatError."""
        path = Path(path)
        if not path.is_file():
            raise FileFormatError(f"the weights file {path} does not exist")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FileFormatError(
                f"the weights file {path} cannot be read: {exc.strerror or exc}"
            ) from None
        return cls.from_bytes(data, str(path))


def check_declared_size(f: Any, where: str) -> None:
    """Refuse an open HDF5 file whose arrays need more memory than is free, before any
    is read: a dataset can declare terabytes in a few bytes of file."""
    import h5py

    memory = available_memory()
    if memory is None:
        return
    total = 0

    def add(_name: str, item: Any) -> None:
        nonlocal total
        if isinstance(item, h5py.Dataset):
            total += int(item.size or 0) * item.dtype.itemsize

    f.visititems(add)
    if total > memory:
        raise FileFormatError(
            f"{where} declares {size_text(total)} of weights, more than the "
            f"{size_text(memory)} of memory free"
        )


def _read_groups(f: Any, path: str) -> dict[str, list[np.ndarray]]:
    import h5py

    weights: dict[str, list[np.ndarray]] = {}
    try:
        order = [str(n) for n in json.loads(f.attrs.get("order", "[]"))]
    except (TypeError, ValueError):
        order = []
    names = [n for n in order if n in f] + sorted(set(f) - set(order))
    for node_id in names:
        group = f[node_id]
        if not isinstance(group, h5py.Group):
            raise FileFormatError(f"the weights file {path} has a stray entry {node_id!r}")
        names = sorted(group.keys(), key=lambda n: int(n) if n.isdigit() else -1)
        if names != [str(i) for i in range(len(names))]:
            raise FileFormatError(
                f"the weights of {node_id!r} in {path} are not numbered 0, 1, 2, ..."
            )
        weights[node_id] = [np.asarray(group[name][()]) for name in names]
    return weights


def _layers_by_name(model: Any) -> dict[str, Any]:
    return {layer.name: layer for layer in model.layers}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
