"""The check every reader of a named file makes before it opens the file.

A path from a project or the command line may name a device (``/dev/urandom`` reads
until memory runs out), a FIFO (opening it blocks for ever) or a file far bigger than
its kind ever is. :func:`regular_file` refuses those with one sentence, before anything
opens them.
"""

from __future__ import annotations

import os
import stat

from guibuilder.errors import FileFormatError, GuibuilderError, shown_path

MB = 1024 * 1024


def regular_file(
    path: str | os.PathLike[str],
    max_bytes: int,
    what: str = "file",
    error: type[GuibuilderError] = FileFormatError,
) -> int:
    """The size of ``path`` after checking that it is a regular file of at most ``max_bytes``.

    Raises ``error`` naming ``path`` when it is missing, a folder, a device, a pipe or a
    socket, or bigger than ``max_bytes`` (``what`` names its kind in that sentence).
    Symbolic links are followed: the file they lead to is checked.
    """
    name = shown_path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise error(f"{name} does not exist") from None
    except OSError as exc:
        raise error(f"{name} cannot be read: {exc.strerror or type(exc).__name__}") from None
    except ValueError:  # a NUL character in the path
        raise error(f"{name} is not a valid file name") from None
    if stat.S_ISDIR(info.st_mode):
        raise error(f"{name} is a folder, not a {what}")
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{name} is not a regular file (a device, pipe or socket), so not a {what}")
    if info.st_size > max_bytes:
        raise error(
            f"{name} is {info.st_size / MB:,.0f} MB, more than a {what} can be "
            f"({max_bytes / MB:,.0f} MB at most)"
        )
    return info.st_size
