"""Classroom settings of a project: a teacher's locks and a challenge. No Qt, no Keras.

A teacher locks layers (a locked layer cannot be deleted, its parameters, name and
trainable flag cannot change, and nothing can be connected to or taken from its inputs;
new layers may still read its output) and groups of training settings (the dataset, the
optimizer, the number of epochs, ...). The window enforces the locks on its single editing
path and shows them; they are a classroom aid, not security: anyone can edit the file.

A challenge is a goal the app checks after each training run, from the run's history and
the model's parameter count: ``{"metric": "val_accuracy", "at_least": 0.95,
"max_params": 5000, "dataset": "digits", "text": "..."}`` (``at_most`` for a loss).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from guibuilder.errors import GuibuilderError, shown
from guibuilder.graph import Edge, Graph

#: Named groups of training settings a teacher can lock; ``dataset`` is the project's
#: dataset choice, the other names are :class:`~guibuilder.training.TrainConfig` fields.
SETTING_GROUPS: dict[str, tuple[str, ...]] = {
    "dataset": ("dataset", "validation_split", "shuffle"),
    "epochs": ("epochs", "batch_size"),
    "loss": ("loss", "from_logits", "metrics"),
    "optimizer": (
        "optimizer",
        "learning_rate",
        "momentum",
        "nesterov",
        "weight_decay",
        "clipnorm",
        "clipvalue",
        "schedule",
        "warmup_epochs",
        "decay_every",
        "decay_factor",
        "plateau_patience",
        "min_learning_rate",
    ),
    "stopping": ("early_stopping", "patience", "monitor", "keep_best"),
    "hardware": ("device", "mixed_precision", "strategy", "seed"),
}
#: What each group is called in menus and messages.
GROUP_LABELS: dict[str, str] = {
    "dataset": "dataset",
    "epochs": "epochs and batch size",
    "loss": "loss and metrics",
    "optimizer": "optimizer and learning rate",
    "stopping": "early stopping and checkpoints",
    "hardware": "hardware and seed",
}
#: Metrics where smaller is better: a challenge on one of these takes ``at_most``.
LOWER_IS_BETTER = ("loss", "mae", "mse", "rmse")

_CLASSROOM_KEYS = ("locked_nodes", "locked_settings", "student_view", "challenge")
_CHALLENGE_KEYS = ("metric", "at_least", "at_most", "max_params", "dataset", "text")


class LockedError(GuibuilderError):
    """An edit that a teacher's lock forbids; ``node_ids`` names the locked layers."""

    def __init__(self, message: str, node_ids: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.node_ids: tuple[str, ...] = tuple(node_ids)


class ClassroomError(GuibuilderError):
    """Classroom settings (in a file or a dialog) that cannot be used; the message says why."""


def setting_group(name: str) -> str:
    """The group a training setting (or ``"dataset"``) belongs to."""
    for group, names in SETTING_GROUPS.items():
        if name in names:
            return group
    raise KeyError(name)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# ---------------------------------------------------------------- challenge
@dataclass(frozen=True)
class Target:
    """A metric the trained template reaches: ``metric`` (a history key) vs ``value``."""

    metric: str
    value: float
    higher_is_better: bool = True

    def met(self, achieved: float) -> bool:
        """Whether ``achieved`` reaches the target (NaN never does)."""
        if math.isnan(achieved):
            return False
        return achieved >= self.value if self.higher_is_better else achieved <= self.value

    def text(self) -> str:
        """``val_accuracy >= 0.95``."""
        return f"{self.metric} {'>=' if self.higher_is_better else '<='} {self.value:g}"


@dataclass(frozen=True)
class Challenge:
    """A goal: ``metric`` at least ``at_least`` (or at most ``at_most``), optionally with
    at most ``max_params`` parameters and on one ``dataset``; ``text`` says it in words."""

    metric: str
    at_least: float | None = None
    at_most: float | None = None
    max_params: int | None = None
    dataset: str | None = None
    text: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.metric, str) or not self.metric.strip():
            raise ClassroomError("a challenge needs the name of a metric, e.g. val_accuracy")
        if (self.at_least is None) == (self.at_most is None):
            raise ClassroomError(
                f"the challenge on {shown(self.metric)} needs exactly one of at_least and at_most"
            )
        for name in ("at_least", "at_most"):
            value = getattr(self, name)
            if value is not None and not _number(value):
                raise ClassroomError(f"the challenge's {name} must be a number, not {shown(value)}")
        limit = self.max_params
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)):
            raise ClassroomError(
                f"the challenge's max_params must be a whole number, not {shown(limit)}"
            )
        if limit is not None and limit < 1:
            raise ClassroomError(f"the challenge's max_params must be at least 1, not {limit}")
        if self.dataset is not None and not isinstance(self.dataset, str):
            raise ClassroomError(
                f"the challenge's dataset must be a name, not {shown(self.dataset)}"
            )
        if not isinstance(self.text, str):
            raise ClassroomError("the challenge's text must be text")

    @property
    def target(self) -> Target:
        """The metric part of the goal as a template :class:`Target`."""
        if self.at_least is not None:
            return Target(self.metric, float(self.at_least))
        return Target(self.metric, float(self.at_most), higher_is_better=False)

    def goal(self) -> str:
        """The goal in one line: ``val_accuracy >= 0.95 on digits, at most 5,000 parameters``."""
        parts = [self.target.text()]
        if self.dataset:
            parts[0] += f" on {self.dataset}"
        if self.max_params is not None:
            parts.append(f"at most {self.max_params:,} parameters")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the challenge (only the keys that are set)."""
        data: dict[str, Any] = {"metric": self.metric}
        for key in ("at_least", "at_most", "max_params", "dataset"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.text:
            data["text"] = self.text
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Challenge:
        """A challenge from its JSON object; :class:`ClassroomError` says what is wrong."""
        if not isinstance(data, Mapping):
            raise ClassroomError("the challenge must be an object")
        unknown = [k for k in data if k not in _CHALLENGE_KEYS]
        if unknown:
            raise ClassroomError(f"the challenge has an unknown field {shown(unknown[0])}")
        if "metric" not in data:
            raise ClassroomError("the challenge needs a metric, e.g. val_accuracy")
        return cls(
            metric=data["metric"],
            at_least=data.get("at_least"),
            at_most=data.get("at_most"),
            max_params=data.get("max_params"),
            dataset=data.get("dataset"),
            text=data.get("text", ""),
        )


# ---------------------------------------------------------------- classroom
@dataclass(frozen=True)
class Classroom:
    """A teacher's settings for a project: locked layers and settings, the student view
    flag and a challenge."""

    locked_nodes: frozenset[str] = field(default_factory=frozenset)
    locked_settings: frozenset[str] = field(default_factory=frozenset)
    student_view: bool = False
    challenge: Challenge | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.locked_settings) - set(SETTING_GROUPS))
        if unknown:
            raise ClassroomError(
                f"there is no group of training settings called {shown(unknown[0])}: "
                f"pick from {', '.join(SETTING_GROUPS)}"
            )

    @property
    def empty(self) -> bool:
        """True when nothing is locked, the view is the teacher's and there is no challenge."""
        return self == Classroom()

    def with_locked(self, node_ids: Iterable[str], locked: bool = True) -> Classroom:
        """A copy with ``node_ids`` locked (or unlocked)."""
        ids = set(node_ids)
        nodes = self.locked_nodes | ids if locked else self.locked_nodes - ids
        return replace(self, locked_nodes=frozenset(nodes))

    def locked_setting_names(self) -> set[str]:
        """Every training setting name (and ``dataset``) that is locked."""
        return {name for group in self.locked_settings for name in SETTING_GROUPS[group]}

    # ------------------------------------------------------------ lock rules
    def check_node(self, node_id: str, what: str) -> None:
        """Refuse changing ``what`` of ``node_id`` (``"parameters"``, ``"name"``, ...)."""
        if node_id in self.locked_nodes:
            raise LockedError(
                f"layer {shown(node_id)} is locked by the teacher, so its {what} cannot change",
                [node_id],
            )

    def check_edge(self, edge: Edge) -> None:
        """Refuse adding or removing ``edge`` when it feeds a locked layer."""
        if edge.target in self.locked_nodes:
            raise LockedError(
                f"layer {shown(edge.target)} is locked by the teacher, "
                "so its input connections cannot change",
                [edge.target],
            )

    def check_remove(self, graph: Graph, node_ids: Iterable[str], edges: Iterable[Edge]) -> None:
        """Refuse deleting a locked layer, or an edge (own or of a deleted node) into one."""
        node_ids = list(node_ids)
        for node_id in node_ids:
            if node_id in self.locked_nodes:
                raise LockedError(
                    f"layer {shown(node_id)} is locked by the teacher, so it cannot be deleted",
                    [node_id],
                )
        touched = [e for n in node_ids if n in graph for e in graph.out_edges(n)]
        for edge in [*edges, *touched]:
            self.check_edge(edge)

    def check_settings(
        self, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, defaults: Mapping
    ) -> None:
        """Refuse a change of the training settings that touches a locked group.

        ``defaults`` holds every setting's default, for a missing key.
        """
        before = {**defaults, **(old or {})}
        after = {**defaults, **(new or {})}
        for group in SETTING_GROUPS:
            if group not in self.locked_settings:
                continue
            for name in SETTING_GROUPS[group]:
                if before.get(name) != after.get(name):
                    raise self._setting_error(name)

    def check_dataset(self, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> None:
        """Refuse choosing another dataset when the dataset is locked."""
        if "dataset" in self.locked_settings and (old or None) != (new or None):
            raise self._setting_error("dataset")

    def _setting_error(self, name: str) -> LockedError:
        what = "the dataset" if name == "dataset" else name
        return LockedError(
            f"the teacher locked the {GROUP_LABELS[setting_group(name)]} settings, "
            f"so {what} cannot change"
        )

    # ------------------------------------------------------------ file
    def to_dict(self, graph: Graph | None = None) -> dict[str, Any]:
        """The JSON object stored under ``"classroom"`` in the project file.

        With ``graph``, locks of nodes it does not have are left out, so the saved file
        always loads again (reading refuses a lock of a missing node).
        """
        nodes = [n for n in self.locked_nodes if graph is None or n in graph]
        return {
            "locked_nodes": sorted(nodes),
            "locked_settings": [g for g in SETTING_GROUPS if g in self.locked_settings],
            "student_view": self.student_view,
            "challenge": None if self.challenge is None else self.challenge.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Any, graph: Graph | None = None) -> Classroom:
        """Classroom settings from the file; ``graph`` checks that locked nodes exist."""
        if not isinstance(data, Mapping):
            raise ClassroomError('"classroom" must be an object')
        unknown = [k for k in data if k not in _CLASSROOM_KEYS]
        if unknown:
            raise ClassroomError(f'"classroom" has an unknown field {shown(unknown[0])}')
        nodes = _names(data.get("locked_nodes", []), "locked_nodes")
        groups = _names(data.get("locked_settings", []), "locked_settings")
        missing = [n for n in nodes if graph is not None and n not in graph]
        if missing:
            raise ClassroomError(
                f"the classroom locks node {shown(missing[0])}, which does not exist"
            )
        student_view = data.get("student_view", False)
        if not isinstance(student_view, bool):
            raise ClassroomError('"student_view" of "classroom" must be true or false')
        challenge = data.get("challenge")
        return cls(
            frozenset(nodes),
            frozenset(groups),
            student_view,
            None if challenge is None else Challenge.from_dict(challenge),
        )

    def describe(self) -> list[str]:
        """Lines for a terminal: what is locked and the challenge."""
        lines = []
        if self.locked_nodes:
            lines.append(f"Locked layers: {', '.join(sorted(self.locked_nodes))}")
        if self.locked_settings:
            groups = [GROUP_LABELS[g] for g in SETTING_GROUPS if g in self.locked_settings]
            lines.append(f"Locked settings: {', '.join(groups)}")
        if self.student_view:
            lines.append("Opens in student view (the Teacher menu's lock actions are hidden)")
        if self.challenge is not None:
            text = f" ({self.challenge.text})" if self.challenge.text else ""
            lines.append(f"Challenge: {self.challenge.goal()}{text}")
        return lines


def _names(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ClassroomError(f'"{key}" of "classroom" must be a list of names')
    return value
