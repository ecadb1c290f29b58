"""The "What does this layer do?" panel: plain words, the formula and the paper.

The panel follows the canvas selection (:meth:`ExplainPanel.show_nodes`) and also explains
a layer picked in the palette (its context menu, see :class:`PaletteHelp`). The texts are
data from :mod:`guibuilder.catalog.explanations`; this module only lays them out, in a
``QTextBrowser`` that works offline and opens the paper and documentation links in the
web browser.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QTextBrowser, QVBoxLayout, QWidget

from guibuilder import catalog
from guibuilder.catalog.explanations import Explanation, explain, has_explanation
from guibuilder.graph import Graph
from guibuilder.ui import theme
from guibuilder.ui.canvas.palette import TYPE_ROLE, PalettePanel, abbreviation

EMPTY_TEXT = (
    "Select a layer on the canvas, or right-click one in the palette, to read what it does, "
    "its formula and the paper it comes from."
)


def _value_text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value).join("[]")
    return str(value)


def _formula_html(formula: str) -> str:
    """The formula's lines; its markup (sub, sup, i, b) is Qt rich text already.

    Clauses set apart by three spaces go on lines of their own, and spaces inside sub- and
    superscripts do not break, so an index stays on its line.
    """

    def glue(match: re.Match[str]) -> str:
        return match.group(0).replace(" ", "&nbsp;")

    clauses = [c.strip() for line in formula.splitlines() for c in line.split("   ")]
    return "<br>".join(re.sub(r"<(sub|sup)>.*?</\1>", glue, c) for c in clauses if c)


def explanation_html(
    type_id: str, params: Mapping[str, Any] | None = None, name: str | None = None
) -> str:
    """The panel's page for layer type ``type_id``.

    ``params`` are a node's current values, shown beside what each parameter does;
    ``name`` is that node's name. The colours follow the current theme.
    """
    t = theme.current()
    spec = catalog.get(type_id)
    entry: Explanation = explain(type_id)
    color = theme.CATEGORY_COLORS.get(spec.category, theme.CATEGORY_COLORS["Other"])
    parts = [f"<p style='font-size: 1.1em; line-height: 130%;'>{html.escape(entry.text)}</p>"]
    parts.append(_heading("Formula", t.muted))
    parts.append(
        f"<table width='100%' cellpadding='10' cellspacing='0' "
        f"style='background-color: {t.alt_base}; border: 1px solid {t.border};'>"
        f'<tr><td style=\'border-left: 4px solid {color}; font-family: "DejaVu Serif"; '
        f"font-size: 1.4em;'>{_formula_html(entry.formula)}</td></tr></table>"
    )
    described = [p for p in spec.params if p.name in entry.params]
    if described:
        parts.append(_heading("Parameters", t.muted))
        rows = []
        for param in described:
            current = ""
            if params is not None and param.name in params:
                current = (
                    f"<br><span style='color: {t.muted};'>now: "
                    f"{html.escape(_value_text(params[param.name]))}</span>"
                )
            rows.append(
                f"<tr><td valign='top' style='padding: 3px 10px 3px 0;'>"
                f"<code><b>{html.escape(param.name)}</b></code>{current}</td>"
                f"<td valign='top' style='padding: 3px 0;'>"
                f"{html.escape(entry.params[param.name])}</td></tr>"
            )
        parts.append(f"<table cellspacing='0' cellpadding='0'>{''.join(rows)}</table>")
    if entry.try_this:
        parts.append(_heading("Try this", t.muted))
        parts.append(
            f"<table width='100%' cellpadding='8' cellspacing='0' "
            f"style='background-color: {_tint(t.accent, t.base)};'>"
            f"<tr><td>{html.escape(entry.try_this)}</td></tr></table>"
        )
    parts.append(_heading("Read more", t.muted))
    refs = []
    for paper in entry.papers:
        title = html.escape(paper.title)
        if paper.url:
            title = f"<a href='{html.escape(paper.url)}'>{title}</a>"
        refs.append(f"<li>{html.escape(paper.authors)} ({paper.year}). {title}.</li>")
    keras_name = f"keras.layers.{spec.keras_class}" if spec.keras_class else "Keras layers"
    refs.append(f"<li>Keras documentation: <a href='{html.escape(spec.url)}'>{keras_name}</a></li>")
    parts.append(f"<ul style='margin-left: 0;'>{''.join(refs)}</ul>")
    return "".join(parts)


def _heading(text: str, color: str) -> str:
    return (
        f"<p style='margin-top: 14px; margin-bottom: 4px; color: {color}; "
        f"font-weight: bold; font-size: 0.85em;'>{text.upper()}</p>"
    )


def _tint(color: str, base: str, amount: float = 0.12) -> str:
    """``color`` mixed into ``base``: a light wash for a box's background."""
    top, bottom = QColor(color), QColor(base)
    mixed = QColor(
        round(bottom.red() + (top.red() - bottom.red()) * amount),
        round(bottom.green() + (top.green() - bottom.green()) * amount),
        round(bottom.blue() + (top.blue() - bottom.blue()) * amount),
    )
    return mixed.name()


