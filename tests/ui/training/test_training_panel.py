"""The training panel: settings through the undo stack, real runs, stop, NaN, lint, overlays."""

from __future__ import annotations

import importlib
import shutil
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QIcon
from PySide6.QtTest import QTest

from guibuilder.document import Project, save_project
from guibuilder.graph import Graph
from guibuilder.ui import theme
from guibuilder.ui.mainwindow import MainWindow
from guibuilder.ui.training.panel import TrainingPanel

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo" / "digits_cnn.gbproj"
RUN_TIMEOUT_MS = 90_000


@pytest.fixture(autouse=True)
def no_thread_left():
    """Every test waits for its training thread: none may outlive it."""
    yield
    alive = [t.name for t in threading.enumerate() if t.name == "guibuilder-training"]
    assert not alive, alive


@pytest.fixture
def demo(window: MainWindow, tmp_path) -> MainWindow:
    path = tmp_path / "digits_cnn.gbproj"
    shutil.copy(DEMO, path)
    window.load(path)
    window.show_training()
    return window


def click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def set_spin(window: MainWindow, name: str, value: int) -> None:
    """Type ``value`` into a spin box of the form, as a person does."""
    box = window.training_panel._editors[name]
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, str(value))
    QTest.keyClick(box, Qt.Key.Key_Return)


def train(qtbot, window: MainWindow) -> str:
    panel = window.training_panel
    with qtbot.waitSignal(panel.run_ended, timeout=RUN_TIMEOUT_MS) as ended:
        click(panel.start_button)
    return ended.args[0]


def show_dense_on_moons(window: MainWindow, inputs: int, units: int) -> Graph:
    """Open an Input of ``inputs`` values and a softmax Dense of ``units``, on ``moons``."""
    graph = Graph("moons")
    graph.add_node("Input", {"shape": [inputs]}, node_id="x")
    graph.add_node("Dense", {"units": units, "activation": "softmax"}, node_id="out")
    graph.connect("x", "out")
    window.set_session(type(window.session)(Project(graph=graph, dataset={"name": "moons"})))
    return graph


# ------------------------------------------------------------------ settings
def test_settings_are_saved_in_the_project_and_undoable(demo):
    panel = demo.training_panel
    project = demo.session.project
    assert project.training["epochs"] != 7
    set_spin(demo, "epochs", 7)
    assert project.training["epochs"] == 7
    assert demo.session.modified and demo.isWindowModified()
    rate = panel._editors["learning_rate"]
    rate.setFocus()
    rate.selectAll()
    QTest.keyClicks(rate, "lots")
    QTest.keyClick(rate, Qt.Key.Key_Return)
    assert "Learning rate must be a number" in panel.form_error.text()
    assert rate.property("invalid") is True
    demo.undo_action.trigger()
    assert project.training["epochs"] != 7
    assert panel._editors["epochs"].value() == project.training["epochs"]
    assert not demo.session.modified


def test_arrow_keys_through_a_setting_are_one_undo_step(qtbot, demo):
    project, stack = demo.session.project, demo.session.undo_stack
    epochs = demo.training_panel._editors["epochs"]
    before, steps = project.training["epochs"], stack.count()
    epochs.setFocus()
    qtbot.waitUntil(epochs.hasFocus)
    for _ in range(4):
        QTest.keyClick(epochs, Qt.Key.Key_Up)
    assert project.training["epochs"] == before + 4 and stack.count() == steps + 1
    demo.undo_action.trigger()
    assert project.training["epochs"] == before


def test_a_batch_size_past_its_bound_is_one_sentence_not_an_overflow(window):
    graph = Graph("big batch")
    graph.add_node("Input", {"shape": [2]}, node_id="x")
    project = Project(graph=graph, dataset={"name": "moons"}, training={"batch_size": 10**12})
    window.set_session(type(window.session)(project))
    window.show_training()
    panel = window.training_panel
    assert "'batch_size' must be a whole number from 1 to 65,536" in panel.form_error.text()
    assert panel._editors["batch_size"].maximum() == 65_536


def test_metrics_are_ticked_in_the_pickers_menu_and_undoable(demo, qtbot):
    button = demo.training_panel._editors["metrics"]
    project = demo.session.project
    before = project.training.get("metrics")

    def tick_auc() -> None:
        menu = button.menu()
        next(a for a in menu.actions() if a.text() == "auc").trigger()
        menu.close()

    QTimer.singleShot(50, tick_auc)
    click(button)  # opens the menu, as a person does
    qtbot.waitUntil(lambda: project.training.get("metrics") != before)
    assert "auc" in project.training["metrics"]
    assert "auc" in button.text()
    demo.undo_action.trigger()
    assert project.training.get("metrics") == before
    assert "auc" not in button.text()


