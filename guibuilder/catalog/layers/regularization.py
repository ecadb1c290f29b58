"""Layer specs: regularization."""

from __future__ import annotations

SPECS: list = []
