"""File > Export… and Edit > Copy as code: the window side of :mod:`guibuilder.export`.

An export that needs Keras (a model file, a SavedModel, ONNX, the Python script) runs in a
worker thread (:class:`~guibuilder.ui.jobs.Job`) on a snapshot of the project, so the
window keeps answering and later edits do not leak into a running export. The diagram
formats draw the canvas with Qt and run in the GUI thread.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from guibuilder.document import Project, project_from_dict, project_to_dict
from guibuilder.errors import GuibuilderError
from guibuilder.export import FORMATS, SUFFIXES, ExportResult, export_project
from guibuilder.ui.jobs import Job

#: What each format is, as the dialog lists it.
FORMAT_LABELS: dict[str, str] = {
    "keras": "Keras model (.keras)",
    "h5": "Keras HDF5 model (.h5)",
    "savedmodel": "TensorFlow SavedModel (folder)",
    "onnx": "ONNX model (.onnx)",
    "python": "Python script (.py)",
    "png": "Diagram picture (.png)",
    "svg": "Diagram drawing (.svg)",
}
#: Formats drawn by Qt, which must run in the GUI thread.
DIAGRAM_FORMATS = ("png", "svg")


def snapshot(project: Project) -> Project:
    """A copy of ``project`` that later edits in the window do not change."""
    copy = project_from_dict(project_to_dict(project))
    copy.weights = project.weights
    copy.path = project.path
    return copy


def default_path(project: Project, fmt: str, folder: Path) -> Path:
    """Where an export of ``project`` as ``fmt`` goes unless the user says otherwise."""
    stem = project.path.stem if project.path is not None else (project.title or "model")
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem) or "model"
    return folder / f"{stem}{SUFFIXES[fmt]}"


class ExportJob(QObject):
    """One export of a snapshot; emits ``finished`` or ``failed`` in the GUI thread."""

    #: The :class:`ExportResult`.
    finished = Signal(object)
    #: One sentence saying why the export failed.
    failed = Signal(str)

    def __init__(self, project: Project, fmt: str, out: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.project = snapshot(project)
        self.fmt = fmt
        self.out = Path(out)
        self._job = Job(self._work, name="export", parent=self)
        self._job.finished.connect(self.finished.emit)
        self._job.failed.connect(self._report)

    @property
    def running(self) -> bool:
        """Whether the export has started and not yet been reported."""
        return self._job.pending

    def start(self) -> None:
        """Run the export: in a worker thread, or at once for a diagram."""
        if self.fmt in DIAGRAM_FORMATS:
            try:
                result = self._work()
            except Exception as exc:
                self._report(exc)
                return
            self.finished.emit(result)
            return
        self._job.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker thread ends (tests, shutdown); False on timeout."""
        return self._job.wait(timeout)

    def _work(self) -> ExportResult:
        draw = None
        if self.fmt in DIAGRAM_FORMATS:  # in the GUI thread (see start); QtSvg loads now
            from guibuilder.ui.canvas.diagram import draw_diagram as draw
        return export_project(self.project, self.fmt, self.out, draw_diagram=draw)

    def _report(self, error: BaseException) -> None:
        if isinstance(error, GuibuilderError):
            self.failed.emit(f"{error.message}.")
        elif isinstance(error, OSError):
            self.failed.emit(f"cannot write {self.out}: {error.strerror or error}.")
        else:
            self.failed.emit(f"the export to {self.out.name} failed: {error}.")
            sys.excepthook(type(error), error, error.__traceback__)


