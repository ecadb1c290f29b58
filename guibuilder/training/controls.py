"""The events a caller uses to steer a run from another thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Controls:
    """``stop`` asks the run to end; ``running`` is cleared while the run should pause."""

    stop: threading.Event = field(default_factory=threading.Event)
    running: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.running.set()
