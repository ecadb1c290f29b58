"""Projects with trained weights for the Inspect tab tests, trained once per test run."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtWidgets import QApplication

from guibuilder.document import Project, load_project
from guibuilder.ui.mainwindow import MainWindow
from guibuilder.ui.window_editor import WindowEditor

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "digits_cnn.gbproj"
#: Keras is imported by the first job, which can take a while on a busy machine.
SLOW = 60_000


@cache
def _trained_weights(template: str | None) -> tuple[object, dict]:
    """The weights of the demo CNN (or of ``template``) after one short epoch."""
    import keras

    from guibuilder.compiler.build import build_model
    from guibuilder.data import load_dataset
    from guibuilder.document.weights import WeightStore

    project = _fresh(template)
    data = load_dataset(project.dataset)
    keras.utils.set_random_seed(0)
    model = build_model(project.graph)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(data.x_train[:512], data.y_train[:512], epochs=1, batch_size=64, verbose=0)
    store = WeightStore.from_model(model, project.graph)
    return store, {k: store.get(k) for k in store}


def _fresh(template: str | None) -> Project:
    if template is None:
        return load_project(DEMO)
    from guibuilder.templates import get_template

    return get_template(template).project()


def open_trained(window: MainWindow, template: str | None = None) -> WindowEditor:
    """Open the demo CNN (or ``template``) with freshly trained weights in ``window``."""
    from guibuilder.document.weights import WeightStore

    _store, arrays = _trained_weights(template)
    project = _fresh(template)
    project.weights = WeightStore(arrays)
    session = WindowEditor(project)
    window.set_session(session)
    QApplication.processEvents()
    return session


def show_tab(window: MainWindow, title: str):
    """Bring the Inspect dock and its tab ``title`` to the front; returns the tab."""
    panel = window.inspect_panel
    window.inspect_dock.show()
    window.inspect_dock.raise_()
    for i in range(panel.tabs.count()):
        if panel.tabs.tabText(i) == title:
            panel.tabs.setCurrentIndex(i)
            return panel.tabs.widget(i)
    raise AssertionError(f"no Inspect tab {title!r}")
