"""The training plots' grid: lines at the axes' ticks, drawn apart from the axes, in theme."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPen

from guibuilder.ui import theme
from guibuilder.ui.training.plots import VAL_COLOR, TrainingPlots


class LineRecorder:
    """Stands in for a QPainter: keeps each line drawn with the pen it was drawn with."""

    def __init__(self) -> None:
        self.pen = QPen()
        self.lines: list[tuple[QPointF, QPointF, QPen]] = []

    def setPen(self, pen: QPen) -> None:
        self.pen = pen

    def drawLine(self, a: QPointF, b: QPointF) -> None:
        self.lines.append((a, b, self.pen))


def live_plots(qtbot, width: int = 1200, height: int = 320) -> TrainingPlots:
    """Training plots shown at ``width`` x ``height``, ready for a run reporting accuracy."""
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.resize(width, height)
    plots.show()
    qtbot.waitExposed(plots)
    plots.start_live(["accuracy"])
    return plots


def shown_plots(qtbot) -> TrainingPlots:
    plots = live_plots(qtbot)
    history = {
        "epoch": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "loss": [2.0, 1.2, 0.8, 0.5, 0.4, 0.3],
        "val_loss": [2.1, 1.4, 1.0, 0.7, 0.6, 0.6],
        "accuracy": [0.3, 0.5, 0.7, 0.8, 0.85, 0.9],
        "val_accuracy": [0.3, 0.45, 0.6, 0.7, 0.75, 0.78],
    }
    plots.set_history(history)
    plots.redraw()
    qtbot.wait(20)
    return plots


def test_grid_lines_sit_at_the_axes_ticks(qtbot):
    plots = shown_plots(qtbot)
    plot = plots.loss_plot
    item = plot.getPlotItem()
    rect = item.vb.viewRect()
    recorder = LineRecorder()
    plot.grid.paint(recorder)

    vertical = sorted({round(a.x(), 6) for a, b, _ in recorder.lines if a.x() == b.x()})
    horizontal = sorted({round(a.y(), 6) for a, b, _ in recorder.lines if a.y() == b.y()})
    ticks_x = item.getAxis("bottom").tickValues(rect.left(), rect.right(), item.vb.width())
    ticks_y = item.getAxis("left").tickValues(rect.top(), rect.bottom(), item.vb.height())
    expected_x = sorted({round(v, 6) for _, values in ticks_x[:2] for v in values})
    expected_y = sorted({round(v, 6) for _, values in ticks_y[:2] for v in values})
    assert vertical == expected_x and len(vertical) >= 3
    assert horizontal == expected_y and len(horizontal) >= 3
    # The lines span the plot, and the major ones are stronger than the minor ones.
    first = recorder.lines[0]
    assert first[0].y() == rect.top() and first[1].y() == rect.bottom()
    alphas = {pen.color().alpha() for *_, pen in recorder.lines}
    assert len(alphas) == 2


def test_axes_do_not_draw_a_grid_over_the_plot(qtbot):
    """An axis with a grid covers the whole plot, so each new point would repaint its text."""
    plots = shown_plots(qtbot)
    for plot in plots.plots:
        for side in ("left", "bottom"):
            axis = plot.getPlotItem().getAxis(side)
            assert axis.grid is False
            assert not axis.mapRectToScene(axis.boundingRect()).intersects(
                plot.getPlotItem().vb.sceneBoundingRect().adjusted(10, 10, -10, -10)
            )


def test_grid_follows_the_theme(qtbot, qapp):
    plots = shown_plots(qtbot)
    before = theme.current()
    try:
        for name in ("dark", "light"):
            theme.apply_theme(qapp, theme.THEMES[name])
            qtbot.wait(10)
            recorder = LineRecorder()
            plots.loss_plot.grid.paint(recorder)
            color = recorder.lines[0][2].color()
            text = theme.THEMES[name].text.lower()
            for _, label in plots.loss_plot.legend.items:  # readable on the theme's panel
                assert text in label.item.toHtml().lower()
            want = QColor(theme.THEMES[name].muted)
            assert (color.red(), color.green(), color.blue()) == (
                want.red(),
                want.green(),
                want.blue(),
            )
    finally:
        theme.apply_theme(qapp, before)


def test_the_legend_keeps_clear_of_the_newest_points(qtbot):
    """Rising accuracy ends top right: its legend goes bottom right; falling loss, top right."""
    plots = shown_plots(qtbot)
    legend_box = plots.metric_plot.legend.sceneBoundingRect()
    view_box = plots.metric_plot.getPlotItem().vb.sceneBoundingRect()
    assert legend_box.center().y() > view_box.center().y()
    loss_legend = plots.loss_plot.legend.sceneBoundingRect()
    assert (
        loss_legend.center().y() < plots.loss_plot.getPlotItem().vb.sceneBoundingRect().center().y()
    )
    # A metric that falls (a loss-like one) moves its legend back up.
    history = {"epoch": [1.0, 2.0, 3.0], "loss": [1.0, 0.5, 0.2], "accuracy": [0.9, 0.5, 0.1]}
    plots.set_history(history)
    plots.redraw()
    qtbot.wait(20)
    legend_box = plots.metric_plot.legend.sceneBoundingRect()
    assert legend_box.center().y() < view_box.center().y()


def test_live_data_is_drawn_one_plot_per_redraw_oldest_first(qtbot):
    """While a model trains, each tick of the panel's timer paints one plot, not three."""
    plots = shown_plots(qtbot)
    plots.set_batches([0.5, 1.0], [2.0, 1.5], [2.0, 1.8])
    history = {"epoch": [1.0, 2.0], "loss": [1.0, 0.5], "accuracy": [0.5, 0.8]}
    plots.set_history(history)
    plots.set_batches([0.5, 1.0, 1.5], [2.0, 1.5, 1.2], [2.0, 1.8, 1.6])
    assert len(plots.batch_plot.data("batch")[0]) == 0  # nothing drawn yet
    plots.redraw(limit=1)
    assert list(plots.batch_plot.data("batch")[1]) == [2.0, 1.5, 1.2]  # the newest batches
    assert len(plots.loss_plot.data("live:train")[0]) == 6  # still the old epochs
    plots.redraw(limit=1)
    assert list(plots.loss_plot.data("live:train")[1]) == [1.0, 0.5]
    assert len(plots.metric_plot.data("live:train")[0]) == 6
    plots.redraw()
    assert list(plots.metric_plot.data("live:train")[1]) == [0.5, 0.8]


