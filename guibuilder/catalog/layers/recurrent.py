"""Layer specs: recurrent."""

from __future__ import annotations

SPECS: list = []
