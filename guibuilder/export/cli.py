"""``guibuilder export PROJECT [--format FORMAT] -o PATH``: one export of a project."""

from __future__ import annotations

import argparse
import sys

from guibuilder.export import FORMATS, DiagramRenderer, export_project, format_for

EXPORT_HELP = "export the model (Keras, SavedModel, ONNX, Python) or its diagram (PNG, SVG)"


def configure_export(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``export``."""
    parser.add_argument("project", metavar="PROJECT", help="a .gbproj file")
    parser.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        help="what to write; by default the suffix of the output says (none: savedmodel)",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="PATH",
        help="the file to write: a folder for savedmodel; python also writes NAME_data.npz "
        "beside NAME.py with the project's data",
    )


def run_export(args: argparse.Namespace, draw_diagram: DiagramRenderer | None = None) -> int:
    """Run ``export``; a user error raises a GuibuilderError for the CLI to print.

    ``draw_diagram`` draws the diagram formats (the command line passes the window's).
    """
    from guibuilder.clitools import load_project_warned, quiet_keras, warn

    fmt = args.format or format_for(args.output)
    project = load_project_warned(args.project)
    with quiet_keras(args):
        result = export_project(project, fmt, args.output, draw_diagram=draw_diagram)
    for warning in result.warnings:
        warn(warning)
    print(result.summary)
    sys.stdout.flush()
    return 0
