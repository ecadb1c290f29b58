"""Making a window action: its text, what it does, and the tip shown for it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction


def make_action(parent: QObject, text: str, slot: Callable[[], object], tip: str) -> QAction:
    """An action of ``parent`` that calls ``slot``, with ``tip`` as tooltip and status tip."""
    action = QAction(text, parent)
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(slot)
    return action
