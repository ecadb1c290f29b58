"""The ``explain`` command: what a layer type does, its formula and its paper, in the terminal.

It prints the same texts as the window's "What does this layer do?" panel and imports
neither Qt nor Keras.
"""

from __future__ import annotations

import argparse
import difflib
import textwrap

from guibuilder import catalog
from guibuilder.catalog.explanations import explain, plain
from guibuilder.errors import GuibuilderError

EXPLAIN_HELP = "explain a layer type: what it does, its formula, its parameters, its paper"
WIDTH = 88


def configure_explain(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``explain``."""
    parser.add_argument("type", metavar="TYPE", help="a layer type, e.g. Dense or LSTM")


def _type_id(name: str) -> str:
    """The catalog's spelling of layer type ``name`` (any case); a clear error if none."""
    known = [spec.type_id for spec in catalog.all_specs()]
    by_lower = {t.lower(): t for t in known}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(by_lower[c] for c in close)}?" if close else ""
    raise GuibuilderError(f"there is no layer type {name!r}{hint}")


def _fill(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=WIDTH, initial_indent=indent, subsequent_indent=indent)


def run_explain(args: argparse.Namespace) -> int:
    """Print the explanation of one layer type."""
    type_id = _type_id(args.type)
    spec = catalog.get(type_id)
    entry = explain(type_id)
    lines = [f"{type_id} ({spec.category}): {spec.summary}", "", _fill(entry.text, ""), ""]
    lines.append("Formula")
    lines += [f"  {plain(line).strip()}" for line in entry.formula.splitlines()]
    described = [p.name for p in spec.params if p.name in entry.params]
    if described:
        lines += ["", "Parameters"]
        width = max(len(name) for name in described)
        for name in described:
            text = textwrap.fill(
                entry.params[name],
                width=WIDTH,
                initial_indent=f"  {name.ljust(width)}  ",
                subsequent_indent=" " * (width + 4),
            )
            lines.append(text)
    if entry.try_this:
        lines += ["", "Try this", _fill(entry.try_this)]
    lines += ["", "Read more"]
    for paper in entry.papers:
        lines.append(_fill(paper.cite))
        if paper.url:
            lines.append(f"    {paper.url}")
    lines.append(f"  Keras documentation: {spec.url}")
    print("\n".join(lines))
    return 0
