"""Colours and fonts: a light and a dark theme, and one colour per layer category."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

#: One colour per palette category; nodes, palette icons and summary rows use it.
CATEGORY_COLORS: dict[str, str] = {
    "Input": "#16a34a",
    "Core": "#2563eb",
    "Convolution": "#7c3aed",
    "Pooling": "#0891b2",
    "Reshaping": "#64748b",
    "Normalization": "#ea580c",
    "Regularization": "#db2777",
    "Activation": "#ca8a04",
    "Merge": "#4f46e5",
    "Recurrent": "#0d9488",
    "Attention": "#c026d3",
    "Preprocessing": "#65a30d",
    "Augmentation": "#059669",
    "Blocks": "#475569",
    "Other": "#6b7280",
}


@dataclass(frozen=True)
class Theme:
    """The colours of one theme."""

    name: str
    window: str
    panel: str
    base: str
    alt_base: str
    text: str
    muted: str
    border: str
    canvas: str
    grid: str
    card: str
    card_border: str
    accent: str
    error: str
    ok: str
    edge: str

    def color(self, role: str) -> QColor:
        return QColor(getattr(self, role))


LIGHT = Theme(
    name="light",
    window="#f3f4f6",
    panel="#ffffff",
    base="#ffffff",
    alt_base="#f8fafc",
    text="#1f2937",
    muted="#6b7280",
    border="#d1d5db",
    canvas="#f8fafc",
    grid="#d9dee5",
    card="#ffffff",
    card_border="#c3c9d2",
    accent="#2563eb",
    error="#dc2626",
    ok="#15803d",
    edge="#8b95a5",
)

DARK = Theme(
    name="dark",
    window="#1e2127",
    panel="#252931",
    base="#1b1e24",
    alt_base="#22262d",
    text="#e5e7eb",
    muted="#9ca3af",
    border="#3a404b",
    canvas="#181b20",
    grid="#2b3039",
    card="#2a2f38",
    card_border="#444b57",
    accent="#60a5fa",
    error="#f87171",
    ok="#4ade80",
    edge="#7d8796",
)

THEMES = {t.name: t for t in (LIGHT, DARK)}

_current: list[Theme] = [LIGHT]


def current() -> Theme:
    """The theme in use."""
    return _current[0]


def category_color(category: str) -> QColor:
    return QColor(CATEGORY_COLORS.get(category, CATEGORY_COLORS["Other"]))


def ui_font(point_size: float = 10.0, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPointSizeF(point_size)
    font.setBold(bold)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    return font


def mono_font(point_size: float = 9.0) -> QFont:
    font = QFont("DejaVu Sans Mono")
    font.setPointSizeF(point_size)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Use ``theme`` for the whole application (palette and style sheet)."""
    _current[0] = theme
    app.setStyle("Fusion")
    app.setFont(ui_font(10))
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window,
        QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.base,
        QPalette.ColorRole.AlternateBase: theme.alt_base,
        QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.Button: theme.panel,
        QPalette.ColorRole.ButtonText: theme.text,
        QPalette.ColorRole.ToolTipBase: theme.panel,
        QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.Highlight: theme.accent,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: theme.muted,
        QPalette.ColorRole.Link: theme.accent,
        QPalette.ColorRole.Mid: theme.border,
        QPalette.ColorRole.Midlight: theme.border,
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(theme.muted))
    app.setPalette(palette)
    app.setStyleSheet(style_sheet(theme))


def style_sheet(theme: Theme) -> str:
    """The few rules the palette alone cannot express."""
    t = theme
    red = QColor(t.error)
    error_fill = f"rgba({red.red()}, {red.green()}, {red.blue()}, 30)"
    return f"""
    QMainWindow::separator {{ background: {t.border}; width: 1px; height: 1px; }}
    QDockWidget {{ font-weight: bold; }}
    QDockWidget::title {{
        background: {t.window}; padding: 6px 8px; border-bottom: 1px solid {t.border};
    }}
    QToolBar {{ background: {t.window}; border: none; border-bottom: 1px solid {t.border};
        spacing: 2px; padding: 3px; }}
    QToolButton {{ padding: 4px 6px; border-radius: 4px; }}
    QToolButton:hover {{ background: {t.border}; }}
    QStatusBar {{ background: {t.window}; border-top: 1px solid {t.border}; }}
    QStatusBar QLabel {{ padding: 0 8px; color: {t.muted}; }}
    QLineEdit {{
        padding: 3px 5px; border: 1px solid {t.border}; border-radius: 4px;
        background: {t.base};
    }}
    QLineEdit:focus {{ border: 1px solid {t.accent}; }}
    QLineEdit[invalid="true"], QComboBox[invalid="true"] {{ border: 1px solid {t.error}; }}
    QLabel[role="muted"] {{ color: {t.muted}; }}
    QLabel[role="help"] {{ color: {t.muted}; font-size: 8.5pt; }}
    QLabel[role="error"] {{ color: {t.error}; font-size: 8.5pt; }}
    QLabel[role="heading"] {{ font-weight: bold; font-size: 11pt; }}
    QLabel[role="section"] {{ color: {t.muted}; font-weight: bold; font-size: 8.5pt;
        padding-top: 8px; }}
    QFrame[role="errorbox"] {{ background: {error_fill}; border: 1px solid {t.error};
        border-radius: 4px; }}
    QTreeView, QTableView {{ border: none; background: {t.base}; }}
    QHeaderView::section {{ background: {t.window}; border: none;
        border-bottom: 1px solid {t.border}; padding: 4px 6px; font-weight: bold; }}
    QScrollArea {{ border: none; }}
    """