def _pixels_of(widget, rect, color: QColor) -> int:
    """How many pixels in ``rect`` of ``widget`` are (nearly) ``color``."""
    image = widget.grab(rect).toImage()
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixelColor(x, y)
            if (
                abs(pixel.red() - color.red())
                + abs(pixel.green() - color.green())
                + abs(pixel.blue() - color.blue())
                < 60
            ):
                count += 1
    return count


def test_a_run_of_one_epoch_shows_its_point(qtbot):
    """After one epoch the per-epoch plots hold one value each: it is drawn, not a blank plot."""
    plots = live_plots(qtbot)
    history = {"epoch": [1.0], "loss": [0.8], "val_loss": [0.9], "accuracy": [0.7]}
    plots.set_history(history)
    plots.redraw()
    qtbot.wait(20)
    for plot, color in ((plots.loss_plot, VAL_COLOR), (plots.metric_plot, theme.current().accent)):
        plot.legend.hide()  # its samples are drawn in the curves' colours
        box = plot.getPlotItem().vb
        rect = plot.mapFromScene(box.sceneBoundingRect()).boundingRect()
        assert _pixels_of(plot, rect, QColor(color)) >= 9, plot.title


def test_a_first_epoch_sits_left_of_the_legend(qtbot):
    """After one epoch its lone points are drawn at a quarter of the width, clear of the
    legend in a right-hand corner; later epochs fill the axis."""
    plots = live_plots(qtbot, 900, 300)
    plots.set_history({"epoch": [1.0], "loss": [1.2], "val_loss": [0.4], "accuracy": [0.6]})
    plots.redraw()
    (x0, x1), _ = plots.loss_plot.getPlotItem().vb.viewRange()
    assert (x0, x1) == (0.5, 2.5)
    dot = plots.loss_plot.getPlotItem().vb.mapViewToScene(QPointF(1.0, 1.2))
    assert not plots.loss_plot.legend.sceneBoundingRect().contains(dot)
    plots.set_history({"epoch": [1.0, 2.0, 3.0], "loss": [1.2, 0.8, 0.5]})
    plots.redraw()
    assert plots.loss_plot.getPlotItem().vb.viewRange()[0] == [0.5, 3.5]
