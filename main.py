"""``python main.py``: the same as the ``guibuilder`` command (the window by default)."""

from guibuilder.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
