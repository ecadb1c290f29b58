"""The bounded snapshot history behind the epoch slider (no Keras)."""

from __future__ import annotations

import numpy as np
import pytest

from guibuilder.inspect.snapshots import Snapshot, SnapshotHistory, compact


def snap(epoch: int, size: int = 10) -> Snapshot:
    return Snapshot.of(epoch, {"a": np.full((size,), float(epoch), "float32")})


def test_compact_keeps_float16_only_where_the_values_fit():
    small = compact(np.array([1.5, -3.25, np.nan], "float32"))
    assert small.dtype == np.float16 and small[0] == 1.5 and np.isnan(small[2])
    big = compact(np.array([1e6, 2.0], "float32"))
    assert big.dtype == np.float32 and big[0] == 1e6
    assert compact(np.array([1.0]), "float32").dtype == np.float32
    assert compact(np.array([3, 4], "int32")).dtype == np.float16


def test_statistics_come_from_the_values_before_compacting():
    values = np.array([1.0001, 1.0002, 1.0003, 70000.0], "float32")
    s = Snapshot.of(4, {"x": values})
    assert s.mean["x"] == pytest.approx(float(values.astype("float64").mean()))
    assert s.std["x"] == pytest.approx(float(values.astype("float64").std()))
    assert s.activations["x"].dtype == np.float32
    assert s.nbytes == values.nbytes


def test_past_the_count_cap_older_snapshots_are_thinned_first_and_last_kept():
    history = SnapshotHistory(max_snapshots=6)
    for epoch in range(31):
        history.add(snap(epoch))
        assert len(history) <= 6
    epochs = history.epochs()
    assert epochs[0] == 0 and epochs[-1] == 30 and epochs == sorted(set(epochs))
    # The latest epochs are all kept; gaps grow towards the start.
    gaps = np.diff(epochs)
    assert gaps[-1] == 1 and list(gaps) == sorted(gaps, reverse=True)


def test_the_byte_cap_bounds_memory():
    one = snap(0, size=1000).nbytes
    history = SnapshotHistory(max_snapshots=1000, max_bytes=5 * one)
    for epoch in range(100):
        history.add(snap(epoch, size=1000))
        assert history.nbytes <= 5 * one
    assert history.epochs()[0] == 0 and history.epochs()[-1] == 99
    assert history.nbytes == sum(s.nbytes for s in history.snapshots)


def test_at_gives_the_latest_snapshot_at_or_before_an_epoch_and_clear_empties():
    history = SnapshotHistory()
    for epoch in (0, 2, 5):
        history.add(snap(epoch))
    assert history.at(4).epoch == 2 and history.at(5).epoch == 5 and history.at(9).epoch == 5
    with pytest.raises(KeyError):
        history.at(-1)
    history.clear()
    assert len(history) == 0 and history.nbytes == 0
    with pytest.raises(ValueError):
        SnapshotHistory(max_snapshots=1)
