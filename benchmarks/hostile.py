"""Run the hostile collection through the command line and count what did not hold.

Usage: ``.venv/bin/python benchmarks/hostile.py [--n N] [--jobs J] [--timeout S] [--keep DIR]``.
It writes N mutated project files (``--n``, default 1000), the hand-made projects, model files
and data files of ``tests/fuzz/hostile_inputs.py`` and mutated model and data files (N/10 of
each) into a temporary folder, and runs each case's commands (``summary --check``, ``build``,
``export -f python`` and the exported ``build_model()``, ``train``, ``import``) in its own
process under a 4 GB address-space limit and a timeout. A case is *clean* when every command
exits 0, or exits 2 with one short ``guibuilder: error:`` line; a *defect* prints a traceback,
exits otherwise, or says more than one short line; a *severe* case dies of a signal, runs
out of time or memory, or creates the marker file that its inputs' code would create if it
ran. Long: a case takes 5 to 30 s of a core (each command starts Python and most load
TensorFlow), so N = 1000 is some hours on one core; ``--jobs`` runs cases side by side.
The last line is defects plus severe (goal 0).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

from tests.fuzz import hostile_inputs  # noqa: E402

MEMORY_LIMIT = 4 << 30
MAX_LINE = 300
MARKER = "MARKER"
PREFIX = "guibuilder: error: "
MEMORY_WORDS = ("MemoryError", "bad_alloc", "Resource exhausted", "Cannot allocate memory")


@dataclass
class Case:
    """One hostile input: its folder and the chains of commands to run in it (a chain stops
    at the first command that does not exit 0)."""

    name: str
    folder: Path
    chains: list[list[list[str]]]
    outcome: str = "clean"
    notes: list[str] = field(default_factory=list)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _verdict(result: subprocess.CompletedProcess, folder: Path) -> tuple[str, str]:
    """('clean' | 'defect' | 'severe', why) for one finished command."""
    err = result.stderr
    lines = [line for line in err.splitlines() if not line.startswith("guibuilder: warning:")]
    last = (err.strip().splitlines() or [""])[-1][:200]
    if result.returncode < 0:
        return "severe", f"killed by signal {-result.returncode}: {last}"
    unclean = "Traceback" in err or result.returncode not in (0, 2)
    if unclean and any(word in err for word in MEMORY_WORDS):
        return "severe", f"ran out of memory: {last}"
    if "Traceback" in err:
        return "defect", f"traceback: {last}"
    if result.returncode not in (0, 2):
        return "defect", f"exit {result.returncode}: {last}"
    if result.returncode == 2:
        if len(lines) != 1 or not lines[0].startswith(PREFIX):
            return "defect", f"{len(lines)} lines of error: {err[:200]!r}"
        length = len(lines[0].replace(str(folder), "")) - len(PREFIX)
        if length >= MAX_LINE:
            return "defect", f"an error of {length} characters: {lines[0][:120]!r}..."
    return "clean", ""


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def run_case(case: Case, timeout: float, env: dict[str, str]) -> Case:
    """Run the case's chains of commands; record the worst outcome."""
    for chain in case.chains:
        for command in chain:
            if not _run(case, command, timeout, env):
                break
    return case


_RANK = {"clean": 0, "defect": 1, "severe": 2}


