"""The quickstart notebook runs end to end, and the plots it uses show what sim.stats computes."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.metrics import KPI_DESCRIPTIONS
from sim.report.plots import plot_kpi_means, plot_paired_change
from sim.stats import compare, mean_ci

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
QUICKSTART = NOTEBOOKS / "quickstart.ipynb"
KPI = "weekend_escalations_per_weekend"
VARIANTS = ["baseline", "more-runbooks", "detection"]


@pytest.fixture
def runs() -> pd.DataFrame:
    """Synthetic paired runs: 10 runs x 3 variants, the variants lowering the KPI."""
    rng = np.random.default_rng(7)
    base = rng.normal(8.0, 1.0, size=10)
    values = {
        "baseline": base,
        "more-runbooks": base * 0.8 + rng.normal(0, 0.1, 10),
        "detection": base * 0.7 + rng.normal(0, 0.1, 10),
    }
    rows = [
        {"run": run, "variant": name, KPI: values[name][run], "pages": float(run)}
        for run in range(10)
        for name in VARIANTS
    ]
    table = pd.DataFrame(rows)
    table["variant"] = pd.Categorical(table["variant"], categories=VARIANTS)
    return table


def _error_bars(figure: Figure) -> tuple[np.ndarray, np.ndarray]:
    """(points (n, 2), error-bar segments (n, 2, 2)) of the single error-bar plot drawn."""
    (container,) = figure.axes[0].containers
    data_line, _caps, (bars,) = container.lines
    points = np.column_stack(data_line.get_data())
    return points, np.array(bars.get_segments())


def test_kpi_means_error_bars_are_mean_ci(runs: pd.DataFrame) -> None:
    figure = plot_kpi_means(runs, KPI)
    assert isinstance(figure, Figure)
    points, segments = _error_bars(figure)
    assert len(points) == len(VARIANTS)
    ax = figure.axes[0]
    assert [label.get_text().replace("\n", "") for label in ax.get_xticklabels()] == VARIANTS
    for index, name in enumerate(VARIANTS):
        mean, low, high = mean_ci(runs.loc[runs["variant"] == name, KPI].to_numpy())
        assert points[index, 1] == pytest.approx(mean)
        assert sorted(segments[index][:, 1]) == pytest.approx([low, high])
    description = KPI_DESCRIPTIONS[KPI]
    assert ax.get_ylabel().replace("\n", " ") == description[0].upper() + description[1:]
    figure.savefig(io.BytesIO(), format="png")  # renders headless (Agg), no pyplot involved


def test_paired_change_points_are_relative_change_in_percent(runs: pd.DataFrame) -> None:
    summary = compare(runs, [KPI, "pages"])
    given = Figure().add_subplot()
    figure = plot_paired_change(summary, KPI, ax=given)
    assert figure is given.figure
    points, segments = _error_bars(figure)
    rows = summary[summary["kpi"] == KPI]
    assert len(points) == len(rows) == len(VARIANTS) - 1
    np.testing.assert_allclose(points[:, 1], rows["rel_change"] * 100)
    np.testing.assert_allclose(segments[:, :, 1].min(axis=1), rows["rel_ci_low"] * 100)
    np.testing.assert_allclose(segments[:, :, 1].max(axis=1), rows["rel_ci_high"] * 100)
    assert any(line.get_ydata()[0] == 0 for line in given.get_lines())  # the zero line
    with pytest.raises(ValueError, match="no comparison rows"):
        plot_paired_change(summary, "not_a_kpi")


def test_single_run_draws_points_without_bars(runs: pd.DataFrame) -> None:
    points, segments = _error_bars(plot_kpi_means(runs[runs["run"] == 0], KPI))
    assert len(points) == len(VARIANTS)
    assert np.all(segments[:, 0, 1] == segments[:, 1, 1])  # undefined CI: zero-length bar


def _check_kernel_runs_this_python() -> None:
    """Fail clearly when the `python3` kernelspec would start an interpreter without `sim`."""
    from jupyter_client.kernelspec import KernelSpecManager

    argv0 = KernelSpecManager().get_kernel_spec("python3").argv[0]
    # jupyter_client replaces a bare `python`/`python3`/`python3.X` with sys.executable.
    bare = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info)}
    if argv0 not in bare and Path(argv0).resolve() != Path(sys.executable).resolve():
        pytest.fail(
            f"the python3 kernelspec starts {argv0}, not this interpreter ({sys.executable}); "
            "remove the stray kernelspec or run `python -m ipykernel install --sys-prefix`"
        )


def test_quickstart_notebook_executes() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    _check_kernel_runs_this_python()

    notebook = nbformat.read(QUICKSTART, as_version=4)
    (parameters,) = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert "RUNS = " in parameters.source
    parameters.source = "RUNS = 12"

    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell

    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [out for cell in code_cells for out in cell.outputs if out.output_type == "error"]
    assert not errors
    (plot_cell,) = [cell for cell in code_cells if "plot_paired_change(" in cell.source]
    images = [out for out in plot_cell.outputs if "image/png" in out.get("data", {})]
    assert len(images) == 1


DECK_NOTEBOOK = NOTEBOOKS / "leadership-deck.ipynb"


def test_leadership_deck_notebook_builds_every_figure_and_the_deck(tmp_path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    _check_kernel_runs_this_python()

    notebook = nbformat.read(DECK_NOTEBOOK, as_version=4)
    (parameters,) = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert "RUNS = " in parameters.source and "RESULTS_DIR = " in parameters.source
    results = tmp_path / "results"
    parameters.source = f"RUNS = 6\nRESULTS_DIR = {str(results)!r}"
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()

    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert not [out for cell in code_cells for out in cell.outputs if out.output_type == "error"]
    plotting = [cell for cell in code_cells if "plot_" in cell.source]
    assert len(plotting) == 7
    for cell in plotting:
        images = [out for out in cell.outputs if "image/png" in out.get("data", {})]
        assert len(images) == 1, cell.source
    from pptx import Presentation

    assert len(Presentation(str(results / "deck.pptx")).slides) == 7
