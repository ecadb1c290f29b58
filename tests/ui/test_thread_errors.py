"""An exception in a worker thread reaches the window's error dialog, in the window's thread."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QMessageBox

from guibuilder.ui.app import _ExceptionDialog


def test_a_worker_thread_exception_opens_the_dialog_in_the_main_thread(window, qtbot, monkeypatch):
    shown: list[tuple[str, str, threading.Thread]] = []

    def record(box):
        shown.append((box.text(), box.detailedText(), threading.current_thread()))

    monkeypatch.setattr(QMessageBox, "exec", record)
    hook = _ExceptionDialog(window)
    monkeypatch.setattr(threading, "excepthook", hook.from_thread)

    def fail():
        raise RuntimeError("the worker broke")

    worker = threading.Thread(target=fail)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    text, details, thread = shown[0]
    assert "the worker broke" in text
    assert "RuntimeError" in details
    assert thread is threading.main_thread()
