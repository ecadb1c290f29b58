"""Layer specs: reshaping."""

from __future__ import annotations

SPECS: list = []
