"""How soon the Inspect dock's Predict, Adversarial and Attribution tabs answer a person.

Opens the demo project in the main window offscreen with Keras loaded, brings the Inspect
dock to the front and waits for its dataset. Then:

- Predict: draws strokes on the pad with real mouse events and times each from the mouse
  release to that drawing's probabilities on the bars (the first stroke also builds the
  model, so it is shown but left out of the last line);
- Adversarial: moves the epsilon slider and times from the move to the adversarial image
  for the new epsilon (the slider waits for a pause before it asks the worker);
- Attribution: steps through samples and times from the change to the three maps.

Also records the longest the event loop was held up (the models run in the Inspect
worker thread). Prints each figure and, last, the worst release-to-shown time in ms of
the strokes after the first.
"""

from __future__ import annotations

import math
import time

from _demo_window import demo_window

#: Strokes drawn, slider drags and samples stepped through.
ROUNDS = 8
#: Longest wait for one answer, in seconds.
TIMEOUT_S = 60.0


def wait(app, condition) -> float:
    """Process events until ``condition()``; returns the longest event-loop turn in ms."""
    longest = 0.0
    end = time.perf_counter() + TIMEOUT_S
    while not condition():
        if time.perf_counter() > end:
            raise SystemExit("no answer within the time limit")
        start = time.perf_counter()
        app.processEvents()
        longest = max(longest, time.perf_counter() - start)
        time.sleep(0.001)
    return longest * 1000


def _fmt(times: list[float]) -> str:
    return " ".join(f"{t:.0f}" for t in times)


def tab(panel, name: str):
    for i in range(panel.tabs.count()):
        if panel.tabs.tabText(i) == name:
            panel.tabs.setCurrentIndex(i)
            return panel.tabs.widget(i)
    raise SystemExit(f"the Inspect dock has no {name} tab")


def main() -> None:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    with demo_window(epochs=1) as (app, window, _folder):
        window.inspect_dock.show()
        window.inspect_dock.raise_()
        panel = window.inspect_panel
        wait(app, lambda: panel.dataset is not None)
        held = 0.0

        page = tab(panel, "Predict")
        wait(app, lambda: page.pad is not None)
        app.processEvents()
        strokes = []
        for k in range(ROUNDS):
            page.pad.clear()
            rect = page.pad.pad_rect()
            angle = k * math.pi / ROUNDS
            points = [
                QPoint(
                    round(rect.center().x() + t * rect.width() * 0.35 * math.cos(angle)),
                    round(rect.center().y() + t * rect.height() * 0.35 * math.sin(angle)),
                )
                for t in (-1.0, -0.5, 0.0, 0.5, 1.0)
            ]
            button, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
            QTest.mousePress(page.pad, button, none, points[0])
            for point in points[1:]:
                QTest.mouseMove(page.pad, point)
            QTest.mouseRelease(page.pad, button, none, points[-1])
            drawn = page.pad.version
            start = time.perf_counter()
            held = max(
                held,
                wait(
                    app,
                    lambda drawn=drawn: (
                        page.last_result is not None and page.last_result.stroke == drawn
                    ),
                ),
            )
            strokes.append((time.perf_counter() - start) * 1000)
        print(f"predict: stroke released -> probabilities shown, ms: {_fmt(strokes)}")

        page = tab(panel, "Adversarial")
        wait(app, lambda: page.last_result is not None)
        slides = []
        for k in range(ROUNDS):
            page.slider.setValue(5 + 5 * (k % 8))
            target = page.epsilon()
            start = time.perf_counter()
            held = max(
                held,
                wait(app, lambda target=target: abs(page.last_result.epsilon - target) < 1e-9),
            )
            slides.append((time.perf_counter() - start) * 1000)
        print(
            f"adversarial: slider moved -> image shown, ms: {_fmt(slides)} "
            f"(includes the {page.debounce.interval()} ms debounce)"
        )

        page = tab(panel, "Attribution")
        wait(app, lambda: page.last_result is not None)
        maps = []
        for k in range(1, ROUNDS + 1):
            panel.sample_box.setValue(k)
            start = time.perf_counter()
            held = max(held, wait(app, lambda k=k: page.last_result.sample == k))
            maps.append((time.perf_counter() - start) * 1000)
        print(f"attribution: sample chosen -> three maps shown, ms: {_fmt(maps)}")
        print(f"longest event-loop turn while answering: {held:.0f} ms")
        print(f"{max(strokes[1:]):.0f}")


if __name__ == "__main__":
    main()
