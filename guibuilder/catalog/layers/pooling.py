"""Layer specs: pooling."""

from __future__ import annotations

SPECS: list = []
