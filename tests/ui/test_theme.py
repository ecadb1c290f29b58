"""The themes as a user sees them: what cannot be clicked looks like it."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QToolBar

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
