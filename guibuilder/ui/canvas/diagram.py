"""The canvas of a project drawn offscreen to a PNG or SVG file (``guibuilder export``).

The picture is the real canvas: a :class:`GraphScene` on the project's graph, with the
shapes and parameter counts shown once Keras has worked them out.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QRectF, QSize
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QGraphicsItem

from guibuilder.document import Project, atomic_write
from guibuilder.errors import GuibuilderError
from guibuilder.ui import theme
from guibuilder.ui.canvas.scene import GraphScene

#: Space around the nodes, in scene units.
MARGIN = 40.0
#: Pixels per scene unit in a PNG.
PNG_SCALE = 2.0


class DiagramScene(GraphScene):
    """The canvas scene on a plain background, without the grid of dots."""

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, theme.current().color("canvas"))


def _settle(app: QApplication, session, timeout: float) -> None:
    """Let Keras load and shape inference finish, so nodes show their shapes."""
    from guibuilder.ui.live import keras_loader

    loader = keras_loader()
    loader.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if not loader.busy and not session.shapes.pending:
            app.processEvents()
            return
        time.sleep(0.02)


def render_diagram(project: Project, path: str | os.PathLike[str], timeout: float = 120.0) -> QSize:
    """Draw the canvas of ``project`` to ``path`` (``.png`` or ``.svg``); return its size.

    Raises
    ------
    GuibuilderError
        The suffix is neither ``.png`` nor ``.svg``, the graph is empty, or the file
        cannot be written.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise GuibuilderError(f"the diagram {out} must end in .png or .svg")
    if not len(project.graph):
        raise GuibuilderError("the project has no nodes, so there is no diagram to draw")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from guibuilder.ui.app import application
    from guibuilder.ui.window_editor import WindowEditor

    app = application()
    session = WindowEditor(project)
    scene = DiagramScene(session)
    try:
        _settle(app, session, timeout)
        for item in scene.items():
            # Cached items would be drawn as bitmaps: an SVG keeps its text and lines.
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        source = scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
        # Drawn in memory and written in one atomic step: a full disk keeps the old file.
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if suffix == ".png":
            size = QSize(round(source.width() * PNG_SCALE), round(source.height() * PNG_SCALE))
            image = QImage(size, QImage.Format.Format_ARGB32)
            image.fill(0)
            _paint(scene, image, source, size)
            written = image.save(buffer, "PNG")
        else:
            size = QSize(round(source.width()), round(source.height()))
            generator = QSvgGenerator()
            generator.setOutputDevice(buffer)
            generator.setSize(size)
            generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
            generator.setTitle(project.title or project.graph.name)
            generator.setDescription("A guibuilder model diagram")
            written = _paint(scene, generator, source, size)
    finally:
        scene.close()
        session.close()
    data = bytes(buffer.data())
    if not written or not data:
        raise GuibuilderError(f"the diagram could not be drawn for {out}")
    try:
        atomic_write(out, data)
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise GuibuilderError(f"the diagram could not be written to {out}: {reason}") from None
    return size


def _paint(scene, device, source: QRectF, size: QSize) -> bool:
    painter = QPainter()
    if not painter.begin(device):
        return False
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, size.width(), size.height()), source)
    return painter.end()


def draw_diagram(project: Project, path: Path) -> tuple[int, int]:
    """:func:`render_diagram` as :func:`guibuilder.export.export_project` takes it: the
    picture's width and height."""
    size = render_diagram(project, path)
    return size.width(), size.height()