def opaque_colors(icon: QIcon, mode: QIcon.Mode) -> set[str]:
    image = icon.pixmap(20, 20, mode).toImage()
    return {
        image.pixelColor(x, y).name()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    }


def test_the_run_buttons_icons_are_drawn_in_the_theme(demo, qapp):
    """A disabled button's icon stays visible on a dark panel: it takes the muted colour."""
    panel = demo.training_panel
    assert not panel.pause_button.isEnabled()
    try:
        for name in ("dark", "light"):
            colors = theme.THEMES[name]
            theme.apply_theme(qapp, colors)
            qapp.processEvents()
            pause = panel.pause_button.icon()
            assert QColor(colors.muted).name() in opaque_colors(pause, QIcon.Mode.Disabled)
            assert QColor(colors.text).name() in opaque_colors(pause, QIcon.Mode.Normal)
    finally:
        theme.apply_theme(qapp, theme.LIGHT)


def test_choosing_a_dataset_and_sgd_shows_momentum(window):
    panel = window.training_panel
    panel._editors["dataset"].setCurrentIndex(panel._editors["dataset"].findData("moons"))
    panel._editors["dataset"].activated.emit(panel._editors["dataset"].currentIndex())
    assert window.session.project.dataset == {"name": "moons"}
    optimizer = panel._editors["optimizer"]
    assert panel._editors["momentum"].isHidden()
    optimizer.setCurrentText("sgd")
    optimizer.activated.emit(optimizer.currentIndex())
    assert window.session.project.training["optimizer"] == "sgd"
    assert not panel._editors["momentum"].isHidden()
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert window.session.project.dataset is None
    assert panel._editors["optimizer"].currentText() == "adam"


def test_lint_errors_are_shown_and_a_second_start_is_needed(qtbot, window):
    show_dense_on_moons(window, 5, 3)
    panel = window.training_panel
    click(panel.start_button)
    qtbot.waitUntil(lambda: panel.lint_box.isVisibleTo(panel), timeout=20_000)
    assert "'x'" in panel.lint_label.text()
    assert panel.training is None and panel.start_button.text() == "Train anyway"


def test_the_siamese_template_trains_on_its_pairs_at_the_first_click(qtbot, window, tmp_path):
    """Its two Inputs take the two images of digits (pairs): no lint error holds it back."""
    from guibuilder.templates import get_template
    from guibuilder.ui.dialogs.gallery import open_template

    assert open_template(window, get_template("siamese"))
    panel = window.training_panel
    panel.run_root_override = tmp_path / "runs"
    window.show_training()
    set_spin(window, "epochs", 1)
    assert train(qtbot, window) == "finished", panel.status_label.text()
    assert not panel.lint_box.isVisibleTo(panel), panel.lint_label.text()
    window.session.undo_stack.setClean()


def test_the_input_follows_the_data_when_the_user_confirms(qtbot, window):
    graph = show_dense_on_moons(window, 5, 2)
    panel = window.training_panel
    click(panel.start_button)
    qtbot.waitUntil(lambda: panel.fit_input_button.isVisibleTo(panel), timeout=20_000)
    click(panel.fit_input_button)
    assert graph.node("x").params["shape"] == [2]
    assert "'x'" not in panel.lint_label.text()
    assert not panel.fit_input_button.isVisibleTo(panel)
    window.session.undo_stack.undo()
    assert graph.node("x").params["shape"] == [5]


def test_a_model_too_big_for_the_memory_is_refused_and_the_window_stays_up(
    qtbot, window, monkeypatch
):
    lint = importlib.import_module("guibuilder.data.lint")  # the module, not the function
    # bytes: 4x(2x2+2) parameter floats need 96, 2x(2+2) outputs for 32 samples 1,024
    monkeypatch.setattr(lint, "machine_memory", lambda: 90)
    show_dense_on_moons(window, 2, 2)
    panel = window.training_panel
    click(panel.start_button)
    qtbot.waitUntil(lambda: "this machine has" in panel.status_label.text(), timeout=20_000)
    assert (
        "the model needs about 1.1 kB to train (6 parameters, 4 layer outputs per sample at "
        "batch size 32)" in panel.status_label.text()
    )
    assert "90 bytes of memory" in panel.status_label.text()
    assert panel.training is None and window.isVisible() and panel.start_button.isEnabled()


