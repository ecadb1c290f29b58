"""Teacher > Lock Training Settings…: the dialog that picks which groups of settings are locked."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from guibuilder.document.classroom import GROUP_LABELS, SETTING_GROUPS


class LockSettingsDialog(QDialog):
    """Tick the groups of training settings that students must not change."""

    def __init__(self, locked: frozenset[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Lock training settings")
        layout = QVBoxLayout(self)
        intro = QLabel("Students cannot change the ticked settings:")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.boxes: dict[str, QCheckBox] = {}
        for group, names in SETTING_GROUPS.items():
            box = QCheckBox(GROUP_LABELS[group].capitalize())
            box.setToolTip(", ".join(names))
            box.setChecked(group in locked)
            layout.addWidget(box)
            self.boxes[group] = box
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(320)

    def groups(self) -> frozenset[str]:
        """The ticked groups."""
        return frozenset(g for g, box in self.boxes.items() if box.isChecked())
