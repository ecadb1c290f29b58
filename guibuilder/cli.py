"""The command line: ``guibuilder [PROJECT]`` opens the window; subcommands work headless.

Each subcommand is one small function registered in :data:`COMMANDS`. A user error (any
:class:`GuibuilderError`, or an unreadable path) prints one line to stderr and exits 2;
``--debug`` adds the traceback. Neither Qt nor Keras is imported until a command needs it.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from guibuilder import __version__
from guibuilder.catalog import cli as catalog_cli
from guibuilder.clitools import load_project_warned, quiet_keras, warn
from guibuilder.editing import cli as editing_cli
from guibuilder.errors import FileFormatError, GuibuilderError
from guibuilder.export import cli as export_cli
from guibuilder.export import save_keras, trained_model
from guibuilder.inspect import cli as inspect_cli
from guibuilder.templates import cli as templates_cli
from guibuilder.training import challenge_cli
from guibuilder.training import cli as training_cli

#: Exit status of a user error (as argparse uses for bad arguments).
USER_ERROR = 2

MODEL_SUFFIXES = (".keras", ".h5")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other user error."""

    def error(self, message: str) -> NoReturn:
        self.exit(USER_ERROR, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, one-line help, arguments and the function that runs it."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _need_suffix(path: Path, suffixes: Sequence[str], what: str) -> None:
    if path.suffix.lower() not in suffixes:
        allowed = " or ".join(suffixes)
        raise GuibuilderError(f"{what} {path} must end in {allowed}")


def _need_file(path: Path) -> None:
    if not path.exists():
        raise FileFormatError(f"{path} does not exist")
    if path.is_dir():
        raise FileFormatError(f"{path} is a folder, not a file")


# ------------------------------------------------------------------- open
def _open_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", nargs="?", metavar="PROJECT", help="a .gbproj file to open")
    parser.add_argument(
        "--screenshot",
        metavar="OUT.png",
        help="render the window to a PNG and quit (for checks and documentation)",
    )


def _open(args: argparse.Namespace) -> int:
    if args.project:
        _need_file(Path(args.project))
    try:
        from guibuilder.ui.app import run
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("PySide6", "pyqtgraph", "shiboken6"):
            raise
        raise GuibuilderError(
            f"the window needs {exc.name}, which is not installed: run 'make run'"
        ) from exc
    return run(args.project, screenshot=args.screenshot)


# ----------------------------------------------------------------- export
def _draw_diagram(project: Any, out: Path) -> tuple[int, int]:
    """The window's canvas drawn to ``out``, for ``export`` to PNG or SVG."""
    try:
        from guibuilder.ui.canvas.diagram import draw_diagram
    except ImportError as exc:
        raise GuibuilderError(
            f"drawing the diagram needs Qt (PySide6), which cannot be loaded ({exc}): "
            "run 'make run' to install it"
        ) from exc
    return draw_diagram(project, out)


def _export(args: argparse.Namespace) -> int:
    return export_cli.run_export(args, draw_diagram=_draw_diagram)


# ---------------------------------------------------------------- summary
def _summary_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", metavar="PROJECT", help="a .gbproj file")
    parser.add_argument(
        "--check",
        action="store_true",
        help="also build the model and check its parameter count against the table",
    )


def _shape_text(outputs: Sequence[Sequence[int | None]]) -> str:
    def one(shape: Sequence[int | None]) -> str:
        dims = ", ".join("None" if d is None else str(d) for d in shape)
        return f"({dims},)" if len(shape) == 1 else f"({dims})"

    return ", ".join(one(s) for s in outputs)


def _table(rows: list[tuple[str, ...]], numeric: Sequence[int]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.rjust(w) if i in numeric else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _summary(args: argparse.Namespace) -> int:
    from guibuilder.compiler.shapes import infer_shapes

    project = load_project_warned(args.project)
    graph = project.graph
    order = graph.topological_order()
    with quiet_keras(args):
        infos = infer_shapes(graph)
    rows = [("Node", "Type", "Output shape", "Params")]
    total = trainable = 0
    for node_id in order:
        node = graph.node(node_id)
        info = infos[node_id]
        label = node.name if node.name == node.id else f"{node.name} [{node.id}]"
        if project.classroom is not None and node_id in project.classroom.locked_nodes:
            label += " (locked)"
        kind = node.type_id + (f" (shares {node.shares})" if node.shares else "")
        shape = "error" if info.error else _shape_text(info.outputs)
        rows.append((label, kind, shape, f"{info.params:,}"))
        total += info.params
        if graph.owner(node_id).trainable:
            trainable += info.params - info.non_trainable
    print(_table(rows, numeric=(3,)))
    print(f"Total params: {total:,} (trainable {trainable:,}, non-trainable {total - trainable:,})")
    for line in project.classroom.describe() if project.classroom is not None else []:
        print(line)
    errors = [infos[n].error for n in order if infos[n].error]
    if errors:
        raise GuibuilderError(errors[0])
    graph.validate()
    if args.check:
        from guibuilder.compiler.build import build_model

        _refuse_too_big(project, infos)
        with quiet_keras(args):
            built = build_model(graph).count_params()
        if built != total:
            print(
                f"guibuilder: check failed: the built model has {built:,} params, "
                f"the table counts {total:,}",
                file=sys.stderr,
            )
            return 1
        print(f"Check: the built model has {built:,} params, as counted.")
    return 0


def _refuse_too_big(project: Any, shapes: Any = None) -> None:
    """Refuse a model that no machine of this size could train at the project's batch size."""
    from guibuilder.data.lint import refuse_model_too_big
    from guibuilder.training.config import ConfigError, TrainConfig

    try:
        batch_size = TrainConfig.from_dict(project.training).batch_size
    except ConfigError:  # building needs no training settings: assume the default
        batch_size = TrainConfig().batch_size
    refuse_model_too_big(project.graph, shapes, batch_size=batch_size)


# ------------------------------------------------------------------ build
def _build_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", metavar="PROJECT", help="a .gbproj file")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT.keras|OUT.h5",
        help="where to save the built model (.keras, or legacy .h5)",
    )


def _build(args: argparse.Namespace) -> int:
    out = Path(args.output)
    _need_suffix(out, MODEL_SUFFIXES, "the output file")
    if not out.parent.is_dir():
        raise GuibuilderError(f"the folder {out.parent} does not exist")
    project = load_project_warned(args.project)
    _refuse_too_big(project)
    with quiet_keras(args):
        model, warnings = trained_model(project)
    for warning in warnings:
        warn(warning)
    has_weights = project.weights is not None and len(project.weights)
    note = ", with the project's weights" if has_weights else ""
    with quiet_keras(args):
        save_keras(model, out)
    print(f"Saved {out} ({model.count_params():,} params{note}).")
    return 0


# ----------------------------------------------------------------- import
def _import_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help="a saved Keras model: .keras or .h5")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="PROJECT.gbproj",
        help="the project file to write (its weights go beside it)",
    )


