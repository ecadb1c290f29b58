"""The project's own exception types.

Every error a user can cause derives from :class:`GuibuilderError`. Its message is one
sentence that names what is wrong and where; the CLI prints it and exits 2, the window
shows it in a dialog. Anything else that escapes is a bug.
"""

from __future__ import annotations


class GuibuilderError(Exception):
    """A user-facing error: the message is one clear sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class FileFormatError(GuibuilderError):
    """A file that cannot be read: missing, corrupt, truncated, wrong type or too new."""


class UnsafeModelError(GuibuilderError):
    """A Keras file that would run code to load (a Lambda layer, a custom function)."""


class KerasUnavailableError(GuibuilderError):
    """Keras or its backend cannot be imported in this environment."""


def quote(value: object, limit: int = 40) -> str:
    """``value`` for a one-line message: escaped as ``repr`` does and cut to ``limit``
    characters, so a newline or a 5,000-character name cannot break the line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