def test_start_without_a_dataset_says_so(window):
    click(window.training_panel.start_button)
    assert "Choose a dataset" in window.training_panel.status_label.text()
    assert window.training_panel.training is None


def test_the_plots_get_a_usable_height_and_the_docks_keep_the_users_height(qtbot, window):
    window.training_dock.raise_()  # the Training tab, as a click on it does
    qtbot.waitUntil(lambda: window.training_panel.plots.loss_plot.isVisible())
    plots = window.training_panel.plots
    assert min(p.height() for p in (plots.batch_plot, plots.loss_plot, plots.metric_plot)) >= 200
    # The user drags the docks higher: Train leaves that height alone, and the next
    # window opens with it.
    window.resizeDocks([window.training_dock], [520], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: window.training_dock.height() > 450)
    chosen = window.training_dock.height()
    window.show_training()
    assert window.training_dock.height() == chosen
    window.close()
    again = MainWindow(load_keras=False)
    qtbot.addWidget(again)
    again.resize(1400, 900)
    again.show()
    qtbot.waitExposed(again)
    again.show_training()
    qtbot.waitUntil(lambda: abs(again.training_dock.height() - chosen) <= 10)
    again.close()


# ---------------------------------------------------------------------- runs
def test_a_run_started_from_the_panel_draws_curves_and_ends(qtbot, demo):
    panel = demo.training_panel
    set_spin(demo, "epochs", 2)
    progress: list[int] = []
    panel.progress.valueChanged.connect(progress.append)
    assert train(qtbot, demo) == "finished"
    plots = panel.plots
    x, y = plots.batch_plot.data("batch")
    assert len(x) >= 2 and x[-1] == pytest.approx(2.0, abs=0.1)
    assert len(plots.batch_plot.data("batch_smooth")[1]) == len(y)
    assert list(plots.loss_plot.data("live:train")[0]) == [1.0, 2.0]
    assert len(plots.loss_plot.data("live:val")[1]) == 2
    assert plots.metric == "accuracy" and len(plots.metric_plot.data("live:train")[1]) == 2
    assert len(set(progress)) > 2 and panel.progress.value() == panel.progress.maximum()
    assert panel.device_label.text()
    assert "Trained 2 epochs" in panel.status_label.text()
    assert demo.session.project.weights is not None and demo.session.modified
    # The run is listed; ticking it overlays its curves.
    assert panel.runs_list.count() == 1
    run_dir = Path(panel.runs_list.item(0).data(Qt.ItemDataRole.UserRole))
    assert (run_dir / "history.csv").exists()
    panel.runs_list.item(0).setCheckState(Qt.CheckState.Checked)
    assert len(plots.loss_plot.data("run0:train")[0]) == 2
    # Hovering the epoch plot reads out the values.
    plot = plots.loss_plot
    box = plot.getPlotItem().vb
    point = plot.mapFromScene(box.sceneBoundingRect().center())
    QTest.mouseMove(plot.viewport(), QPoint(point.x() - 20, point.y() + 10))
    QTest.mouseMove(plot.viewport(), QPoint(point.x() + 2, point.y()))
    qtbot.waitUntil(lambda: plot.readout.isVisible(), timeout=2000)
    text = plot.readout.toPlainText()
    assert text.startswith("epoch ") and "loss: " in text and "val_loss: " in text
    click(plots.log_box)
    assert plot.getPlotItem().ctrl.logYCheck.isChecked()


def test_stop_ends_a_run(qtbot, demo):
    panel = demo.training_panel
    set_spin(demo, "epochs", 500)
    click(panel.start_button)
    qtbot.waitUntil(lambda: len(panel.plots.batch_plot.data("batch")[0]) > 0, timeout=60_000)
    click(panel.pause_button)
    assert panel.state == "paused" and panel.pause_button.text() == "Resume"
    assert panel.pause_action.text() == "&Resume"  # the menu and tool bar say so too
    click(panel.pause_button)
    assert panel.state == "running"
    with qtbot.waitSignal(panel.run_ended, timeout=RUN_TIMEOUT_MS) as ended:
        click(panel.stop_button)
    assert ended.args == ["stopped"]
    assert "stopped after" in panel.status_label.text().lower()
    assert panel.start_button.isEnabled() and not panel.stop_button.isEnabled()
    # The project had no weights: the partly trained ones are kept, and the message says so.
    assert demo.session.project.weights is not None
    assert "partly trained weights are kept in the project" in panel.status_label.text()