def _import(args: argparse.Namespace) -> int:
    from guibuilder.document import SUFFIX, Project, save_project, weights_path

    source = Path(args.model)
    out = Path(args.output)
    _need_suffix(out, (SUFFIX,), "the project file")
    _need_file(source)
    if weights_path(out).resolve() == source.resolve():
        raise GuibuilderError(
            f"saving {out} would overwrite {source} with its weights: choose another name"
        )
    from guibuilder.compiler.importer import import_model

    with quiet_keras(args):
        graph, weights = import_model(source)
    project = Project(graph, weights=weights if len(weights) else None, title=source.stem)
    save_project(project, out)
    where = f" (weights in {weights_path(out).name})" if project.weights is not None else ""
    print(f"Imported {len(graph)} nodes from {source} into {out}{where}.")
    return 0


#: Every subcommand, in the order ``--help`` lists them.
COMMANDS: tuple[Command, ...] = (
    Command("open", "open the window (the default: 'guibuilder PROJECT')", _open_args, _open),
    Command("summary", "print each node's output shape and parameters", _summary_args, _summary),
    Command("build", "build the Keras model and save it", _build_args, _build),
    Command("import", "turn a saved Keras model into a project", _import_args, _import),
    Command("export", export_cli.EXPORT_HELP, export_cli.configure_export, _export),
    Command("train", training_cli.TRAIN_HELP, training_cli.configure_train, training_cli.run_train),
    Command(
        "freeze", editing_cli.FREEZE_HELP, editing_cli.configure_freeze, editing_cli.run_freeze
    ),
    Command(
        "datasets",
        training_cli.DATASETS_HELP,
        training_cli.configure_datasets,
        training_cli.run_datasets,
    ),
    Command(
        "doctor", training_cli.DOCTOR_HELP, training_cli.configure_doctor, training_cli.run_doctor
    ),
    Command(
        "templates",
        templates_cli.TEMPLATES_HELP,
        templates_cli.configure_templates,
        templates_cli.run_templates,
    ),
    Command("new", templates_cli.NEW_HELP, templates_cli.configure_new, templates_cli.run_new),
    Command(
        "inspect", inspect_cli.INSPECT_HELP, inspect_cli.configure_inspect, inspect_cli.run_inspect
    ),
    Command(
        "challenge",
        challenge_cli.CHALLENGE_HELP,
        challenge_cli.configure_challenge,
        challenge_cli.run_challenge,
    ),
    Command(
        "explain", catalog_cli.EXPLAIN_HELP, catalog_cli.configure_explain, catalog_cli.run_explain
    ),
)

_GLOBAL_FLAGS = ("--debug",)
_TOP_LEVEL = ("-h", "--help", "--version")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one subparser per entry of :data:`COMMANDS`."""
    parser = _Parser(
        prog="guibuilder",
        description="Build, train and inspect Keras models from a graph of layers.",
        epilog="With no command, 'guibuilder [PROJECT]' opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"guibuilder {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        sub = subparsers.add_parser(command.name, help=command.help, description=command.help)
        sub.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
        )
        command.configure(sub)
        sub.set_defaults(handler=command.run)
    return parser


def _with_command(argv: list[str]) -> list[str]:
    """Insert ``open`` where no subcommand is named: ``guibuilder x.gbproj`` opens it."""
    names = {c.name for c in COMMANDS}
    for i, arg in enumerate(argv):
        if arg in _GLOBAL_FLAGS:
            continue
        if arg in names or arg in _TOP_LEVEL:
            return argv
        return [*argv[:i], "open", *argv[i:]]
    return [*argv, "open"]


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        message = f"{where}{exc.strerror}"
    else:
        message = str(exc) or type(exc).__name__
    return " ".join(message.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    args = build_parser().parse_args(_with_command(list(sys.argv[1:] if argv is None else argv)))
    try:
        return args.handler(args)
    except (GuibuilderError, OSError) as exc:
        if args.debug:
            traceback.print_exc()
        print(f"guibuilder: error: {_one_line(exc)}", file=sys.stderr)
        return USER_ERROR
    except KeyboardInterrupt:
        print("guibuilder: stopped", file=sys.stderr)
        return 130
