"""The Qt user interface: main window, canvas, palette, inspector and summary.

Only this package (and the GUI entry) imports Qt. It displays the graph and sends every
edit to it through undo commands; it never keeps a copy of parameters or connections.
"""
