"""Export every template as a SavedModel and as ONNX and check each against the project's outputs.

Usage: ``.venv/bin/python benchmarks/template_exports.py [NAME ...]``. The SavedModel is
served through ``keras.layers.TFSMLayer``; the ONNX file must pass the onnx checker and give
the same outputs in onnxruntime, or without it in onnx's reference evaluator (whose GRU is off
by about 1e-3 for Keras' ``reset_after`` GRU, so gru-forecast then differs). Too slow for the
test suite (a SavedModel export traces the model); the Keras, H5 and Python exports of every
template are tested in ``tests/export/test_template_exports.py``. The last line gives how many
exports matched.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")


def _sample(model, rng) -> list:
    import numpy as np

    batch = []
    for tensor in model.inputs:
        shape = (2, *tuple(tensor.shape)[1:])
        if "int" in str(tensor.dtype):
            batch.append(np.zeros(shape, dtype=str(tensor.dtype)))
        else:
            batch.append(rng.random(shape).astype("float32"))
    return batch


def _served(folder: Path, x: list) -> list:
    import keras

    out = keras.layers.TFSMLayer(str(folder), call_endpoint="serve")(x if len(x) > 1 else x[0])
    return _numpy(out)


def _numpy(out) -> list:
    """One numpy array per output of a Keras call (one tensor, or a list of them)."""
    import keras

    outs = out if isinstance(out, list | tuple) else [out]
    return [keras.ops.convert_to_numpy(o) for o in outs]


def _onnx(path: Path, x: list) -> list:
    import onnx

    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    names = [i.name for i in proto.graph.input]
    if importlib.util.find_spec("onnxruntime") is not None:
        import onnxruntime

        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return session.run(None, dict(zip(names, x, strict=True)))
    from onnx.reference import ReferenceEvaluator

    return ReferenceEvaluator(proto).run(None, dict(zip(names, x, strict=True)))


def main(names: list[str]) -> int:
    import numpy as np

    from guibuilder.compiler.build import build_model
    from guibuilder.document.weights import WeightStore
    from guibuilder.export import export_project
    from guibuilder.templates import get_template, template_names

    rng = np.random.default_rng(0)
    checks = []
    header = f"{'template':<18}{'format':<12}{'max |diff|':>12}{'time s':>9}  result"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for name in names or template_names():
            project = get_template(name).project()
            project.dataset = None
            model = build_model(project.graph)
            project.weights = WeightStore.from_model(model, project.graph)
            x = _sample(model, rng)
            out = model(x if len(x) > 1 else x[0], training=False)
            expected = _numpy(out)
            for fmt, out_path, run in (
                ("savedmodel", Path(tmp) / name, _served),
                ("onnx", Path(tmp) / f"{name}.onnx", _onnx),
            ):
                start = time.perf_counter()
                try:
                    export_project(project, fmt, out_path)
                    got = run(out_path, x)
                except Exception as exc:  # reported; the next export still runs
                    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                    print(f"{name:<18}{fmt:<12}{'':>12}{'':>9}  failed: {first[:90]}")
                    checks.append(False)
                    continue
                seconds = time.perf_counter() - start
                diff = max(float(np.max(np.abs(g - e))) for g, e in zip(got, expected, strict=True))
                ok = diff <= 1e-4
                checks.append(ok)
                verdict = "ok" if ok else "outputs differ"
                print(f"{name:<18}{fmt:<12}{diff:>12.2e}{seconds:>9.1f}  {verdict}", flush=True)
    print(f"{sum(checks)}/{len(checks)} SavedModel and ONNX exports of the templates match")
    return 0 if all(checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
