"""The Qt binding itself: PySide6 6.12.0 loses a reference to None on every void call,
which aborts Python 3.11 after a few thousand canvas updates (none_dealloc)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene, QLabel


def test_void_calls_keep_none_alive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    scene = QGraphicsScene()
    item = QGraphicsRectItem(0, 0, 10, 10)
    scene.addItem(item)
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setText("x")
        item.setPos(1, 2)
        item.update()
    assert sys.getrefcount(None) >= before - 50
