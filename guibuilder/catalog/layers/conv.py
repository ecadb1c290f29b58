"""Layer specs: conv."""

from __future__ import annotations

SPECS: list = []
