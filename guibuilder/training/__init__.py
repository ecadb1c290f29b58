"""Training: a run in a worker thread with events, run folders. No Qt.

Importing this package does not import Keras; the worker thread does, when a run starts.
"""

from guibuilder.training.events import (
    BatchEvent,
    EpochEvent,
    ErrorEvent,
    FinishedEvent,
    NanEvent,
    PausedEvent,
    ResumedEvent,
    StartedEvent,
    StoppedEvent,
    TrainingEvent,
    WarningEvent,
)
from guibuilder.training.runs import RunFolder, list_runs, read_config, read_history
from guibuilder.training.session import TrainingResult, TrainingSession, run_to_end

__all__ = [
    "BatchEvent",
    "EpochEvent",
    "ErrorEvent",
    "FinishedEvent",
    "NanEvent",
    "PausedEvent",
    "ResumedEvent",
    "RunFolder",
    "StartedEvent",
    "StoppedEvent",
    "TrainingEvent",
    "TrainingResult",
    "TrainingSession",
    "WarningEvent",
    "list_runs",
    "read_config",
    "read_history",
    "run_to_end",
]
