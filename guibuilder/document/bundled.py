"""Which project files are bundled with guibuilder (the demo, the challenges) or read-only.

Saving must not overwrite such a file: the window's first Save of one asks where to save
a copy instead (Save As, in the user's documents folder).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: The folders whose files ship with guibuilder: the package and the resources beside it.
BUNDLED_FOLDERS = (
    Path(__file__).resolve().parents[1],
    Path(__file__).resolve().parents[2] / "resources",
)


def is_bundled(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` ships with guibuilder, or is a file that cannot be written."""
    resolved = Path(path).resolve()
    if any(resolved.is_relative_to(folder) for folder in BUNDLED_FOLDERS):
        return True
    if not resolved.is_file():
        return False
    no_write_bits = not resolved.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    return no_write_bits or not os.access(resolved, os.W_OK)
