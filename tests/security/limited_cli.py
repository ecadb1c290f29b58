"""The command line run as a program under a memory limit, for hostile input files.

A file that makes the program allocate what it claims (gigabytes from a few bytes) would
fail here with a MemoryError or be killed, instead of slowing the machine down.
"""

from __future__ import annotations

import resource
import subprocess

from tests.subprocesses import run_python

#: The address space a run may use: TensorFlow loads well within it; a bomb does not fit.
MEMORY_LIMIT = 4 * 2**30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(*argv: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """``guibuilder ARGV`` in a fresh process limited to :data:`MEMORY_LIMIT`."""
    return run_python("-m", "guibuilder", *argv, timeout=timeout, preexec_fn=_limit_memory)


def assert_refused(result: subprocess.CompletedProcess, *expected: str) -> str:
    """Exit 2 with one short line naming what is wrong, and no traceback; the line."""
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    line = lines[0]
    assert line.startswith("guibuilder: error: ") and len(line) < 400, line
    for text in expected:
        assert text in line, line
    return line
