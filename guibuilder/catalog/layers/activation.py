"""Layer specs: activation."""

from __future__ import annotations

SPECS: list = []
