"""TrainConfig: defaults, JSON round trip, checking; the learning-rate schedule."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from guibuilder.errors import GuibuilderError
from guibuilder.training.config import ConfigError, TrainConfig
from guibuilder.training.schedule import learning_rate_at, varies_within


def test_defaults_round_trip_through_json():
    config = TrainConfig()
    data = json.loads(json.dumps(config.to_dict()))
    assert TrainConfig.from_dict(data) == config
    assert TrainConfig.from_dict(None) == config
    assert TrainConfig.from_dict({}) == config
    assert config.optimizer == "adam" and config.loss == "auto" and config.strategy == "default"


def test_every_setting_round_trips():
    config = TrainConfig(
        optimizer="sgd",
        learning_rate=0.1,
        momentum=0.8,
        nesterov=False,
        weight_decay=1e-4,
        clipnorm=1.0,
        schedule="cosine",
        warmup_epochs=2,
        min_learning_rate=1e-5,
        batch_size=64,
        epochs=20,
        loss="categorical_crossentropy",
        from_logits=True,
        metrics=("accuracy", "top5_accuracy", "accuracy"),
        early_stopping=True,
        patience=3,
        monitor="val_accuracy",
        keep_best=False,
        seed=7,
        mixed_precision=True,
        device="gpu:1",
        strategy="mirrored",
        validation_split=0.2,
    )
    assert config.metrics == ["accuracy", "top5_accuracy"]
    assert TrainConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_integers_given_for_floats_are_stored_as_floats():
    config = TrainConfig.from_dict({"learning_rate": 1, "clipvalue": 2})
    assert config.learning_rate == 1.0 and isinstance(config.learning_rate, float)
    assert isinstance(config.clipvalue, float)


@pytest.mark.parametrize(
    ("data", "setting", "words"),
    [
        ({"optimizer": "adamax"}, "optimizer", "one of sgd, adam"),
        ({"learning_rate": 0}, "learning_rate", "above 0"),
        ({"learning_rate": float("nan")}, "learning_rate", "a number"),
        ({"learning_rate": "fast"}, "learning_rate", "a number"),
        ({"momentum": 1.5}, "momentum", "at most 1"),
        ({"batch_size": 0}, "batch_size", "from 1 to 65,536"),
        ({"batch_size": 10**12}, "batch_size", "from 1 to 65,536"),
        ({"epochs": 10**400}, "epochs", "from 1 to 100,000"),
        ({"patience": 10**6}, "patience", "from 0 to 100,000"),
        ({"clipvalue": 1e300}, "clipvalue", "at most 1,000,000"),
        ({"weight_decay": 10**400}, "weight_decay", "empty or a number at least 0"),
        ({"batch_size": 8.5}, "batch_size", "whole number"),
        ({"epochs": True}, "epochs", "whole number"),
        ({"schedule": "linear"}, "schedule", "constant, step, cosine, plateau"),
        ({"loss": "hinge"}, "loss", "one of auto"),
        ({"metrics": ["f1"]}, "metrics", "a list of accuracy"),
        ({"metrics": "accuracy"}, "metrics", "list of metric names"),
        ({"clipnorm": -1}, "clipnorm", "above 0"),
        ({"clipnorm": 1, "clipvalue": 1}, "clipvalue", "cannot both be set"),
        ({"seed": -3}, "seed", "from 0 to"),
        ({"device": "tpu"}, "device", "auto, cpu, gpu or gpu:N"),
        ({"device": "gpu:x"}, "device", "auto, cpu, gpu or gpu:N"),
        ({"strategy": "tpu"}, "strategy", "default, mirrored"),
        ({"nesterov": "yes"}, "nesterov", "true or false"),
        ({"validation_split": 1.0}, "validation_split", "at most 0.9"),
        (
            {"schedule": "cosine", "min_learning_rate": 0.01, "learning_rate": 0.01},
            "min_learning_rate",
            "must be below the learning rate",
        ),
        ({"colour": "red"}, "colour", "unknown training setting 'colour'"),
    ],
)
def test_bad_settings_are_refused_with_one_sentence_naming_them(data, setting, words):
    with pytest.raises(ConfigError) as info:
        TrainConfig.from_dict(data)
    error = info.value
    assert isinstance(error, GuibuilderError)
    assert error.setting == setting
    assert setting in error.message and words in error.message
    assert "\n" not in error.message


def test_a_settings_object_that_is_not_a_dict_is_refused():
    with pytest.raises(ConfigError, match="must be an object"):
        TrainConfig.from_dict(["adam"])


def test_replace_checks_and_ignores_none():
    config = TrainConfig(epochs=5)
    assert config.replace(epochs=None, batch_size=8) == TrainConfig(epochs=5, batch_size=8)
    with pytest.raises(ConfigError, match="epochs"):
        config.replace(epochs=0)


def test_every_field_has_help_for_a_settings_form():
    from dataclasses import fields

    for f in fields(TrainConfig):
        assert f.metadata["help"].endswith("."), f.name


# ----------------------------------------------------------------- schedule
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
