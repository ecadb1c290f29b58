"""The Inspect dock: one module per tab, the worker that computes them, and their views."""
