"""Start the application: ``run(path, screenshot)``.

With ``screenshot`` the window is rendered offscreen at 1600x1200 once Keras has loaded
and every shape is known, saved as a PNG, and the function returns without an event loop.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from types import TracebackType

from PySide6.QtCore import (
    QEvent,
    QMessageLogContext,
    QObject,
    QSettings,
    QSize,
    QTimer,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox

from guibuilder.errors import GuibuilderError, explain

#: Tall enough that a model of about eight layers fits the canvas near 100 % zoom.
SCREENSHOT_SIZE = QSize(1600, 1200)
#: Set by ``benchmarks/startup.py``: print "first-paint" when the window first paints, quit.
PROBE_ENV = "GUIBUILDER_FIRST_PAINT_PROBE"


def application() -> QApplication:
    """The one QApplication, created with the project's names and theme."""
    from guibuilder.ui import theme

    app = QApplication.instance()
    if app is None:
        qInstallMessageHandler(_qt_message)
        app = QApplication(sys.argv[:1])
        app.setApplicationName("guibuilder")
        app.setOrganizationName("guibuilder")
        app.setApplicationDisplayName("guibuilder")
        name = QSettings().value("theme", "light")
        theme.apply_theme(app, theme.THEMES.get(str(name), theme.LIGHT))
    return app


def _qt_message(_mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's own warnings, minus the offscreen platform's note on every window."""
    if "propagateSizeHints" not in message:
        sys.stderr.write(f"{message}\n")


def run(path: str | None = None, screenshot: str | None = None) -> int:
    """Open the main window (on ``path`` if given) and run until it closes.

    Returns the exit status: 0, or 2 when ``path`` cannot be opened for a screenshot or
    the screenshot cannot be written.
    """
    if screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = application()
    from guibuilder.ui.mainwindow import MainWindow

    window = MainWindow()
    if screenshot:
        return _screenshot(app, window, path, screenshot)
    sys.excepthook = _ExceptionDialog(window)
    threading.excepthook = sys.excepthook.from_thread
    if os.environ.get(PROBE_ENV):
        window.installEventFilter(_FirstPaint(app))
    window.show()
    if path:  # once the window is up: a file that cannot open is explained over it
        QTimer.singleShot(0, window, lambda: window.open_path(path))
    if not os.environ.get(PROBE_ENV):
        QTimer.singleShot(0, window, window.offer_recovery)
    return app.exec()


def wait_until_idle(app: QApplication, window, timeout: float = 180.0) -> bool:
    """Process events until Keras has loaded and no shape is pending; False on timeout."""
    from guibuilder.ui.live import keras_loader

    loader = keras_loader()
    loader.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        session = window.session
        if not loader.busy and (session is None or not session.shapes.pending):
            app.processEvents()
            return True
        time.sleep(0.02)
    return False


def _screenshot(app: QApplication, window, path: str | None, out: str) -> int:
    window.resize(SCREENSHOT_SIZE)
    window.show()
    if path:
        try:
            window.load(path)
        except Exception as exc:
            print(f"guibuilder: error: {explain(exc, f'open {path}')}", file=sys.stderr)
            return 2
    wait_until_idle(app, window)
    window.show_example_selection()
    window.fit_view()
    app.processEvents()
    if not window.grab().save(out):
        print(f"guibuilder: could not write the screenshot to {out}", file=sys.stderr)
        return 2
    window.close()
    return 0


class _FirstPaint(QObject):
    """Prints when the window first paints, then quits (the startup benchmark)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            print("first-paint", flush=True)
            self.app.quit()
        return False


class _ExceptionDialog(QObject):
    """Shows an unexpected exception in a dialog with copyable details; the app stays up.

    Installed as ``sys.excepthook`` and, through :meth:`from_thread`, as
    ``threading.excepthook``: an exception in a worker thread reaches the window's thread
    as a queued signal, and the dialog opens there.
    """

    raised_in_thread = Signal(object, object, object)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.raised_in_thread.connect(self)

    def from_thread(self, args: threading.ExceptHookArgs) -> None:
        self.raised_in_thread.emit(args.exc_type, args.exc_value, args.exc_traceback)

    def __call__(
        self,
        kind: type[BaseException],
        value: BaseException,
        tb: TracebackType | None,
    ) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write(details)
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("Something went wrong")
        if isinstance(value, GuibuilderError):
            box.setText(f"{value.message}.")
        else:
            box.setText(
                f"An unexpected error happened: {value}.\n"
                "Your work is still open; save it, and report the details below."
            )
            box.setDetailedText(details)
        box.exec()