class ExportDialog(QDialog):
    """Choose a format and a path, export, and say how it went.

    The dialog stays open while the export runs (its buttons disabled) and shows the
    result in ``status``; a failure is shown there too and nothing else changes.
    """

    #: The export's one-line summary once it has been written.
    exported = Signal(object)

    def __init__(self, project: Project, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.setMinimumWidth(560)
        self.project = project
        self.folder = Path(folder)
        self.job: ExportJob | None = None
        self.format_box = QComboBox()
        for fmt in FORMATS:
            self.format_box.addItem(FORMAT_LABELS.get(fmt, fmt), fmt)
        self.path_edit = QLineEdit(str(default_path(project, FORMATS[0], self.folder)))
        self.browse_button = QPushButton("Browse…")
        self.browse_button.setAutoDefault(False)  # Enter exports, wherever the focus is
        self.browse_button.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow("Format:", self.format_box)
        form.addRow("Save to:", row)
        self.status = QLabel(self._note())
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.ActionRole
        )
        for button in self.buttons.buttons():
            button.setAutoDefault(False)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.format_box.currentIndexChanged.connect(self._format_changed)

    @property
    def fmt(self) -> str:
        """The chosen format."""
        return str(self.format_box.currentData())

    def set_format(self, fmt: str) -> None:
        """Choose ``fmt``; the path takes its suffix."""
        self.format_box.setCurrentIndex(self.format_box.findData(fmt))

    def _note(self) -> str:
        if self.fmt == "python":
            return (
                "A standalone plain-Keras script with build_model() and, when the project "
                "has a dataset, the code that trains it on the data saved beside it."
            )
        if self.fmt in DIAGRAM_FORMATS:
            return "A drawing of the canvas, with each layer's shape and parameter count."
        if self.project.weights is not None and len(self.project.weights):
            return "Model files keep the project's trained weights."
        return "The project has no trained weights yet: model files start untrained."

    def _format_changed(self) -> None:
        current = Path(self.path_edit.text().strip() or "model")
        stem = current.stem if current.suffix.lower() in SUFFIXES.values() else current.name
        self.path_edit.setText(str(current.with_name(stem + SUFFIXES[self.fmt])))
        self.status.setText(self._note())

    def browse(self) -> None:
        """Pick the path with a file dialog (a folder for a SavedModel)."""
        start = self.path_edit.text().strip() or str(self.folder)
        if self.fmt == "savedmodel":
            path, _ = QFileDialog.getSaveFileName(self, "Export SavedModel to folder", start)
        else:
            suffix = SUFFIXES[self.fmt]
            path, _ = QFileDialog.getSaveFileName(
                self, "Export", start, f"{FORMAT_LABELS[self.fmt]} (*{suffix})"
            )
            if path and not path.lower().endswith(suffix):
                path += suffix
        if path:
            self.path_edit.setText(path)

    def export(self) -> None:
        """Start the export of the chosen format to the chosen path."""
        if self.job is not None and self.job.running:
            return
        text = self.path_edit.text().strip()
        if not text:
            self._failed("give a path to export to.")
            return
        out = Path(text).expanduser()
        if out.exists() and not self._replace(out):
            return
        self.job = ExportJob(self.project, self.fmt, out, self)
        self.job.finished.connect(self._finished)
        self.job.failed.connect(self._failed)
        self._busy(True)
        self.status.setText(f"Exporting to {out.name}…")
        self.job.start()

    def _replace(self, out: Path) -> bool:
        answer = QMessageBox.question(
            self,
            "Replace?",
            f"{out.name} already exists. Replace it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _busy(self, busy: bool) -> None:
        self.export_button.setEnabled(not busy)
        self.format_box.setEnabled(not busy)
        self.path_edit.setEnabled(not busy)
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        else:
            QApplication.restoreOverrideCursor()

    def _finished(self, result: ExportResult) -> None:
        self._busy(False)
        lines = [result.summary, *(f"Note: {w}." for w in result.warnings)]
        self.status.setText("\n".join(lines))
        self.exported.emit(result)

    def _failed(self, text: str) -> None:
        if self.job is not None and not self.export_button.isEnabled():
            self._busy(False)
        self.status.setText(f"Not exported: {text[:1].upper()}{text[1:]}")

    def reject(self) -> None:
        if self.job is not None and self.job.running:
            self.status.setText("Wait for the export to finish before closing.")
            return
        super().reject()


def copy_as_code(project: Project) -> str:
    """Put the Python of ``project``'s model on the clipboard as plain text and return it: a
    standalone plain-Keras script with its imports and a ``build_model()`` function.

    Raises
    ------
    GuibuilderError
        The graph is not valid or its code cannot be written; the message says why.
    """
    from guibuilder.export.codegen import python_script

    text = python_script(project.graph, title=project.title)
    QApplication.clipboard().setText(text)
    return text


def show_export_dialog(window: QWidget, project: Project, folder: Path) -> ExportDialog:
    """Open File > Export… for ``project`` over ``window`` (not modal: the window stays usable)."""
    dialog = ExportDialog(project, folder, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    show_message = getattr(window, "show_message", None)
    if show_message is not None:
        dialog.exported.connect(lambda result: show_message(result.summary))
    dialog.show()
    return dialog


def copy_code_to_clipboard(window: QWidget, project: Project) -> bool:
    """Edit > Copy as code: copy, and say in the status bar how it went; False on failure."""
    show_message = getattr(window, "show_message", lambda text: None)
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        text = copy_as_code(project)
    except GuibuilderError as exc:
        QApplication.restoreOverrideCursor()
        QMessageBox.warning(window, "Cannot copy as code", f"{exc.message}.")
        return False
    QApplication.restoreOverrideCursor()
    show_message(f"Copied the model's Python ({len(text.splitlines())} lines) to the clipboard.")
    return True