class ExplainPanel(QWidget):
    """Explains one layer type: a header (tile, type, category) over a text browser."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.type_id: str | None = None
        self.node_id: str | None = None
        self._shown: tuple[str, Mapping[str, Any] | None, str | None] | None = None
        self.tile = QLabel()
        self.tile.setFixedSize(34, 34)
        self.tile.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel()
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setProperty("role", "muted")
        self.subtitle.setWordWrap(True)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        header = QHBoxLayout()
        header.setContentsMargins(8, 6, 8, 2)
        header.setSpacing(10)
        header.addWidget(self.tile)
        header.addLayout(titles, 1)
        self.browser = QTextBrowser()
        self.browser.setObjectName("ExplainBrowser")
        self.browser.setOpenExternalLinks(True)
        self.browser.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.browser.document().setDocumentMargin(10)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.browser, 1)
        self.clear()

    def clear(self) -> None:
        """Show the hint that says how to pick a layer."""
        self.type_id = self.node_id = None
        self._shown = None
        self.tile.hide()
        self.title.setText("What does this layer do?")
        self.subtitle.setText("")
        t = theme.current()
        self.browser.setHtml(f"<p style='color: {t.muted};'>{html.escape(EMPTY_TEXT)}</p>")

    def show_type(
        self,
        type_id: str,
        params: Mapping[str, Any] | None = None,
        name: str | None = None,
    ) -> None:
        """Explain layer type ``type_id`` (with a node's ``params`` and ``name``, if given)."""
        if not has_explanation(type_id) or not catalog.has(type_id):
            self.clear()
            self.title.setText(type_id)
            self.browser.setHtml(f"<p>There is no explanation of {html.escape(type_id)} yet.</p>")
            return
        spec = catalog.get(type_id)
        self.type_id = type_id
        self._shown = (type_id, params, name)
        color = theme.CATEGORY_COLORS.get(spec.category, theme.CATEGORY_COLORS["Other"])
        self.tile.setText(abbreviation(type_id))
        self.tile.setStyleSheet(
            f"background: {color}; color: white; border-radius: 6px; font-weight: bold;"
        )
        self.tile.show()
        self.title.setText(type_id if not name or name == type_id else f"{name} · {type_id}")
        self.subtitle.setText(f"{spec.category} · {spec.summary}")
        self.subtitle.setToolTip(spec.summary)
        scroll = self.browser.verticalScrollBar()
        self.browser.setHtml(explanation_html(type_id, params, name))
        scroll.setValue(0)

    def show_nodes(self, graph: Graph | None, node_ids: list[str]) -> None:
        """Follow the canvas selection: explain the first selected node's layer."""
        node_id = node_ids[0] if node_ids else None
        if graph is None or node_id is None or node_id not in graph:
            if self.node_id is not None:
                self.clear()
            return
        owner = graph.owner(node_id)
        node = graph.node(node_id)
        self.show_type(owner.type_id, graph.effective_params(node_id), node.name)
        self.node_id = node_id

    def refresh_theme(self) -> None:
        """Lay the page out again in the current theme's colours."""
        if self._shown is None:
            self.clear()
        else:
            node_id = self.node_id
            self.show_type(*self._shown)
            self.node_id = node_id


class PaletteHelp(QObject):
    """A context menu on the palette's layers: explain the layer, or add it to the canvas."""

    explain_requested = Signal(str)

    def __init__(self, palette: PalettePanel) -> None:
        super().__init__(palette)
        self.palette = palette
        tree = palette.tree
        tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tree.customContextMenuRequested.connect(self._show_menu)

    def menu_for(self, pos: QPoint) -> QMenu | None:
        """The menu for the palette entry at ``pos`` (viewport coordinates), or None."""
        item = self.palette.tree.itemAt(pos)
        type_id = item.data(0, TYPE_ROLE) if item is not None else None
        if not type_id:
            return None
        menu = QMenu(self.palette.tree)
        explain_action = menu.addAction(f"What does {type_id} do?")
        explain_action.triggered.connect(lambda: self.explain_requested.emit(type_id))
        add_action = menu.addAction("Add to the canvas")
        add_action.triggered.connect(lambda: self.palette.layer_activated.emit(type_id))
        return menu

    def _show_menu(self, pos: QPoint) -> None:
        menu = self.menu_for(pos)
        if menu is not None:
            self.run_menu(menu, self.palette.tree.viewport().mapToGlobal(pos))
            menu.deleteLater()

    def run_menu(self, menu: QMenu, at: QPoint) -> None:
        """Show ``menu`` at ``at`` (screen coordinates) until the user picks or leaves."""
        menu.exec(at)


def explain_action(parent: QObject, slot: Callable[[], None]) -> QAction:
    """The F1 action that brings the panel up for the selected layer."""
    action = QAction("&What Does This Layer Do?", parent)
    action.setShortcut("F1")
    action.setToolTip("Explain the selected layer: what it does, its formula, its paper (F1)")
    action.triggered.connect(slot)
    return action
