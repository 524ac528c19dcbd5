"""Every slide figure draws exactly the numbers of the results folder it comes from."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.report import figures, figures_people
from sim.report.folder import load_results_folder
from sim.report.style import MIN_FONT_POINTS, variant_colours

FOCUS = "detection-and-self-healing"
HEADLINE = "weekend_escalations_per_weekend"


@pytest.fixture(scope="module")
def folder(telco_results):
    return load_results_folder(telco_results)


@pytest.fixture(scope="module")
def colours(folder):
    return variant_colours(folder.variants)


def _texts(figure: Figure):
    figure.canvas.draw()  # tick labels exist once drawn
    found = list(figure.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text")))
    for ax in figure.axes:
        found += ax.get_xticklabels() + ax.get_yticklabels()
    for artist in found:
        if artist.get_text().strip() and artist.get_visible():
            yield artist


def _legible(figure: Figure) -> None:
    small = [(t.get_text(), t.get_fontsize()) for t in _texts(figure) if t.get_fontsize() < 14]
    assert small == [], f"text below {MIN_FONT_POINTS} pt on a slide"


def test_headline_points_and_intervals_are_the_summary_rows(folder, colours):
    figure = figures.plot_headline(
        folder.summary, HEADLINE, folder.variants[1:], colours, folder.weeks
    )
    rows = folder.summary[folder.summary["kpi"] == HEADLINE].set_index("variant")
    ax = figure.axes[0]
    containers = ax.containers
    assert len(containers) == 2
    for container, name in zip(containers, folder.variants[1:], strict=True):
        point, _caps, (bars,) = container.lines
        assert point.get_xdata()[0] == pytest.approx(rows.loc[name, "rel_change"] * 100)
        ends = sorted(np.asarray(bars.get_segments())[0][:, 0])
        assert ends == pytest.approx(
            [rows.loc[name, "rel_ci_low"] * 100, rows.loc[name, "rel_ci_high"] * 100]
        )
    assert next(label.get_text() for label in ax.get_yticklabels()).replace("\n", "") == FOCUS
    _legible(figure)


def test_kpi_bars_are_the_means_of_runs_parquet(folder, colours):
    kpis = [HEADLINE, "interruptions_sleep"]
    figure = figures.plot_kpi_bars(folder.runs, kpis, folder.variants, colours, folder.weeks)
    for ax, kpi in zip(figure.axes, kpis, strict=True):
        widths = [patch.get_width() for patch in ax.patches]
        means = folder.runs.groupby("variant", observed=True)[kpi].mean()
        assert widths == pytest.approx([means[name] for name in folder.variants])
        assert [patch.get_facecolor()[:3] for patch in ax.patches] == [
            pytest.approx(tuple(int(colours[n][i : i + 2], 16) / 255 for i in (1, 3, 5)))
            for n in folder.variants
        ]
    assert "(pages a year)" in figure.axes[1].get_xlabel().replace("\n", " ")
    _legible(figure)


def test_hour_of_week_heatmap_cells_sum_to_the_pages_kpi(folder):
    table = folder.detail["pages_by_hour"]
    runs = folder.detail_runs("pages_by_hour")
    figure = figures_people.plot_hour_of_week(table, FOCUS, runs)
    baseline, variant, difference = (ax.images[0].get_array() for ax in figure.axes[:3])
    means = folder.runs.groupby("variant", observed=True)["pages"].mean()
    assert baseline.shape == (7, 24)
    assert baseline.sum() == pytest.approx(means["baseline"])
    assert variant.sum() == pytest.approx(means[FOCUS])
    np.testing.assert_allclose(difference, variant - baseline)
    sleep = table[(table["band"] == "sleep") & (table["variant"] == "baseline")]
    assert baseline[0, 3] == pytest.approx(  # Monday 03:00 is always sleep hours
        sleep.loc[sleep["hour_of_week"] == 3, "pages"].sum() / runs
    )
    _legible(figure)


def test_people_bars_are_each_engineers_pages_per_month(folder, colours):
    people = folder.detail["people"]
    months = folder.weeks * 7 / 30
    figure = figures_people.plot_people_load(people, FOCUS, months, colours)
    left, right = figure.axes[:2]
    data = figures_people.people_data(people, FOCUS, months)
    engineers = people[people["role"] == "engineer"]
    expected = (
        engineers[engineers["variant"] == "baseline"]
        .groupby("person", observed=True)["pages"]
        .mean()
        / months
    )
    heights = [patch.get_height() for patch in left.patches]
    n = len(data)
    assert heights[:n] == pytest.approx(list(expected[data.index]))
    assert heights[:n] == sorted(heights[:n], reverse=True)
    total = (data["pages_baseline"].sum() * months) + people[
        (people["role"] == "manager") & (people["variant"] == "baseline")
    ]["pages"].sum() / folder.run_count
    assert total == pytest.approx(folder.runs.query("variant == 'baseline'")["pages"].mean())
    summary = folder.summary.set_index(["kpi", "variant"])
    shares = [patch.get_height() / 100 for patch in right.patches][: len(folder.scenario["teams"])]
    teams = [team["name"] for team in folder.scenario["teams"]]
    assert shares == pytest.approx(
        [summary.loc[(f"oncall_share_max__{team}", FOCUS), "baseline_mean"] for team in teams]
    )
    _legible(figure)


def test_weekly_lines_are_the_mean_pages_per_week(folder, colours):
    weekly = folder.detail["weekly"]
    start = dt.date.fromisoformat(folder.scenario["horizon"]["start_date"])
    figure = figures.plot_weekly(weekly, "pages", folder.variants, colours, start)
    lines = figure.axes[0].get_lines()
    assert len(lines) == len(folder.variants)
    for line, name in zip(lines, folder.variants, strict=True):
        expected = weekly[weekly["variant"] == name].groupby("week")["pages"].mean()
        np.testing.assert_allclose(line.get_ydata(), expected)
        # Pages after the horizon's end (incidents still being worked) are left out.
        total = folder.runs[folder.runs["variant"] == name]["pages"].mean()
        assert expected.sum() <= total
        assert expected.sum() > 0.99 * total
    _legible(figure)


def test_tornado_bars_span_each_settings_main_effect():
    sweep = pd.DataFrame(
        {
            "automation.self_healing.coverage": [0.2, 0.2, 0.4, 0.4],
            "automation.anomaly_detection.coverage": [0.0, 0.3, 0.0, 0.3],
            "baseline_mean": 6.0,
            "variant_mean": [5.7, 5.3, 4.7, 4.3],
            "rel_change": [-0.05, -0.12, -0.22, -0.28],
            "rel_ci_low": np.nan,
            "rel_ci_high": np.nan,
            "p_better": 1.0,
        }
    )
    data = figures.tornado_data(sweep)
    assert list(data.index) == [
        "automation.self_healing.coverage",  # -8.5% to -25%: the widest first
        "automation.anomaly_detection.coverage",
    ]
    assert data.loc["automation.self_healing.coverage", ["low", "high"]].tolist() == (
        pytest.approx([-25.0, -8.5])
    )
    figure = figures.plot_tornado(sweep, HEADLINE, 52)
    bars = figure.axes[0].patches
    assert [bar.get_x() for bar in bars] == pytest.approx(list(data["low"]))
    assert [bar.get_x() + bar.get_width() for bar in bars] == pytest.approx(list(data["high"]))
    _legible(figure)


def test_paired_differences_histogram_holds_every_run_and_the_mean_difference(folder, colours):
    figure = figures.plot_paired_differences(
        folder.runs, HEADLINE, FOCUS, colours[FOCUS], folder.weeks
    )
    ax = figure.axes[0]
    assert sum(patch.get_height() for patch in ax.patches) == folder.run_count
    row = folder.summary.query("kpi == @HEADLINE and variant == @FOCUS").iloc[0]
    mean_line = next(line for line in ax.get_lines() if line.get_linestyle() == "-")
    assert mean_line.get_xdata()[0] == pytest.approx(row.diff_mean)
    _legible(figure)


def test_same_colour_for_the_same_variant_everywhere(folder):
    colours = variant_colours(folder.variants)
    assert colours["baseline"] == "#6E6E6E"
    assert len(set(colours.values())) == len(colours)
    assert variant_colours(folder.variants) == colours
