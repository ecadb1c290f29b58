"""The canvas on a 400+ node model: open, drag a node, memory (goal: drag step <= 16 ms).

DenseNet121 (weights=None, 64x64x3 input, 429 layers) is saved to a temporary .keras file.
A child process (``QT_QPA_PLATFORM=offscreen``) starts the real application, waits until
Keras has loaded, then opens the file through the window's own open path
(``MainWindow.open_path``: the import in a worker thread behind its progress dialog) and
times until the graph is laid out in the scene and the canvas has painted it, and until
every shape is known. Then it drags the busiest node (the most edges) with real mouse
events on the canvas viewport: each step is one ``QTest.mouseMove`` plus the event
processing that repaints the canvas (up to ``PASSES`` passes of the event loop), timed on
its own, at 100 % zoom and at 25 % (about 20 layers in view, the smallest zoom of the
canvas where a node is still 45 px wide; Fit View stops at the readable 70 %).
Last, the application's peak memory (``ru_maxrss``) is printed beside that of a second
child that only loads the same file in Keras.

The last line is the median drag step in milliseconds, the slower of the two zoom levels.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INPUT_SHAPE = (64, 64, 3)
STEPS = 60
STEP_PX = 3
#: Passes of the event loop a step may take to paint: with a widget over the canvas (the
#: mini-map) Qt paints a move in the pass after the one that handled it, now and then.
PASSES = 3
#: Zoom levels of the drags: 100 %, and an overview with about 20 layers in view.
SCALES = (1.0, 0.25)
TIMEOUT_S = 300.0


def peak_mib() -> float:
    """This process's peak resident memory in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def save_model(path: str) -> None:
    from guibuilder.compiler.layers import load_keras

    keras = load_keras()
    keras.applications.DenseNet121(weights=None, input_shape=INPUT_SHAPE).save(path)


def keras_alone(path: str) -> dict:
    from guibuilder.compiler.layers import load_keras

    keras = load_keras()
    model = keras.saving.load_model(path, compile=False, safe_mode=True)
    return {"layers": len(model.layers), "params": model.count_params(), "peak_mib": peak_mib()}


