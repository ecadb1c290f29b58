"""The learning-rate schedules: what rate each step of each epoch trains with."""

from __future__ import annotations

import itertools
import math

import pytest

from guibuilder.document.settings import TrainConfig
from guibuilder.training.schedule import learning_rate_at, varies_within


def rates(config: TrainConfig, steps: int) -> list[list[float]]:
    return [
        [learning_rate_at(config, e, s, steps) for s in range(steps)] for e in range(config.epochs)
    ]


def test_constant_rate_stays():
    config = TrainConfig(learning_rate=0.01, epochs=3)
    assert {r for epoch in rates(config, 4) for r in epoch} == {0.01}
    assert not varies_within(config, 0)


def test_warm_up_rises_linearly_then_holds():
    config = TrainConfig(learning_rate=0.1, epochs=3, warmup_epochs=1)
    got = rates(config, 4)
    assert got[0] == pytest.approx([0.025, 0.05, 0.075, 0.1])
    assert got[1] == got[2] == [0.1] * 4
    assert varies_within(config, 0) and not varies_within(config, 1)


def test_step_decay_multiplies_every_few_epochs():
    config = TrainConfig(learning_rate=0.1, epochs=5, schedule="step", decay_every=2)
    firsts = [epoch[0] for epoch in rates(config, 3)]
    assert firsts == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


def test_cosine_goes_from_the_rate_to_the_minimum_after_warm_up():
    config = TrainConfig(
        learning_rate=0.1, epochs=5, schedule="cosine", warmup_epochs=1, min_learning_rate=0.001
    )
    flat = [r for epoch in rates(config, 10) for r in epoch]
    assert flat[9] == pytest.approx(0.1)
    assert flat[10] == pytest.approx(0.1)
    after = flat[10:]
    assert all(a >= b for a, b in itertools.pairwise(after))
    assert 0.001 < after[-1] < 0.0015
    assert varies_within(config, 3)


def test_plateau_leaves_the_rate_to_keras_after_warm_up():
    config = TrainConfig(learning_rate=0.1, epochs=3, schedule="plateau")
    assert all(math.isclose(r, 0.1) for epoch in rates(config, 2) for r in epoch)
