"""Colours and fonts: a light and a dark theme, and one colour per layer category.

Each theme also has a high-contrast presentation variant (:func:`presentation`) for a
projector: black on white (or white on black), fonts scaled up, thicker edges and borders.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
    """The colours of one theme, and how large its fonts and how thick its lines are.

    ``name`` is ``light`` or ``dark`` (what the colours are made for); ``variant`` is
    ``presentation`` for the projector variant of either.
    """

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
    #: Text on an ``accent`` background (a selected row): dark where the accent is light.
    on_accent: str = "#ffffff"
    #: Every font of the theme is this many times its usual size.
    font_scale: float = 1.0
    #: Width of an edge on the canvas, and of a node card's border.
    edge_width: float = 2.0
    border_width: float = 1.0
    variant: str = ""

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
    on_accent="#111827",
)

THEMES = {t.name: t for t in (LIGHT, DARK)}

#: How much larger fonts are in presentation mode (readable from the back of a classroom).
PRESENTATION_SCALE = 1.5

_PRESENTATION_COLORS = {
    "light": {
        "window": "#ffffff",
        "panel": "#ffffff",
        "base": "#ffffff",
        "alt_base": "#f1f5f9",
        "text": "#000000",
        "muted": "#374151",
        "border": "#6b7280",
        "canvas": "#ffffff",
        "grid": "#e2e8f0",
        "card": "#ffffff",
        "card_border": "#111827",
        "accent": "#1d4ed8",
        "error": "#b91c1c",
        "ok": "#166534",
        "edge": "#1f2937",
    },
    "dark": {
        "window": "#000000",
        "panel": "#0b0b0b",
        "base": "#000000",
        "alt_base": "#161b22",
        "text": "#ffffff",
        "muted": "#d1d5db",
        "border": "#9ca3af",
        "canvas": "#000000",
        "grid": "#1f2630",
        "card": "#111317",
        "card_border": "#f3f4f6",
        "accent": "#93c5fd",
        "error": "#fca5a5",
        "ok": "#86efac",
        "edge": "#e5e7eb",
        "on_accent": "#000000",
    },
}


def presentation(base: Theme, scale: float = PRESENTATION_SCALE) -> Theme:
    """The high-contrast projector variant of ``base`` with fonts ``scale`` times larger."""
    return replace(
        base,
        **_PRESENTATION_COLORS[base.name],
        font_scale=scale,
        edge_width=4.0,
        border_width=2.0,
        variant="presentation",
    )


_current: list[Theme] = [LIGHT]


def current() -> Theme:
    """The theme in use."""
    return _current[0]


def category_color(category: str) -> QColor:
    """The colour of ``category``, for fills (white text reads on every one of them)."""
    return QColor(CATEGORY_COLORS.get(category, CATEGORY_COLORS["Other"]))


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21; body text wants 4.5 or more)."""

    def luminance(color: QColor) -> float:
        def channel(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(color.redF())
            + 0.7152 * channel(color.greenF())
            + 0.0722 * channel(color.blueF())
        )

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(color: QColor, background: QColor, ratio: float = 4.5) -> QColor:
    """``color`` lightened (on a dark background) or darkened (on a light one) just enough
    to be read as text on ``background``; its hue stays."""
    dark_background = background.lightnessF() < 0.5
    result = QColor(color)
    for _ in range(20):
        if contrast(result, background) >= ratio:
            break
        result = result.lighter(112) if dark_background else result.darker(112)
    return result


def category_text_color(category: str, background: QColor | None = None) -> QColor:
    """The colour of ``category`` for text on ``background`` (the theme's base colour)."""
    return readable(category_color(category), background or current().color("base"))


def ui_font(point_size: float = 10.0, bold: bool = False) -> QFont:
    """The interface font at ``point_size`` (scaled by the current theme)."""
    font = QFont("DejaVu Sans")
    font.setPointSizeF(point_size * current().font_scale)
    font.setBold(bold)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    return font


#: Node cards keep their size on the canvas, so their text grows less than the window's.
CARD_TEXT_SCALE_LIMIT = 1.2


def card_font(point_size: float, bold: bool = False, mono: bool = False) -> QFont:
    """A font for the text on a node card: scaled by the theme, at most by the card limit."""
    font = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
    font.setPointSizeF(point_size * min(current().font_scale, CARD_TEXT_SCALE_LIMIT))
    font.setBold(bold)
    font.setStyleHint(QFont.StyleHint.Monospace if mono else QFont.StyleHint.SansSerif)
    return font


def mono_font(point_size: float = 9.0) -> QFont:
    """The monospaced font at ``point_size`` (scaled by the current theme)."""
    font = QFont("DejaVu Sans Mono")
    font.setPointSizeF(point_size * current().font_scale)
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
        QPalette.ColorRole.HighlightedText: theme.on_accent,
        QPalette.ColorRole.PlaceholderText: theme.muted,
        QPalette.ColorRole.Link: theme.accent,
        QPalette.ColorRole.Mid: theme.border,
        QPalette.ColorRole.Midlight: theme.border,
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    disabled = (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    )
    for role in disabled:
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(theme.muted))
    app.setPalette(palette)
    app.setStyleSheet(style_sheet(theme))


def style_sheet(theme: Theme) -> str:
    """The few rules the palette alone cannot express."""
    t = theme
    red = QColor(t.error)
    error_fill = f"rgba({red.red()}, {red.green()}, {red.blue()}, 30)"

    def pt(size: float) -> str:
        return f"{size * t.font_scale:g}pt"

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
    QPushButton[picker="true"] {{
        text-align: left; padding: 3px 5px; border: 1px solid {t.border}; border-radius: 4px;
        background: {t.base};
    }}
    QPushButton[picker="true"]::menu-indicator {{ subcontrol-position: right center; right: 6px; }}
    QLineEdit[invalid="true"], QComboBox[invalid="true"] {{ border: 1px solid {t.error}; }}
    QLabel[role="muted"] {{ color: {t.muted}; }}
    QLabel[role="help"] {{ color: {t.muted}; font-size: {pt(8.5)}; }}
    QLabel[role="error"] {{ color: {t.error}; font-size: {pt(8.5)}; }}
    QLabel[role="heading"] {{ font-weight: bold; font-size: {pt(11)}; }}
    QLabel[role="section"] {{ color: {t.muted}; font-weight: bold; font-size: {pt(8.5)};
        padding-top: 8px; }}
    QFrame[role="errorbox"] {{ background: {error_fill}; border: 1px solid {t.error};
        border-radius: 4px; }}
    QTreeView, QTableView {{ border: none; background: {t.base}; }}
    QHeaderView::section {{ background: {t.window}; border: none;
        border-bottom: 1px solid {t.border}; padding: 4px 6px; font-weight: bold; }}
    QScrollArea {{ border: none; }}
    """