def test_stopping_early_keeps_the_previous_weights_and_leaves_the_partial_ones_in_the_run(
    qtbot, demo
):
    panel = demo.training_panel
    set_spin(demo, "epochs", 1)
    assert train(qtbot, demo) == "finished"
    trained = demo.session.project.weights
    assert trained is not None
    set_spin(demo, "epochs", 500)
    click(panel.start_button)
    qtbot.waitUntil(lambda: len(panel.plots.batch_plot.data("batch")[0]) > 2, timeout=60_000)
    with qtbot.waitSignal(panel.run_ended, timeout=RUN_TIMEOUT_MS) as ended:
        click(panel.stop_button)
    assert ended.args == ["stopped"]
    assert demo.session.project.weights is trained
    run_dir = panel.last_result.run_dir
    text = panel.status_label.text()
    assert "keeps its previous weights" in text and run_dir.name in text
    assert (run_dir / "last.keras").exists()


def test_pause_shows_the_true_batch_at_which_the_run_holds(qtbot, demo):
    panel = demo.training_panel
    set_spin(demo, "epochs", 500)
    click(panel.start_button)
    qtbot.waitUntil(lambda: len(panel.plots.batch_plot.data("batch")[0]) > 3, timeout=60_000)
    click(panel.pause_button)
    assert panel.progress.format().startswith(("Pausing…", "Paused"))
    qtbot.waitUntil(lambda: panel.progress.format().startswith("Paused"), timeout=10_000)
    held = panel.progress.value()
    assert held == panel.training.steps_done == panel.training.steps_started
    qtbot.wait(700)  # no batch trains, and no queued one is drawn, while paused
    assert panel.progress.value() == held == panel.training.steps_done
    with qtbot.waitSignal(panel.run_ended, timeout=RUN_TIMEOUT_MS):
        click(panel.stop_button)


def test_a_nan_run_shows_its_message_and_the_window_stays_up(qtbot, window, tmp_path):
    graph = Graph("sine")
    graph.add_node("Input", {"shape": [20, 1]}, node_id="input")
    graph.add_node("Flatten", node_id="flatten")
    graph.add_node("Dense", {"units": 1}, node_id="out")
    graph.connect("input", "flatten")
    graph.connect("flatten", "out")
    training = {"optimizer": "sgd", "learning_rate": 10.0, "batch_size": 8, "epochs": 1}
    path = tmp_path / "sine.gbproj"
    save_project(Project(graph, dataset={"name": "sine"}, training=training), path)
    window.load(path)
    assert train(qtbot, window) == "nan"
    panel = window.training_panel
    assert "NaN or infinite" in panel.status_label.text()
    assert panel.progress.format() == "Failed"
    assert window.isVisible() and panel.start_button.isEnabled()
    assert window.session.project.weights is None and len(window.session.graph.nodes) == 3


# -------------------------------------------------------------------- layout
def test_dragging_the_splitter_narrows_the_settings_and_a_new_window_keeps_it(
    qtbot, window, monkeypatch
):
    window.resize(1900, 900)  # the bottom dock has room for the settings and the plots
    window.show_training()
    panel = window.training_panel
    loss = panel._editors["loss"]
    loss.setCurrentIndex(loss.findText("sparse_categorical_crossentropy"))
    qtbot.waitUntil(lambda: panel.side.width() == panel.default_form_width())
    assert not loss.elided()  # the longest loss shows whole at the default width

    # Drag the handle 90 px to the left; the mouse's path is fixed on the splitter, and the
    # handle, which follows the mouse, gets it in its own coordinates.
    splitter, handle = panel.splitter, panel.splitter.handle(1)
    start = handle.geometry().center()
    width = panel.side.width()
    QTest.mousePress(handle, Qt.MouseButton.LeftButton, pos=handle.mapFrom(splitter, start))
    for step in range(1, 10):
        QTest.mouseMove(handle, handle.mapFrom(splitter, start - QPoint(10 * step, 0)))
    end = handle.mapFrom(splitter, start - QPoint(90, 0))
    QTest.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=end)
    qtbot.waitUntil(lambda: panel.side.width() == width - 90)
    assert loss.elided()  # shortened in the middle: its tooltip names it whole
    # (What a hover shows; a real tooltip shown here crashed a later test offscreen.)
    assert loss.elided_tip().startswith("sparse_categorical_crossentropy\n")

    # A new panel (as in the next session's window) opens its settings at that width.
    second = TrainingPanel()
    qtbot.addWidget(second)
    second.resize(panel.size())
    second.show()
    qtbot.waitExposed(second)
    qtbot.waitUntil(lambda: abs(second.side.width() - (width - 90)) <= 1)
    second.close()
