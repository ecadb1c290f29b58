"""The project's own exception types.

Every error a user can cause derives from :class:`GuibuilderError`. Its message is one
sentence that names what is wrong and where; the CLI prints it and exits 2, the window
shows it in a dialog. Anything else that escapes is a bug: :func:`explain` logs it and
turns it into one sentence. A name, key or value read from a file enters a message only
through :func:`shown` (or :func:`shown_names`, :func:`shown_path`): escaped and shortened,
so a hostile file cannot break the message's one line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable


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


#: A name from a file is shown with at most about this many characters.
SHOWN_LENGTH = 60


def shown(value: object, limit: int = SHOWN_LENGTH) -> str:
    """``value`` as a message quotes a name, key or value that came from a file.

    Quoted and escaped as Python writes it (a newline shows as ``\\n``, a lone surrogate
    as ``\\ud800``), and cut to about ``limit`` characters with an ellipsis, so that a
    hostile name keeps an error message to one short line.
    """
    try:
        text = repr(value)
    except ValueError:  # an integer too long for Python to write
        text = f"<{type(value).__name__}>"
    if len(text) <= limit:
        return text
    quote = text[0] if isinstance(value, str) else ""
    return text[: limit - 1 - len(quote)] + "…" + quote


def shown_path(path: object, limit: int = 2 * SHOWN_LENGTH) -> str:
    """A file's path in a message: as it is when short and printable, else :func:`shown`."""
    text = str(path)
    return text if len(text) <= limit and text.isprintable() else shown(text, limit)


def shown_names(values: Iterable[object], most: int = 3) -> str:
    """The first ``most`` of ``values`` as :func:`shown` writes them, and how many more."""
    values = list(values)
    text = ", ".join(shown(v) for v in values[:most])
    return text + (f" and {len(values) - most} more" if len(values) > most else "")


def explain(exc: BaseException, doing: str) -> str:
    """One sentence for ``exc``, raised while ``doing`` (``"open model.gbproj"``).

    The project's own errors say what is wrong themselves; anything else is a bug, so its
    traceback goes to the log and the user reads that ``doing`` failed, and why in brief.
    """
    if isinstance(exc, GuibuilderError):
        return exc.message
    logging.getLogger("guibuilder").error("cannot %s", doing, exc_info=exc)
    reason = shown(str(exc)) if str(exc) else "no details"
    return f"cannot {doing}: unexpected {type(exc).__name__} ({reason}; the log has the details)"
