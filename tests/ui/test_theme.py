"""The themes as a user sees them: what cannot be clicked looks like it."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QToolBar

from guibuilder.ui import theme


def brightest_text(image) -> float:
    """The lightness of the lightest pixel (dark theme: text is the lightest thing drawn)."""
    return max(
        QColor(image.pixel(x, y)).lightnessF()
        for x in range(image.width())
        for y in range(image.height())
    )


def test_a_disabled_tool_button_looks_disabled_in_the_dark_theme(window):
    window.dark_action.trigger()
    assert theme.current().name == "dark"
    toolbar = next(bar for bar in window.findChildren(QToolBar) if bar.isVisible())
    redo = toolbar.widgetForAction(window.redo_action)
    train = toolbar.widgetForAction(window.training_panel.start_action)
    assert not redo.isEnabled() and train.isEnabled()
    muted = QColor(theme.current().muted).lightnessF()
    assert brightest_text(train.grab().toImage()) > muted + 0.1
    assert brightest_text(redo.grab().toImage()) <= muted + 0.02
    window.dark_action.trigger()


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours."""

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


def test_a_selected_row_stays_readable_in_every_theme(window):
    def selection_contrast() -> float:
        palette = QApplication.palette()
        return contrast(
            palette.color(QPalette.ColorRole.HighlightedText),
            palette.color(QPalette.ColorRole.Highlight),
        )

    looks = {"light": selection_contrast()}
    window.dark_action.trigger()
    looks["dark"] = selection_contrast()
    window.presentation.set_active(True)
    looks["dark presentation"] = selection_contrast()
    window.presentation.set_active(False)
    window.dark_action.trigger()
    window.presentation.set_active(True)
    looks["light presentation"] = selection_contrast()
    window.presentation.set_active(False)
    assert all(ratio >= 4.5 for ratio in looks.values()), looks
