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


def test_a_selected_row_stays_readable_in_every_theme(window):
    def selection_contrast() -> float:
        palette = QApplication.palette()
        return theme.contrast(
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


def test_layer_types_in_the_summary_are_readable_in_every_theme(window):
    """The summary's type column is coloured by category, readable on light and dark."""
    from tests.ui.helpers import chain_graph, show

    show(window, chain_graph())
    table = window.summary.table
    try:
        for name in ("light", "dark"):
            if theme.current().name != name:
                window.dark_action.trigger()
            base = QColor(theme.current().base)
            assert theme.current().name == name
            for row in range(table.rowCount()):
                color = table.item(row, 1).foreground().color()
                assert theme.contrast(color, base) >= 4.5, (name, table.item(row, 1).text())
    finally:
        if theme.current().name != "light":
            window.dark_action.trigger()


def test_readable_keeps_the_hue_and_reaches_the_ratio():
    for color in theme.CATEGORY_COLORS.values():
        for background in ("#ffffff", "#111827", "#000000"):
            shown = theme.readable(QColor(color), QColor(background))
            assert theme.contrast(shown, QColor(background)) >= 4.5
            if QColor(color).hsvSaturation() > 60:
                assert abs(shown.hsvHue() - QColor(color).hsvHue()) <= 12
