"""Layer specs: normalization."""

from __future__ import annotations

SPECS: list = []
