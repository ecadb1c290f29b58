"""How long a clicked node takes to show its activations in the Inspect dock (goal <= 200 ms).

Opens each template project in the main window offscreen (File > New from template's own
code path), with Keras loaded in the background as the application does at start, and
brings the Inspect dock to the front. Each click is a real mouse event on a node of the
canvas, timed from the press to the first paint of the activation view showing that node.

- ``cold``: one click as soon as the dataset is loaded, while the Inspect worker is still
  building the model and computing the sample's activations (the wait a person meets who
  clicks within a second of opening a project). Also printed: when the worker was ready,
  and the longest the window's event loop was held up meanwhile (the worker thread
  computes; the window must stay responsive).
- ``warm``: once the worker is idle, nodes spread over the graph are clicked one after
  another, twice over; the worst of these is the figure the goal is about.

Prints each template's figures and, last, the worst warm click-to-painted time in ms over
every template and click.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Most nodes clicked per template (spread evenly over the graph's order).
CLICKS = 8
#: Layer types another tab of the Inspect panel shows when clicked.
OTHER_TAB = ("MultiHeadAttention",)
#: Longest wait for one answer before the benchmark gives up, in seconds.
TIMEOUT_S = 60.0


def spread(items: list[str], count: int) -> list[str]:
    """Up to ``count`` of ``items``, evenly spaced, keeping the first and the last."""
    if len(items) <= count:
        return list(items)
    step = (len(items) - 1) / (count - 1)
    return [items[round(i * step)] for i in range(count)]


class PaintClock:
    """Times the paints of a widget: ``last`` is when it was last painted."""

    def __init__(self, widget: object) -> None:
        from PySide6.QtCore import QEvent, QObject

        clock = self

        class Filter(QObject):
            def eventFilter(self, _watched: object, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint:
                    clock.last = time.perf_counter()
                return False

        self.last = 0.0
        self.filter = Filter()
        widget.installEventFilter(self.filter)  # type: ignore[attr-defined]


def wait(app: object, done: object, what: str) -> float:
    """Process events until ``done()``; the longest the event loop was held up, in ms."""
    deadline = time.perf_counter() + TIMEOUT_S
    last = time.perf_counter()
    longest = 0.0
    while not done():  # type: ignore[operator]
        now = time.perf_counter()
        if now > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        longest = max(longest, now - last)
        app.processEvents()  # type: ignore[attr-defined]
        last = time.perf_counter()
        longest = max(longest, last - now)
        time.sleep(0.001)
    return longest * 1000


def visible_point(view: object, item: object) -> object:
    """A point of the view where ``item`` is on top (nodes of a dense layout can overlap)."""
    from PySide6.QtCore import QPointF

    rect = item.sceneBoundingRect()  # type: ignore[attr-defined]
    for fx, fy in ((0.5, 0.5), (0.5, 0.25), (0.5, 0.75), (0.2, 0.5), (0.8, 0.5), (0.2, 0.2)):
        point = view.mapFromScene(  # type: ignore[attr-defined]
            QPointF(rect.left() + fx * rect.width(), rect.top() + fy * rect.height())
        )
        top = view.itemAt(point)  # type: ignore[attr-defined]
        while top is not None and top is not item:
            top = top.parentItem()
        if top is item:
            return point
    raise SystemExit(f"node {item.node_id!r} is hidden under other items")  # type: ignore[attr-defined]


def click(app: object, window: object, clock: PaintClock, node_id: str) -> tuple[float, float]:
    """Click ``node_id`` on the canvas: ms until the activation view painted it, and the
    longest the event loop was held up while waiting for that."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    panel = window.inspect_panel  # type: ignore[attr-defined]
    view = window.view  # type: ignore[attr-defined]
    item = window.scene.node_item(node_id)  # type: ignore[attr-defined]
    window.scene.clearSelection()  # type: ignore[attr-defined]
    view.centerOn(item)
    app.processEvents()  # type: ignore[attr-defined]
    point = visible_point(view, item)
    start = time.perf_counter()
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
    )

    def shown() -> bool:
        result = panel.last_activation
        drawn = result is not None and result.node_id == node_id
        return drawn and clock.last > start and panel.node_id == node_id

    stall = wait(app, shown, f"the activations of {node_id}")
    return (clock.last - start) * 1000, stall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("templates", nargs="*", help="template names (default: all)")
    parser.add_argument("--clicks", type=int, default=CLICKS, help=f"nodes per template ({CLICKS})")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(ROOT))
    from guibuilder.templates import TEMPLATES, get_template
    from guibuilder.ui.app import application, wait_until_idle
    from guibuilder.ui.dialogs.gallery import open_template
    from guibuilder.ui.mainwindow import MainWindow

    app = application()
    window = MainWindow()
    window.maybe_save = lambda: True  # the benchmark's projects are thrown away
    window.resize(1600, 1000)
    window.show()
    if not wait_until_idle(app, window):
        raise SystemExit("Keras did not load")
    panel = window.inspect_panel
    templates = [get_template(n) for n in args.templates] if args.templates else list(TEMPLATES)
    worst = 0.0
    clock: PaintClock | None = None
    for template in templates:
        open_template(window, template)
        wait_until_idle(app, window)
        window.inspect_dock.show()
        window.inspect_dock.raise_()
        panel.tabs.setCurrentWidget(panel.activation_page)
        wait(app, lambda: panel.dataset is not None, "the dataset")
        clock = clock or PaintClock(panel.activation_view.viewport())
        graph = window.session.graph
        # Attention layers are shown by the Attention tab, not the activation view.
        order = [n for n in graph.topological_order() if graph.node(n).type_id not in OTHER_TAB]
        nodes = spread(order, args.clicks)
        started = time.perf_counter()
        cold, stall = click(app, window, clock, order[len(order) // 2])
        stall = max(stall, wait(app, panel.worker.idle, "the Inspect worker"))
        ready = (time.perf_counter() - started) * 1000
        warm = [click(app, window, clock, node_id)[0] for node_id in nodes + nodes]
        worst = max(worst, *warm)
        print(
            f"{template.name:17s} {len(graph.nodes):3d} nodes: cold click {cold:6.1f} ms; "
            f"{len(warm)} warm clicks: median {statistics.median(warm):5.1f} ms, "
            f"worst {max(warm):5.1f} ms; worker ready after {ready:5.0f} ms, the window "
            f"held up at most {stall:4.1f} ms meanwhile",
            flush=True,
        )
    window.session.undo_stack.setClean()
    window.close()
    print(f"worst warm click-to-painted time over {len(templates)} templates (ms, goal <= 200):")
    print(f"{worst:.1f}")


if __name__ == "__main__":
    main()
