"""Layer specs: attention."""

from __future__ import annotations

SPECS: list = []
