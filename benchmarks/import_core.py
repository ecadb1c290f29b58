"""Time `import guibuilder.graph, guibuilder.catalog` in a fresh interpreter (goal < 0.3 s).

Also reports loading the whole layer registry. The last line is the import time in seconds.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

IMPORT = "import guibuilder.graph, guibuilder.catalog"
PROBE = "import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"


def measure(code: str, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(code=code)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        times.append(float(out.strip().splitlines()[-1]))
    return statistics.median(times)


def main() -> None:
    registry = measure(IMPORT + "; guibuilder.catalog.all_specs()")
    plain = measure(IMPORT)
    print(f"import plus loading every layer spec: {registry:.3f} s (median of 7)")
    print(f"import guibuilder.graph, guibuilder.catalog: {plain:.3f} s (median of 7, goal < 0.3)")
    print(f"{plain:.3f}")


if __name__ == "__main__":
    main()