def _run(case: Case, command: list[str], timeout: float, env: dict[str, str]) -> bool:
    """Run one command of ``case``; whether it exited 0."""
    try:
        result = subprocess.run(
            command,
            cwd=case.folder,
            env=env,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            preexec_fn=_limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        outcome, why, result = "severe", f"timed out after {timeout:g} s", None
    else:
        outcome, why = _verdict(result, case.folder)
    if (case.folder / MARKER).exists():
        outcome, why = "severe", "the marker file was created: code from the input ran"
    if outcome != "clean":
        step = " ".join(a for a in command[1:4] if not a.startswith("/"))
        case.notes.append(f"{step}: {why}")
    if _RANK[outcome] > _RANK[case.outcome]:
        case.outcome = outcome
    return result is not None and result.returncode == 0


def _cli(*args: str) -> list[str]:
    return _python("-m", "guibuilder", *args)


#: The exported script's build_model(): where code written into it from a file would run.
_RUN_EXPORT = _python("-c", "import runpy; runpy.run_path('out.py')['build_model']()")


def _project_commands(kind: int) -> list[list[str]]:
    return [
        [_cli("summary", "--check", "p.gbproj")],
        [_cli("build", "p.gbproj", "-o", "out.keras")],
        [_cli("export", "-f", "python", "p.gbproj", "-o", "out.py"), _RUN_EXPORT],
        [_cli("train", "p.gbproj", "--epochs", "1")],
    ][kind]


def make_cases(root: Path, n: int, seed: int) -> list[Case]:
    """Write every case's files under ``root``."""
    cases: list[Case] = []

    def new(name: str) -> Path:
        folder = root / f"{len(cases):05d}-{name}"[:60]
        folder.mkdir()
        return folder

    seeds = hostile_inputs.seed_projects()
    base = seeds["digits_cnn"]
    for i in range(n):
        folder = new("project")
        marker = str(folder / MARKER)
        rng = random.Random(seed * 1_000_003 + i)
        text = hostile_inputs.mutated_project_text(seeds, rng, marker)
        (folder / "p.gbproj").write_bytes(text.encode("utf-8", "surrogatepass"))
        kind = 3 if i % 10 == 9 else i % 3
        cases.append(Case(f"project {i}", folder, [_project_commands(kind)]))
    for name in hostile_inputs.crafted_projects(base, MARKER):
        folder = new(name)
        text = hostile_inputs.crafted_projects(base, str(folder / MARKER))[name]
        (folder / "p.gbproj").write_bytes(text.encode("utf-8", "surrogatepass"))
        if name == "dataset-fifo":
            os.mkfifo(folder / "fifo.csv")
        heavy = name.startswith(("dataset-", "batch-", "units-"))
        kinds = (0, 1, 2, 3) if heavy else (0, 2)
        chains = [_project_commands(k) for k in kinds]
        cases.append(Case(f"crafted project {name}", folder, chains))
    models = root / "models"
    models.mkdir()
    keras_file, h5_file = hostile_inputs.save_tiny_models(models)
    config = hostile_inputs.keras_config(keras_file)
    made = []
    for i in range(max(1, n // 10)):
        rng = random.Random(seed * 7 + i)
        path = models / f"mutated-{i}{'.keras' if i % 4 else '.h5'}"
        text = hostile_inputs.mutated_model_config(config, rng, MARKER)
        if path.suffix == ".keras":
            hostile_inputs.write_keras(keras_file, path, text)
        else:
            hostile_inputs.write_h5(h5_file, path, text)
        made.append(path)
    crafted = models / "crafted"
    crafted.mkdir()
    made += hostile_inputs.crafted_models(keras_file, h5_file, crafted, MARKER)
    for path in made:
        folder = new(path.stem)
        shutil.move(path, folder / path.name)
        commands = [
            _cli("import", path.name, "-o", "p.gbproj"),
            _cli("build", "p.gbproj", "-o", "out.keras"),
        ]
        cases.append(Case(f"model {path.name}", folder, [commands]))
    data = root / "data"
    data.mkdir()
    paths = hostile_inputs.crafted_data(data, MARKER)
    for i in range(max(1, n // 10)):
        mutated = data / f"mutated-{i}"
        mutated.mkdir()
        paths.append(hostile_inputs.write_data_file(mutated, random.Random(seed * 11 + i)))
    for path in paths:
        folder = new(path.stem)
        shutil.move(path, folder / path.name)
        project = {**base, "dataset": {"path": path.name}, "classroom": None}
        (folder / "p.gbproj").write_text(hostile_inputs.json_text(project), encoding="utf-8")
        chains = [_project_commands(3), _project_commands(2)]
        cases.append(Case(f"data {path.name}", folder, chains))
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="mutated project files (1000)")
    parser.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    parser.add_argument("--timeout", type=float, default=180, help="seconds per command")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", metavar="DIR", help="write the cases here and keep them")
    args = parser.parse_args()
    root = Path(args.keep or tempfile.mkdtemp(prefix="hostile-"))
    root.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GUIBUILDER_OFFLINE": "1",
        "KERAS_HOME": str(root / "keras_home"),
    }
    try:
        cases = make_cases(root, args.n, args.seed)
        print(f"{len(cases)} cases in {root}, {args.jobs} at a time", flush=True)
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            runs = [pool.submit(run_case, case, args.timeout, env) for case in cases]
            for run in concurrent.futures.as_completed(runs):
                case = run.result()
                if case.outcome != "clean":
                    print(f"{case.outcome:6}  {case.name}: {'; '.join(case.notes)}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    counts = {k: sum(c.outcome == k for c in cases) for k in ("clean", "defect", "severe")}
    print(f"tried {len(cases)}")
    print(f"clean {counts['clean']}")
    print(f"defects {counts['defect']}")
    print(f"severe {counts['severe']}")
    print(counts["defect"] + counts["severe"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
