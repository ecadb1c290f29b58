"""Recovery files without a window: an autosave of a process that is gone is found again."""

from __future__ import annotations

import os
import subprocess

from guibuilder.document import Project
from guibuilder.document.recovery import find_recoveries, write_autosave


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_an_autosave_of_a_dead_process_is_found_and_restored(tmp_path):
    project = Project()
    project.title = "autosaved"
    project.path = tmp_path / "mine.gbproj"
    write_autosave(tmp_path / f"{os.getpid()}.gbproj", project)
    assert find_recoveries(tmp_path) == []  # this process still runs
    dead = dead_pid()
    for suffix in (".gbproj", ".json"):
        os.rename(tmp_path / f"{os.getpid()}{suffix}", tmp_path / f"{dead}{suffix}")
    [recovery] = find_recoveries(tmp_path)
    assert recovery.source == project.path and "mine.gbproj" in recovery.describe()
    restored = recovery.load()
    assert restored.title == "autosaved" and restored.path == project.path
    recovery.discard()
    assert list(tmp_path.iterdir()) == []
