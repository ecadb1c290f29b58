"""The Qt user interface, in wings named for what a user sees.

The shell (application, main window, theme, icons, the window's editor, background jobs)
is here; ``canvas/``, ``training/``, ``inspect/``, ``classroom/`` and ``dialogs/`` hold the
features. Only this package (and the GUI entry) imports Qt. It displays the graph and
sends every edit to it through undo commands; it never keeps a copy of parameters or
connections.
"""
