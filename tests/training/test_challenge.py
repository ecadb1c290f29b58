"""Grading a challenge: a run's history and parameter count against the goal."""

from __future__ import annotations

from guibuilder.document import Challenge
from guibuilder.training.challenge import grade

CHALLENGE = Challenge("val_accuracy", at_least=0.95, max_params=5000, dataset="digits", text="Go")


def test_challenge_passes_with_the_last_epoch_and_few_parameters():
    result = grade(CHALLENGE, {"val_accuracy": [0.5, 0.97]}, 4000, "digits")
    assert result.passed and result.status == "passed"
    assert result.text() == "passed: val_accuracy 0.97, 4,000 parameters"


def test_challenge_not_yet_says_what_is_missing():
    challenge = Challenge("val_accuracy", at_least=0.97, max_params=20000)
    result = grade(challenge, {"val_accuracy": [0.99, 0.95]}, 24310)
    assert not result.passed and result.status == "not yet"
    assert result.missing == ("val_accuracy 0.95 < 0.97", "24,310 parameters > 20,000")
    assert result.text() == "not yet: val_accuracy 0.95 < 0.97; 24,310 parameters > 20,000"


def test_challenge_on_a_loss_takes_at_most():
    challenge = Challenge("val_loss", at_most=0.1)
    assert grade(challenge, {"val_loss": [0.3, 0.08]}, None).passed
    assert grade(challenge, {"val_loss": [0.3]}, None).missing == ("val_loss 0.3 > 0.1",)


def test_challenge_without_a_run_or_metric_or_on_other_data():
    assert grade(CHALLENGE, None, 100).missing == ("no training run yet",)
    result = grade(CHALLENGE, {"epoch": [1], "loss": [0.2]}, 100, "digits")
    assert result.missing == ("the run did not report val_accuracy (it reported loss)",)
    result = grade(CHALLENGE, {"val_accuracy": [0.99]}, 100, "iris")
    assert result.missing == ("trained on iris, not digits",)


def test_a_parameter_budget_needs_a_known_parameter_count():
    result = grade(CHALLENGE, {"val_accuracy": [0.99]}, None, "digits")
    assert result.missing == ("the parameter count is unknown (the model does not build)",)
    assert grade(Challenge("loss", at_most=1.0), {"loss": [0.5]}, None).passed
