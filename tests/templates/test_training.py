"""The fast templates reach their targets with their own settings, trained as the app
trains them (a TrainingSession in its worker thread)."""

from __future__ import annotations

import dataclasses

import pytest

from guibuilder.templates import Target, get_template
from guibuilder.templates.base import train_template

FAST = ("mlp-spirals", "gru-forecast")


@pytest.mark.parametrize("name", FAST)
def test_fast_template_reaches_its_target(name: str) -> None:
    outcome = train_template(get_template(name))
    assert outcome.status == "finished"
    assert outcome.epochs == get_template(name).training["epochs"]
    assert outcome.met, f"{name}: {outcome.achieved:.4f}, target {outcome.target.text()}"


def test_an_unreachable_target_is_reported_as_missed() -> None:
    template = get_template("mlp-spirals")
    impossible = dataclasses.replace(template, target=Target("val_accuracy", 1.01))
    outcome = train_template(impossible, epochs=1)
    assert outcome.status == "finished" and outcome.epochs == 1
    assert 0.0 <= outcome.achieved <= 1.0
    assert not outcome.met
