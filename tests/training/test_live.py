"""What the window keeps of a run as it goes (no Qt): smoothed batch losses, the history."""

from __future__ import annotations

import math
from pathlib import Path

from guibuilder.training.events import BatchEvent, EpochEvent
from guibuilder.training.live import LiveRun, RunHistories, duration_text, run_label


def batch(step: int, loss: float) -> BatchEvent:
    return BatchEvent(
        epoch=1, step=step, steps=4, global_step=step, loss=loss, logs={}, samples_per_s=1.0,
        eta_s=1.0,
    )  # fmt: skip


def epoch(n: int, loss: float, partial: bool = False) -> EpochEvent:
    return EpochEvent(
        epoch=n, epochs=3, logs={"loss": loss}, lr=0.1, elapsed_s=1.0, eta_s=1.0,
        samples_per_s=1.0, partial=partial,
    )  # fmt: skip


def test_the_smoothed_line_starts_at_the_first_loss_and_skips_what_is_not_finite():
    live = LiveRun()
    live.steps = 4
    live.add_batch(batch(1, 2.0))
    live.add_batch(batch(2, math.nan))
    live.add_batch(batch(3, 1.0))
    assert live.batch_x == [0.25, 0.5, 0.75]
    assert math.isclose(live.batch_smooth[0], 2.0) and math.isnan(live.batch_smooth[1])
    assert 1.0 < live.batch_smooth[2] < 1.6  # the newer loss counts a little more
    assert live.dirty_batches and live.position(2, 1) == 5


def test_a_partial_epoch_is_not_kept():
    live = LiveRun()
    assert live.add_epoch(epoch(1, 0.5))
    assert not live.add_epoch(epoch(2, 0.4, partial=True))
    assert live.history == {"epoch": [1.0], "loss": [0.5]}


def test_durations_and_run_labels_read_as_words():
    assert duration_text(65) == "1:05" and duration_text(3725) == "1:02:05"
    assert duration_text(math.inf) == "unknown"
    path = Path("20261122-101502-demo")
    assert run_label(path, {"epoch": [1.0, 2.0], "loss": [0.5, 0.25]}) == (
        "demo  10:15:02\n2 epochs · loss 0.25"
    )
    assert run_label(path, {}).endswith("0 epochs · no epoch")


def test_past_histories_are_read_again_only_when_their_file_changed(tmp_path):
    run = tmp_path / "20261122-100000-demo"
    run.mkdir()
    (run / "config.json").write_text("{}")
    (run / "history.csv").write_text("epoch,loss\n1,0.5\n")
    histories = RunHistories()
    [first] = histories.read([run])
    [again] = histories.read([run])
    assert again is first and first["loss"] == [0.5]
    (run / "history.csv").write_text("epoch,loss\n1,0.5\n2,0.25\n")
    [changed] = histories.read([run])
    assert changed["loss"] == [0.5, 0.25]
    assert histories.read([tmp_path / "gone"]) == [{}]
