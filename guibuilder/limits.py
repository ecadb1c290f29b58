"""How much memory the program may use, which files it may open, and how sizes are written.

A file (a model, a data array, an image) says how large it is before anything is read;
a reader compares that with :func:`available_memory` and refuses, with one sentence, what
cannot fit, before it allocates. A path from a project or the command line may name a
device (``/dev/urandom`` reads until memory runs out), a FIFO (opening it blocks for ever)
or a file far bigger than its kind ever is: :func:`regular_file` refuses those before
anything opens them. No Keras, no Qt, no numpy here.
"""

from __future__ import annotations

import os
import resource
import stat
from pathlib import Path

from guibuilder.errors import FileFormatError, GuibuilderError, shown_path


def machine_memory() -> int | None:
    """The most memory this process can ever have, in bytes: the machine's physical
    memory, or the address-space limit (``ulimit -v``) when lower; None where unknown."""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    if pages <= 0 or size <= 0:
        return None
    soft = _address_space_limit()
    return pages * size if soft is None else min(pages * size, soft)


def available_memory() -> int | None:
    """Bytes this process can still allocate, or None where it cannot be told.

    The smaller of the memory the system has free (``MemAvailable``, else the physical
    memory) and what the address-space limit leaves this process.
    """
    limits = [_free_memory() or machine_memory()]
    soft = _address_space_limit()
    if soft is not None:
        limits.append(max(soft - _address_space(), 0))
    known = [n for n in limits if n is not None]
    return min(known) if known else None


def _address_space_limit() -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft


def _free_memory() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _address_space() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def size_text(count: int) -> str:
    """``count`` bytes for a message: "3.2 GB", "120 MB", "512 bytes"."""
    if count >= 10**15:  # a header's fancy, past what a float holds exactly (or at all)
        return "more than a million GB"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            value = count / scale
            return f"{value:,.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return f"{count} bytes"


#: A megabyte, as :func:`size_text` writes sizes.
MB = 10**6


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
            f"{name} is {size_text(info.st_size)}, more than a {what} can be "
            f"({size_text(max_bytes)} at most)"
        )
    return info.st_size
