"""The datasets the window has loaded, kept for whoever asks for the same data again.

Training and the inspect dock of one project read the same dataset; :func:`cached_dataset`
loads it once for both. An entry is found by :func:`~guibuilder.data.registry.dataset_key`
(the resolved spec, absolute paths, and the size and time of the files it reads), so a
changed file is loaded again. The cache holds the last :data:`CAPACITY` datasets and is
safe to use from several threads: a second thread asking for data being loaded waits for
it instead of loading it again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from guibuilder.data import registry
from guibuilder.data.dataset import Dataset

#: How many datasets stay loaded: the project's, and the one before (a switch back is free).
CAPACITY = 2


class DatasetCache:
    """The last ``capacity`` datasets loaded through it, newest last."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._datasets: OrderedDict[tuple[Any, ...], Dataset] = OrderedDict()

    def load(
        self, source: str | Path | Mapping[str, Any], *, base_dir: str | Path | None = None
    ) -> Dataset:
        """The dataset :func:`~guibuilder.data.load_dataset` gives, loaded once."""
        key = registry.dataset_key(source, base_dir=base_dir)
        with self._lock:  # held while loading: the same data is never loaded twice at once
            dataset = self._datasets.get(key)
            if dataset is None:
                dataset = registry.load_dataset(source, base_dir=base_dir)
                self._datasets[key] = dataset
                while len(self._datasets) > self.capacity:
                    self._datasets.popitem(last=False)
            self._datasets.move_to_end(key)
            return dataset

    def loaded(
        self, source: str | Path | Mapping[str, Any], *, base_dir: str | Path | None = None
    ) -> Dataset | None:
        """The dataset if it is loaded already, else None; never loads, never waits."""
        try:
            key = registry.dataset_key(source, base_dir=base_dir)
        except Exception:  # a spec that cannot load: the loader says why
            return None
        if not self._lock.acquire(blocking=False):  # another thread is loading
            return None
        try:
            return self._datasets.get(key)
        finally:
            self._lock.release()

    def clear(self) -> None:
        """Forget every dataset."""
        with self._lock:
            self._datasets.clear()


_SHARED = DatasetCache()


def cached_dataset(
    source: str | Path | Mapping[str, Any], *, base_dir: str | Path | None = None
) -> Dataset:
    """``source`` loaded through the cache every part of the window shares."""
    return _SHARED.load(source, base_dir=base_dir)


def loaded_dataset(
    source: str | Path | Mapping[str, Any], *, base_dir: str | Path | None = None
) -> Dataset | None:
    """``source`` from the shared cache if it is there already, else None."""
    return _SHARED.loaded(source, base_dir=base_dir)


def clear_cache() -> None:
    """Forget every dataset of the shared cache (tests, or to free memory)."""
    _SHARED.clear()
