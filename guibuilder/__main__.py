"""``python -m guibuilder``: the same as the ``guibuilder`` command."""

from guibuilder.cli import main

raise SystemExit(main())
