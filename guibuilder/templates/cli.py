"""The ``templates`` and ``new`` commands: list the ready-made networks, start a project
from one. Neither imports Keras."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from guibuilder.errors import GuibuilderError
from guibuilder.templates import TEMPLATES, get_template

TEMPLATES_HELP = "list the ready-made networks that 'guibuilder new' starts from"
NEW_HELP = "write a new project from a template"


def configure_templates(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``templates``."""
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also print each template's paragraph and the paper it comes from",
    )


def run_templates(args: argparse.Namespace) -> int:
    """Print every template: name, title, dataset and target."""
    rows = [("Name", "Title", "Dataset", "Target")]
    for t in TEMPLATES:
        data = t.dataset["name"] + ("" if t.view == "labels" else f" ({t.view})")
        rows.append((t.name, t.title, data, t.target.text()))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
        elif args.verbose:
            t = TEMPLATES[n - 1]
            for text in (t.summary, f"Paper: {t.paper}"):
                print(
                    textwrap.fill(text, width=96, initial_indent="    ", subsequent_indent="    ")
                )
            print()
    print(f"{len(TEMPLATES)} templates; start one with 'guibuilder new --template NAME -o FILE'")
    return 0


def configure_new(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``new``."""
    parser.add_argument(
        "--template", required=True, metavar="NAME", help="see 'guibuilder templates'"
    )
    parser.add_argument(
        "-o", "--output", required=True, metavar="PROJECT.gbproj", help="the project file to write"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace the project file if it exists"
    )


def run_new(args: argparse.Namespace) -> int:
    """Write the laid-out project of a template."""
    from guibuilder.document import SUFFIX, save_project

    template = get_template(args.template)
    out = Path(args.output)
    if out.suffix.lower() != SUFFIX:
        raise GuibuilderError(f"the project file {out} must end in {SUFFIX}")
    if out.exists() and not args.force:
        raise GuibuilderError(f"{out} exists already: choose another name or add --force")
    project = template.project()
    save_project(project, out)
    print(
        f"Wrote {out}: {template.title}, {len(project.graph)} nodes, "
        f"dataset {template.dataset['name']}, target {template.target.text()}."
    )
    return 0
