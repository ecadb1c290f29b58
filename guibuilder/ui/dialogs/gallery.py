"""File > New from template…: a gallery of the ready-made networks of :mod:`guibuilder.templates`.

Each template is shown with a picture of its graph (the canvas drawn offscreen with
:class:`~guibuilder.ui.canvas.diagram.DiagramScene`, cached per template and theme), its title, a
short paragraph, the paper it comes from, its data and the result it reaches. Choosing one
opens it as a new, untitled project.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from guibuilder.templates import TEMPLATES, Template, get_template
from guibuilder.ui import theme

#: The longest side of a template's cached picture, in pixels; smaller graphs are drawn at
#: one pixel per scene unit.
PICTURE_SIDE = 6000
#: The largest zoom of the details picture, in pixels per scene unit.
PREVIEW_ZOOM = 0.7
#: The size of a thumbnail in the list.
THUMB = QSize(80, 80)
#: The size of the picture in the details pane.
PREVIEW = QSize(440, 560)


@cache
def _picture(name: str, theme_name: str) -> QImage:
    from guibuilder.document import Project
    from guibuilder.ui.canvas.diagram import MARGIN, DiagramScene
    from guibuilder.ui.window_editor import WindowEditor

    template = get_template(name)
    session = WindowEditor(Project(graph=template.graph(), title=template.title))
    scene = DiagramScene(session)
    try:
        source = scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
        scale = min(1.0, PICTURE_SIDE / max(source.width(), source.height()))
        size = QSize(round(source.width() * scale), round(source.height() * scale))
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(theme.current().color("canvas"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), source)
        painter.end()
    finally:
        scene.close()
        session.close()
    return image


def template_picture(name: str, size: QSize, crop: bool = False) -> QPixmap:
    """The drawing of template ``name``'s graph, fitted and centred in ``size`` on the canvas
    colour (cached per theme). With ``crop``, a graph much taller than ``size`` shows its top."""
    image = _picture(name, theme.current().name)
    tallest = round(image.width() * 1.5 * size.height() / size.width())
    if crop and image.height() > tallest:
        image = image.copy(0, 0, image.width(), tallest)
    image = image.scaled(
        size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    pixmap = QPixmap(size)
    pixmap.fill(theme.current().color("canvas"))
    painter = QPainter(pixmap)
    painter.drawImage(
        (size.width() - image.width()) // 2, (size.height() - image.height()) // 2, image
    )
    painter.end()
    return pixmap


def _icon(name: str) -> QIcon:
    pixmap = template_picture(name, THUMB, crop=True)
    icon = QIcon()
    for mode in (QIcon.Mode.Normal, QIcon.Mode.Selected, QIcon.Mode.Active):
        icon.addPixmap(pixmap, mode)
    return icon


def describe(template: Template) -> str:
    """The rich text of a template's details: title, paragraph, paper, data and goal."""
    data = str(template.dataset.get("name", "")) if template.dataset else ""
    view = template.dataset.get("view", "labels") if template.dataset else "labels"
    if view != "labels":
        data += f" ({view})"
    epochs = template.training.get("epochs") if template.training else None
    train = f", {epochs} epochs" if epochs else ""
    return (
        f"<h2 style='margin-bottom:4px'>{_escape(template.title)}</h2>"
        f"<p>{_escape(template.summary)}</p>"
        f"<p><b>Paper:</b> <i>{_escape(template.paper)}</i></p>"
        f"<p><b>Data:</b> {_escape(data)}{train}<br>"
        f"<b>Reaches:</b> {_escape(template.target.text())}</p>"
    )


def _short(template: Template) -> str:
    """``Szegedy et al. (2014)``: the paper's authors and year, for the list."""
    authors, _, rest = template.paper.partition(":")
    names = [a for a in authors.replace(" and ", ",").split(",") if a.strip()]
    first = names[0].strip() if names else authors.strip()
    if len(names) > 1 and "et al" not in first:
        first += " et al."
    year = rest[rest.rfind("(") :].strip() if "(" in rest else ""
    return f"{first} {year}".strip()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class TemplateGalleryDialog(QDialog):
    """Every template in a list with its picture; the chosen one's details on the right.

    After ``exec()`` returns Accepted, ``chosen`` is the picked :class:`Template`.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New from template")
        self.resize(1120, 720)
        self.chosen: Template | None = None
        self.list = QListWidget()
        self.list.setIconSize(THUMB)
        self.list.setSpacing(2)
        self.list.setUniformItemSizes(True)
        self.list.setMinimumWidth(380)
        self.list.setWordWrap(True)
        for template in TEMPLATES:
            item = QListWidgetItem(_icon(template.name), f"{template.title}\n{_short(template)}")
            item.setData(Qt.ItemDataRole.UserRole, template.name)
            item.setToolTip(template.summary)
            item.setSizeHint(QSize(360, THUMB.height() + 8))
            self.list.addItem(item)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        picture_scroll = QScrollArea()
        picture_scroll.setWidget(self.picture)
        picture_scroll.setWidgetResizable(True)
        picture_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        picture_scroll.setMinimumSize(PREVIEW)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setMinimumWidth(240)
        text_scroll = QScrollArea()
        text_scroll.setWidget(self.text)
        text_scroll.setWidgetResizable(True)
        text_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        details = QHBoxLayout()
        details.addWidget(picture_scroll)
        details.addWidget(text_scroll, 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        right = QVBoxLayout()
        right.addLayout(details, 1)
        right.addWidget(self.buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(right, 1)
        self.list.currentRowChanged.connect(self._show)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.list.setCurrentRow(0)

    def names(self) -> list[str]:
        """The template names listed, in order."""
        role = Qt.ItemDataRole.UserRole
        return [self.list.item(i).data(role) for i in range(self.list.count())]

    def select(self, name: str) -> None:
        """Make template ``name`` the current one."""
        self.list.setCurrentRow(self.names().index(name))

    def _show(self, row: int) -> None:
        if row < 0:
            return
        template = get_template(self.names()[row])
        self.picture.setPixmap(template_picture(template.name, self._preview_size(template.name)))
        self.text.setText(describe(template))

    @staticmethod
    def _preview_size(name: str) -> QSize:
        """The details picture: as wide as the pane, as tall as the graph needs (it scrolls)."""
        image = _picture(name, theme.current().name)
        width = min(PREVIEW.width() - 20, round(image.width() * PREVIEW_ZOOM))
        return QSize(width, round(image.height() * width / image.width()))

    def accept(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.chosen = get_template(item.data(Qt.ItemDataRole.UserRole))
        super().accept()


def open_template(window: QWidget, template: Template) -> bool:
    """Open ``template`` in ``window`` as a new untitled project, after asking about unsaved
    changes as New does; False when the user cancelled."""
    from guibuilder.ui.window_editor import WindowEditor

    if not window.maybe_save():
        return False
    window.set_session(WindowEditor(template.project()))
    window.show_message(f"New project from the {template.title} template.")
    return True


def new_from_template(window: QWidget) -> bool:
    """File > New from template…: pick a template in the gallery and open it."""
    dialog = TemplateGalleryDialog(window)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen is None:
            return False
        return open_template(window, dialog.chosen)
    finally:
        dialog.deleteLater()