def application(path: str) -> dict:
    from PySide6.QtCore import QEvent, QObject, QPointF, QStandardPaths, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMessageBox

    from guibuilder.compiler.layout import NODE_HEIGHT, NODE_WIDTH
    from guibuilder.ui.app import application as make_app
    from guibuilder.ui.app import wait_until_idle
    from guibuilder.ui.mainwindow import MainWindow

    QStandardPaths.setTestModeEnabled(True)  # autosaves go to a test folder

    def refuse(*args: object, **kwargs: object) -> None:
        raise SystemExit(f"canvas_scale: a dialog opened: {args[1:3]}")

    QMessageBox.warning = refuse  # an import error must end the run, not block it

    class Paints(QObject):
        count = 0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    def wait_for(condition, what: str) -> float:
        deadline = time.monotonic() + TIMEOUT_S
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"canvas_scale: timed out waiting for {what}")
            app.processEvents()
            time.sleep(0.0005)
        return time.perf_counter()

    app = make_app()
    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    if not wait_until_idle(app, window, TIMEOUT_S):
        raise SystemExit("canvas_scale: Keras did not load")
    viewport = window.view.viewport()
    paints = Paints()
    viewport.installEventFilter(paints)
    old_session = window.session

    start = time.perf_counter()
    window.open_path(path)
    job = window.model_import
    job.failed.connect(lambda text: print(text, file=sys.stderr))
    imported = wait_for(lambda: not job.running, "the import")

    def laid_out() -> bool:
        session = window.session
        return session is not old_session and len(window.scene.node_items()) == len(session.graph)

    wait_for(laid_out, "the graph")
    before = paints.count
    painted = wait_for(lambda: paints.count > before, "the first paint")
    shapes_done = wait_for(lambda: not window.session.shapes.pending, "the shapes")
    graph = window.session.graph
    errors = [nid for nid, info in window.session.shapes.results().items() if info.error]

    busiest = max(graph.nodes, key=lambda nid: len(graph.in_edges(nid) + graph.out_edges(nid)))
    item = window.scene.node_item(busiest)

    def drag(scale: float) -> list[float]:
        label = f"{scale:.0%} zoom"
        window.view.resetTransform()
        window.view.scale(scale, scale)
        window.view.centerOn(item)
        app.processEvents()
        grab = item.mapToScene(QPointF(NODE_WIDTH / 2, NODE_HEIGHT / 2))
        point = window.view.mapFromScene(grab)
        was, undo_steps = item.pos(), window.session.undo_stack.count()
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
        app.processEvents()
        times = []
        for step in range(STEPS):
            point.setX(point.x() + STEP_PX)
            point.setY(point.y() + (STEP_PX if step % 2 else -STEP_PX))
            before = paints.count
            t0 = time.perf_counter()
            QTest.mouseMove(viewport, point)
            app.processEvents()
            for _ in range(PASSES - 1):
                if paints.count > before:
                    break
                app.processEvents()
            times.append(time.perf_counter() - t0)
            if paints.count == before:
                raise SystemExit(f"canvas_scale: the canvas did not repaint ({label})")
        QTest.mouseRelease(
            viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
        )
        app.processEvents()
        if item.pos() == was or window.session.undo_stack.count() != undo_steps + 1:
            raise SystemExit(f"canvas_scale: the node did not move ({label})")
        return times

    window.fit_view()
    fit_scale = window.view.transform().m11()
    steps = {str(scale): drag(scale) for scale in SCALES}
    moves = window.session.undo_stack.count()
    memory = peak_mib()
    window.session.undo_stack.setClean()
    window.close()
    return {
        "nodes": len(graph),
        "edges": len(graph.edges),
        "shape_errors": len(errors),
        "busiest": busiest,
        "busiest_edges": len(graph.in_edges(busiest) + graph.out_edges(busiest)),
        "import_s": imported - start,
        "open_to_paint_s": painted - start,
        "open_to_shapes_s": shapes_done - start,
        "fit_scale": fit_scale,
        "step_ms": {scale: [t * 1000 for t in times] for scale, times in steps.items()},
        "undo_steps": moves,
        "peak_mib": memory,
    }


def child(role: str, path: Path) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TF_CPP_MIN_LOG_LEVEL="2")
    done = subprocess.run(
        [sys.executable, __file__, role, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=2 * TIMEOUT_S,
    )
    if done.returncode != 0:
        raise SystemExit(f"canvas_scale: the {role} process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "densenet121.keras"
        child("save", path)
        keras = child("keras", path)
        app = child("app", path)
    medians = {scale: statistics.median(times) for scale, times in app["step_ms"].items()}
    print(f"model: DenseNet121 {INPUT_SHAPE}, {keras['layers']} layers, {keras['params']:,} params")
    print(f"graph: {app['nodes']} nodes, {app['edges']} edges, {app['shape_errors']} shape errors")
    print(f"open -> imported (worker):    {app['import_s']:.2f} s")
    print(f"open -> laid out and painted: {app['open_to_paint_s']:.2f} s")
    print(f"open -> every shape known:    {app['open_to_shapes_s']:.2f} s")
    print(
        f"drag of {app['busiest']} ({app['busiest_edges']} edges), {STEPS} steps each, "
        f"{app['undo_steps']} undo steps:"
    )
    for scale, median in medians.items():
        slowest = max(app["step_ms"][scale])
        print(f"  {float(scale):4.0%} zoom: median {median:.2f} ms, max {slowest:.2f} ms")
    print(f"fit view of the whole model: {app['fit_scale']:.1%} zoom")
    print(
        f"peak memory: application {app['peak_mib']:.0f} MiB, "
        f"Keras alone {keras['peak_mib']:.0f} MiB"
    )
    print(f"{max(medians.values()):.2f}")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        role, target = sys.argv[1], sys.argv[2]
        if role == "save":
            save_model(target)
        else:
            result = keras_alone(target) if role == "keras" else application(target)
            print(json.dumps(result))
    else:
        main()
