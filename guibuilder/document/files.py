"""Files written so that a crash leaves the old file or the new one, never half of one.

Every write goes to a temporary file ``.NAME.xxxxxxxx.tmp`` beside ``NAME``, is flushed to
disk and renamed over ``NAME``. The temporary file is locked while it is written, so that
:func:`remove_stale_temporaries` removes only those whose writer was killed. No Qt, no Keras.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from guibuilder.errors import FileFormatError, GuibuilderError

try:
    import fcntl
except ImportError:  # Windows: stale temporary files are told by their age
    fcntl = None  # type: ignore[assignment]

#: A temporary file of a save of ``NAME``: ``.NAME.`` + 8 random characters + ``.tmp``.
_TEMP_TAIL = re.compile(r"[a-z0-9_]{8}\.tmp")

#: Without file locks (Windows), a temporary file this old (seconds) is taken as stale.
STALE_AGE_S = 3600.0


def _hold(fd: int) -> bool | None:
    """Lock ``fd`` for this process; False if another process holds it, None if no locks."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return None
    return True


def _remove_if_stale(candidate: Path) -> bool:
    """Remove ``candidate`` if no running write holds it (its writer was killed)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(candidate, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return False
        held = _hold(fd)
        stale = time.time() - info.st_mtime > STALE_AGE_S if held is None else held
        if stale and os.stat(candidate).st_ino == info.st_ino:
            os.unlink(candidate)  # while locked: a new writer never gets this file
            return True
        return False
    finally:
        os.close(fd)


def remove_stale_temporaries(*targets: str | os.PathLike[str]) -> list[Path]:
    """Delete the temporary files that killed writes of ``targets`` left; return them.

    Only this program's own temporary files (``.NAME.xxxxxxxx.tmp`` beside ``NAME``) are
    touched, and only those that no running write holds. A folder that cannot be listed
    or changed is left as it is.
    """
    removed: list[Path] = []
    by_folder: dict[Path, list[str]] = {}
    for target in map(Path, targets):
        by_folder.setdefault(target.parent, []).append(f".{target.name}.")
    for folder, prefixes in by_folder.items():
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            prefix = next((p for p in prefixes if name.startswith(p)), None)
            if prefix is None or not _TEMP_TAIL.fullmatch(name[len(prefix) :]):
                continue
            candidate = Path(entry.path)
            with contextlib.suppress(OSError):
                if _remove_if_stale(candidate):
                    removed.append(candidate)
    return removed


class _Temporary:
    """Bytes written and flushed to a temporary file beside ``target``, not yet in place.

    The file is locked while it is open, so that :func:`remove_stale_temporaries` of
    another process leaves it alone; :meth:`commit` renames it over ``target``.
    """

    def __init__(self, target: Path, data: bytes, mode: int) -> None:
        self.target = target
        self.path, self.fd = self._create(target)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self.fd, view) :]
            os.fsync(self.fd)
            os.chmod(self.path, mode)
        except BaseException:
            self.discard()
            raise

    @staticmethod
    def _create(target: Path) -> tuple[Path, int]:
        while True:
            try:
                fd, name = tempfile.mkstemp(
                    prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
                )
            except FileNotFoundError as exc:
                raise FileFormatError(
                    f"cannot save {target.name}: the folder {target.parent} does not exist"
                ) from exc
            # A cleaner may have taken the file before it was locked: then make another.
            held = _hold(fd) is not False
            with contextlib.suppress(FileNotFoundError):
                if held and os.stat(name).st_ino == os.fstat(fd).st_ino:
                    return Path(name), fd
            os.close(fd)

    def commit(self) -> None:
        os.replace(self.path, self.target)
        self.path = None

    def discard(self) -> None:
        if self.fd is None:
            return
        if self.path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        os.close(self.fd)
        self.fd = None


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def mode_of(path: Path) -> int:
    """The permissions of the file at ``path``, or those a new file gets."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return _default_mode()


def _fsync_folder(folder: Path) -> None:
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def replace_files(files: Sequence[tuple[Path, bytes]], mode: int | None = None) -> None:
    """Write each ``(path, data)`` so that a failure leaves every old file as it was.

    All the files are written to temporary files first; only when every one is on disk
    are they renamed over their targets, in the order given (each rename is atomic).
    ``mode`` (default: each file's current permissions) is given to the new files.
    """
    staged: list[_Temporary] = []
    current = None
    try:
        for path, data in files:
            current = path
            staged.append(_Temporary(path, data, mode_of(path) if mode is None else mode))
        for item in staged:
            current = item.target
            item.commit()
    except OSError as exc:  # name the file asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(current)) from exc
    finally:
        for item in staged:
            item.discard()
    for folder in dict.fromkeys(path.parent for path, _ in files):
        _fsync_folder(folder)


def atomic_write(path: str | os.PathLike[str], data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new file.

    The bytes go to a temporary file in the same folder, are flushed to disk, and then
    replace ``path`` in one rename. The file keeps its permissions (``mode`` if given).
    """
    replace_files([(Path(path), data)], mode)


def check_writable_folder(folder: str | os.PathLike[str], what: str) -> None:
    """Raise :class:`GuibuilderError` starting with ``what`` unless files can be made in
    ``folder`` (or, while it does not exist yet, in the nearest folder above it)."""
    folder = Path(folder)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise GuibuilderError(f"{what}: {existing} is a file, not a folder")
    try:
        fd, name = tempfile.mkstemp(prefix=".guibuilder-check.", suffix=".tmp", dir=existing)
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise GuibuilderError(f"{what}: the folder {existing} is not writable ({reason})") from None
    os.close(fd)
    os.unlink(name)
