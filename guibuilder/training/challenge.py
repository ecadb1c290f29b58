"""Grading a classroom challenge: a run's history and parameter count against its goal.

The challenge itself (its goal, the teacher's locks) is part of the project file
(:mod:`guibuilder.document.classroom`); here it meets training runs: the verdict on a
history (:func:`grade`), on a run folder (:func:`check_run`, which also refuses a run whose
settings differ from the locked ones) and the newest run of a saved project.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from guibuilder.compiler.shapes import infer_shapes
from guibuilder.document.classroom import (
    SETTING_GROUPS,
    Challenge,
    Classroom,
    ClassroomError,
)
from guibuilder.document.project import project_from_dict
from guibuilder.errors import GuibuilderError
from guibuilder.graph import Graph
from guibuilder.training.config import TrainConfig
from guibuilder.training.runs import list_runs, read_config, read_history


def _fmt(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else str(value)


@dataclass(frozen=True)
class ChallengeResult:
    """Whether a run passes its challenge, and what is missing if not."""

    challenge: Challenge
    passed: bool
    missing: tuple[str, ...]
    value: float | None
    params: int | None

    @property
    def status(self) -> str:
        """``passed`` or ``not yet``."""
        return "passed" if self.passed else "not yet"

    def text(self) -> str:
        """One line: ``passed: val_accuracy 0.97`` or ``not yet: val_accuracy 0.93 < 0.95``."""
        if not self.passed:
            return f"not yet: {'; '.join(self.missing)}"
        parts = [f"{self.challenge.metric} {_fmt(self.value)}"] if self.value is not None else []
        if self.params is not None:
            parts.append(f"{self.params:,} parameters")
        return "passed: " + ", ".join(parts)


def grade(
    challenge: Challenge,
    history: Mapping[str, Sequence[float]] | None,
    params: int | None,
    dataset: str | None = None,
) -> ChallengeResult:
    """Check a run against ``challenge``: ``history`` (per-epoch values; the last epoch
    counts), the model's parameter count and the dataset it trained on. ``None`` history
    means no run yet."""
    target = challenge.target
    missing: list[str] = []
    value: float | None = None
    if not history:
        missing.append("no training run yet")
    else:
        values = [v for v in history.get(challenge.metric, []) if v is not None]
        if not values:
            found = ", ".join(k for k in history if k != "epoch") or "nothing"
            missing.append(f"the run did not report {challenge.metric} (it reported {found})")
        else:
            value = float(values[-1])
            if not target.met(value):
                sign = "<" if target.higher_is_better else ">"
                missing.append(f"{challenge.metric} {_fmt(value)} {sign} {target.value:g}")
    if challenge.dataset and history and dataset != challenge.dataset:
        missing.append(f"trained on {dataset or 'unknown data'}, not {challenge.dataset}")
    if challenge.max_params is not None and params is None:
        missing.append("the parameter count is unknown (the model does not build)")
    elif challenge.max_params is not None and params > challenge.max_params:
        missing.append(f"{params:,} parameters > {challenge.max_params:,}")
    return ChallengeResult(challenge, not missing, tuple(missing), value, params)


def run_differences(
    classroom: Classroom,
    training: Mapping[str, Any] | None,
    dataset: Mapping[str, Any] | None,
    run_config: Mapping[str, Any],
) -> list[str]:
    """What a run changed of ``classroom``'s locked settings, one phrase each (empty: nothing).

    ``training`` and ``dataset`` are the project's slots, ``run_config`` the run's
    ``config.json``. A seed left empty in the project may be any seed in the run.
    """
    defaults = TrainConfig().to_dict()
    expected = _plain({**defaults, **(training or {})})
    ran = _plain({**defaults, **(run_config.get("config") or {})})
    found: list[str] = []
    for group in SETTING_GROUPS:
        if group not in classroom.locked_settings:
            continue
        for name in SETTING_GROUPS[group]:
            if name == "dataset":
                want = dataset_label(dataset)
                got = (run_config.get("dataset") or {}).get("name")
                if want is not None and got != want:
                    found.append(f"trained on {got or 'unknown data'}, not the locked {want}")
            elif name == "seed" and expected.get(name) is None:
                continue
            elif ran.get(name) != expected.get(name):
                found.append(
                    f"trained with {name} {ran.get(name)!r}, not the locked {expected.get(name)!r}"
                )
    return found


def newest_run(project_path: str | Path) -> Path | None:
    """The newest run folder of the project saved at ``project_path``, in ``runs`` beside it."""
    project_path = Path(project_path)
    for run in reversed(list_runs(project_path.parent / "runs")):
        try:
            name = read_config(run).get("name")
        except GuibuilderError:
            continue
        if name == project_path.stem:
            return run
    return None


def count_params(graph: Graph, use_keras: bool = True) -> int | None:
    """The parameter count of ``graph`` from shape inference; None if it is not known."""
    infos = infer_shapes(graph, use_keras=use_keras)
    if any(info.error or info.pending for info in infos.values()):
        return None
    return sum(info.params for info in infos.values())


def dataset_label(spec: Mapping[str, Any] | None) -> str | None:
    """The name a run records for the dataset ``spec``: its name, or its file's name."""
    if not spec:
        return None
    if spec.get("path"):
        return Path(str(spec["path"])).name
    return spec.get("name")


def _plain(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``settings`` as JSON would give them back (tuples as lists)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()}


def check_run(
    challenge: Challenge,
    graph: Graph,
    run: str | Path,
    use_keras: bool = True,
    *,
    classroom: Classroom | None = None,
    training: Mapping[str, Any] | None = None,
    dataset: Mapping[str, Any] | None = None,
) -> tuple[ChallengeResult, int]:
    """Check ``challenge`` against the run folder ``run``; also return its number of epochs.

    The parameters are counted on the graph the run trained (saved in its config), so a
    later edit of the project does not change the verdict; ``graph`` is the fallback.
    With the project's ``classroom``, ``training`` and ``dataset``, a run whose settings
    differ from the locked ones is "not yet", whatever its metric.
    """
    run = Path(run)
    if not run.is_dir():
        raise ClassroomError(f"the run folder {run} does not exist")
    config = read_config(run)
    history = read_history(run)
    if isinstance(config.get("project"), dict):
        graph = project_from_dict(config["project"], f"{run / 'config.json'}").graph
    ran_on = (config.get("dataset") or {}).get("name")
    result = grade(challenge, history, count_params(graph, use_keras), ran_on)
    if classroom is not None and history:
        changed = run_differences(classroom, training, dataset, config)
        if challenge.dataset and ran_on != challenge.dataset:  # said once is enough
            changed = [c for c in changed if not c.startswith("trained on ")]
        if changed:
            result = replace(result, passed=False, missing=(*result.missing, *changed))
    return result, len(history.get("epoch", []))
