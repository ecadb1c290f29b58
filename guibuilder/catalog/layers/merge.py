"""Layer specs: merge."""

from __future__ import annotations

SPECS: list = []
