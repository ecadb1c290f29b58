"""TrainConfig: defaults, JSON round trip, checking, what a file wrote."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, replace

import pytest

from guibuilder.document.settings import ConfigError, InvalidSettings, TrainConfig, read_settings
from guibuilder.errors import GuibuilderError


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


def test_replace_checks_and_the_config_is_frozen():
    config = TrainConfig(epochs=5)
    assert replace(config, batch_size=8) == TrainConfig(epochs=5, batch_size=8)
    with pytest.raises(ConfigError, match="epochs"):
        replace(config, epochs=0)
    with pytest.raises(FrozenInstanceError):
        config.epochs = 6


def test_read_settings_keep_what_the_file_wrote_until_changed():
    written = {"epochs": 3, "learning_rate": 1, "metrics": ["auc", "auc"]}
    config = read_settings(written)
    assert config == TrainConfig(epochs=3, learning_rate=1.0, metrics=["auc"])
    assert config.file_dict() == written
    changed = replace(config, epochs=4)
    assert changed.file_dict() == changed.to_dict() and changed.to_dict()["epochs"] == 4
    assert read_settings(None) is None


def test_unusable_settings_are_kept_with_the_reason():
    written = {"epochs": 0, "colour": "red"}
    settings = read_settings(written)
    assert isinstance(settings, InvalidSettings) and settings.file_dict() == written
    assert "unknown training setting 'colour'" in settings.message
    with pytest.raises(ConfigError, match="colour"):
        settings.check()


def test_every_field_has_help_for_a_settings_form():
    from dataclasses import fields

    for f in fields(TrainConfig):
        assert f.metadata["help"].endswith("."), f.name
