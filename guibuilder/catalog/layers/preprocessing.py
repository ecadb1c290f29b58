"""Layer specs: preprocessing."""

from __future__ import annotations

SPECS: list = []
