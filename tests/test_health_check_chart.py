"""The health check's line chart as data: points in time order, marks on the y axis, mirrored right-to-left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.services.health_check.chart import HEIGHT, MARGIN_BOTTOM, MARGIN_SIDE, MARGIN_TOP, WIDTH, line_chart

START = datetime(2026, 1, 5, tzinfo=UTC)


def history(*marks):
    return [(START + timedelta(weeks=4 * index), mark) for index, mark in enumerate(marks)]


def test_no_history_no_chart():
    assert line_chart([]) is None


def test_points_run_left_to_right_evenly_and_higher_marks_are_higher_up():
    chart = line_chart(history(3, 10, 1))
    xs = [point.x for point in chart.points]
    assert xs == [MARGIN_SIDE, WIDTH / 2, WIDTH - MARGIN_SIDE]
    ys = {point.value: point.y for point in chart.points}
    assert ys[10] == MARGIN_TOP and ys[1] == HEIGHT - MARGIN_BOTTOM and ys[10] < ys[3] < ys[1]
    assert chart.line == " ".join(f"{p.x},{p.y}" for p in chart.points)
    assert [value for _y, value in chart.ticks] == [1, 4, 7, 10]
    assert (chart.first.value, chart.last.value, chart.lowest, chart.highest) == (3, 1, 1, 10)


def test_right_to_left_mirrors_the_time_axis_and_moves_the_mark_axis_to_the_right():
    ltr, rtl = line_chart(history(3, 5, 8)), line_chart(history(3, 5, 8), rtl=True)
    assert [p.x for p in rtl.points] == [WIDTH - p.x for p in ltr.points]
    assert rtl.points[0].x > rtl.points[-1].x and [p.index for p in rtl.points] == [0, 1, 2]
    assert [p.y for p in rtl.points] == [p.y for p in ltr.points]
    assert ltr.axis_x < ltr.plot_left and rtl.axis_x > rtl.plot_right


def test_one_check_sits_in_the_middle():
    (point,) = line_chart(history(7)).points
    assert point.x == WIDTH / 2 and point.value == 7


def test_a_smaller_chart_keeps_its_points_inside():
    chart = line_chart(history(1, 10), width=360, height=220)
    assert all(MARGIN_SIDE <= p.x <= 360 - MARGIN_SIDE for p in chart.points)
    assert all(MARGIN_TOP <= p.y <= 220 - MARGIN_BOTTOM for p in chart.points)
