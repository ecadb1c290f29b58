"""Train every template with its own settings and print its result against its target.

Usage: ``.venv/bin/python benchmarks/templates.py [NAME ...]``. Each template must reach its
target within 3 minutes on a CPU. The last line gives how many did.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

LIMIT_S = 180.0


def main(names: list[str]) -> int:
    from guibuilder.templates import get_template, template_names
    from guibuilder.templates.base import train_template

    rows = []
    header = f"{'template':<18}{'target':<24}{'achieved':>10}{'epochs':>8}{'time s':>9}  result"
    print(header)
    print("-" * len(header))
    for name in names or template_names():
        outcome = train_template(get_template(name))
        ok = outcome.met and outcome.seconds <= LIMIT_S
        rows.append(ok)
        verdict = "ok" if ok else ("too slow" if outcome.met else outcome.status)
        if not outcome.met and outcome.status == "finished":
            verdict = "missed"
        print(
            f"{name:<18}{outcome.target.text():<24}{outcome.achieved:>10.4f}"
            f"{outcome.epochs:>8}{outcome.seconds:>9.1f}  {verdict}",
            flush=True,
        )
    print(f"{sum(rows)}/{len(rows)} templates reached their target within {LIMIT_S:.0f} s")
    return 0 if all(rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
