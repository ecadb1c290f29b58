"""The dataset cache training and inspect share: one load per dataset, until its file changes."""

from __future__ import annotations

import dataclasses
import os
import threading

import numpy as np
import pytest

from guibuilder.data import registry
from guibuilder.data.cache import DatasetCache
from guibuilder.data.dataset import DataError

ROWS = "a,b,label\n" + "".join(f"{i},{i % 3},{'xy'[i % 2]}\n" for i in range(20))


@pytest.fixture
def loads(monkeypatch) -> list[str]:
    """The names of the datasets actually loaded (not found in a cache)."""
    names: list[str] = []
    for name in ("moons", "circles", "csv"):
        info = registry.dataset_info(name)

        def counted(options, info=info):
            names.append(info.name)
            return info.load(options)

        monkeypatch.setitem(registry._ENTRIES, name, dataclasses.replace(info, load=counted))
    return names


def test_the_same_data_is_loaded_once_however_it_is_named(loads, tmp_path):
    cache = DatasetCache()
    first = cache.load({"name": "moons"})
    assert cache.load("moons") is first
    assert cache.load({"name": "moons", "noise": first.spec["noise"]}) is first
    (tmp_path / "t.csv").write_text(ROWS)
    table = cache.load({"name": "csv", "path": "t.csv"}, base_dir=tmp_path)
    assert cache.load(str(tmp_path / "t.csv")) is table
    assert loads == ["moons", "csv"]


def test_other_options_are_other_data(loads):
    cache = DatasetCache()
    assert cache.load("moons") is not cache.load({"name": "moons", "samples": 100})
    assert loads == ["moons", "moons"]


def test_only_the_last_datasets_are_kept(loads):
    cache = DatasetCache(capacity=2)
    cache.load("moons")
    cache.load("circles")
    cache.load("moons")  # used again: now the newest
    cache.load({"name": "moons", "samples": 100})  # pushes out circles, the oldest
    cache.load("moons")
    cache.load("circles")
    assert loads == ["moons", "circles", "moons", "circles"]


def test_a_changed_file_is_loaded_again(loads, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(ROWS)
    cache = DatasetCache()
    before = cache.load(str(path))
    path.write_text(ROWS + "99,0,x\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    after = cache.load(str(path))
    assert len(after.x_train) + len(after.x_val) == len(before.x_train) + len(before.x_val) + 1
    assert loads == ["csv", "csv"]


def test_threads_asking_at_once_share_one_load(loads):
    cache = DatasetCache()
    got = []
    threads = [threading.Thread(target=lambda: got.append(cache.load("moons"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loads == ["moons"] and all(d is got[0] for d in got)
    assert np.array_equal(got[0].x_train, registry.load_dataset("moons").x_train)


def test_a_missing_file_is_the_loaders_error_and_is_not_kept(tmp_path):
    cache = DatasetCache()
    with pytest.raises(DataError, match="does not exist"):
        cache.load(str(tmp_path / "gone.csv"))
    with pytest.raises(DataError, match="does not exist"):
        cache.load(str(tmp_path / "gone.csv"))


def test_a_loaded_dataset_is_found_without_loading_and_an_unloaded_one_is_not(tmp_path):
    from guibuilder.data.cache import DatasetCache

    cache = DatasetCache()
    spec = {"name": "moons", "samples": 64}
    assert cache.loaded(spec) is None
    dataset = cache.load(spec)
    assert cache.loaded(spec) is dataset
    assert cache.loaded({"name": "moons", "samples": 65}) is None
    assert cache.loaded(str(tmp_path / "missing.csv")) is None
