"""Make the README's screenshots: its walkthrough, the gallery, training and Inspect.

Usage: ``.venv/bin/python resources/screenshots/make_screenshots.py [--epochs N]``.

Everything is rendered offscreen. A copy of the demo project is opened in the main window
in a temporary folder and trained for a few epochs from the training panel, as a person
would (the run folders go to that temporary folder, never into the repository); then the
training dock and the Inspect dock, showing the first conv layer, are saved as PNGs beside
this script, with the *New from template* gallery. Before training, the README's "first five
minutes" are followed on a second copy of the demo and the whole window is saved after each
step (``walkthrough-1.png`` to ``walkthrough-5.png``). Qt's settings (recent files, theme) are
kept in a temporary folder too, so the pictures use the default light theme and nothing is
left in the user's settings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEMO = ROOT / "resources" / "demo" / "digits_cnn.gbproj"
#: The window, and the size of the training and Inspect docks, each floated on its own.
WINDOW = (1400, 900)
DOCK = (1280, 640)
#: The template shown in the gallery's details pane.
GALLERY_TEMPLATE = "resnet-mini"


def settle(app, seconds: float) -> None:
    """Process events for ``seconds`` (layouts, paints, timers)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        app.processEvents()
        time.sleep(0.01)


def wait_for(app, condition, timeout: float, what: str) -> None:
    """Process events until ``condition()`` holds; exit with a message after ``timeout``."""
    until = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > until:
            raise SystemExit(f"make_screenshots: {what} did not happen within {timeout:.0f} s")
        app.processEvents()
        time.sleep(0.01)


def save(widget, name: str) -> None:
    path = HERE / name
    if not widget.grab().save(str(path)):
        raise SystemExit(f"make_screenshots: could not write {path}")
    print(f"{path.relative_to(ROOT)}: {widget.width()}x{widget.height()}")


def gallery(app, window) -> None:
    from guibuilder.ui.dialogs.gallery import TemplateGalleryDialog

    dialog = TemplateGalleryDialog(window)
    dialog.show()
    dialog.select(GALLERY_TEMPLATE)
    settle(app, 0.5)
    save(dialog, "gallery.png")
    dialog.reject()
    dialog.deleteLater()


def float_dock(app, dock) -> None:
    """Show ``dock`` on its own at the size :data:`DOCK`, wide enough for its plots."""
    dock.show()
    dock.setFloating(True)
    dock.resize(*DOCK)
    settle(app, 0.3)


def train(app, window, folder: Path, epochs: int) -> None:
    window.show_training()
    float_dock(app, window.training_dock)
    panel = window.training_panel
    panel.run_root_override = folder / "runs"
    panel._commit("epochs", epochs)
    ended: list[str] = []
    panel.run_ended.connect(ended.append)
    panel.start()
    wait_for(app, lambda: ended, 300, "the training run's end")
    if ended != ["finished"]:
        raise SystemExit(f"make_screenshots: the run ended with {ended}")
    settle(app, 1.0)
    save(window.training_dock, "training.png")


def inspect(app, window) -> None:
    graph = window.session.graph
    conv = next(n for n in graph.nodes if graph.node(n).type_id == "Conv2D")
    panel = window.inspect_panel
    window.training_dock.setFloating(False)
    float_dock(app, window.inspect_dock)
    wait_for(app, lambda: panel.dataset is not None, 120, "the Inspect dock's dataset")
    draws = panel._draws
    window.scene.select_nodes([conv])
    wait_for(app, lambda: panel._draws > draws, 120, f"the activations of {conv}")
    settle(app, 1.5)
    save(window.inspect_dock, "inspect.png")


def walkthrough(app, window, folder: Path) -> None:
    """The README's steps 1 to 4 on a copy of the demo, the window saved after each."""
    from PySide6.QtWidgets import QPushButton

    from guibuilder.graph import Edge

    project = folder / "walkthrough" / DEMO.name
    project.parent.mkdir()
    shutil.copy(DEMO, project)
    window.load(project)
    session, graph = window.session, window.session.graph
    named = {n.name: n.id for n in graph.nodes.values()}
    conv32, flatten = named["Conv 32"], named["Flatten"]
    settle(app, 1.0)
    save(window, "walkthrough-1.png")
    # 2. `pool` in the palette's search box, MaxPooling2D dropped onto Conv 32 -> Flatten.
    window.palette.search.setText("pool")
    (edge,) = [e for e in graph.edges if (e.source, e.target) == (conv32, flatten)]
    middle = window.scene.edge_item(edge).path().pointAtPercent(0.5)
    pool = session.splice("MaxPooling2D", edge, (middle.x(), middle.y()))
    window.scene.select_nodes([pool])
    settle(app, 0.5)
    save(window, "walkthrough-2.png")
    # 3. Conv2D double-clicked into the view; the edge to Flatten deleted, two port drags.
    window.palette.search.clear()
    before = set(graph.nodes)
    window.add_layer_at_center("Conv2D")
    (conv,) = set(graph.nodes) - before
    settle(app, 0.5)
    save(window, "walkthrough-3.png")
    (cut,) = [e for e in graph.edges if (e.source, e.target) == (pool, flatten)]
    window.scene.clearSelection()
    window.scene.edge_item(cut).setSelected(True)
    window.delete_action.trigger()
    session.add_edge(Edge(pool, conv))
    session.add_edge(Edge(conv, flatten))
    window.scene.select_nodes([conv])
    wait_for(app, lambda: window.scene.node_item(conv).error, 30, "the Conv2D's error")
    settle(app, 0.5)
    # 4. Connected: the error and its quick fix in the inspector; then the fix applied.
    fixes = [b for b in window.inspector.findChildren(QPushButton) if "padding" in b.text()]
    if not fixes:
        raise SystemExit("make_screenshots: the inspector offers no padding fix")
    save(window, "walkthrough-4.png")
    fixes[0].click()
    wait_for(app, lambda: not window.scene.node_item(conv).error, 30, "the fix")
    settle(app, 0.5)
    save(window, "walkthrough-5.png")
    session.undo_stack.setClean()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs of the run (3)")
    args = parser.parse_args()
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
        os.environ["XDG_DATA_HOME"] = str(folder / "data")
        from guibuilder.ui.app import application, wait_until_idle
        from guibuilder.ui.mainwindow import MainWindow

        app = application()
        window = MainWindow()
        window.resize(*WINDOW)
        window.show()
        if not wait_until_idle(app, window):
            raise SystemExit("make_screenshots: Keras did not load")
        walkthrough(app, window, folder)
        project = folder / DEMO.name
        shutil.copy(DEMO, project)
        window.load(project)
        gallery(app, window)
        train(app, window, folder, args.epochs)
        inspect(app, window)
        window.session.undo_stack.setClean()
        window.close()


if __name__ == "__main__":
    main()
