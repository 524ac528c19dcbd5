"""Global sensitivity (`oncall-sim sensitivity`): SALib's samplers wired to known answers, and a
scenario in which only one input matters."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from builders import small_scenario_document
from SALib.test_functions import Ishigami
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.sensitivity import (
    TABLE_COLUMNS,
    ParameterRange,
    SensitivityError,
    analyze,
    parse_params,
    sample_points,
)

ISHIGAMI = [ParameterRange(f"x{i}", -np.pi, np.pi) for i in (1, 2, 3)]
#: Analytic Sobol indices of the Ishigami function (a = 7, b = 0.1): Ishigami & Homma (1990).
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def test_sobol_wiring_recovers_the_ishigami_indices():
    points = sample_points(ISHIGAMI, "sobol", 2**13, seed=1)

    table = analyze(ISHIGAMI, "sobol", points, Ishigami.evaluate(points), 1.0, seed=1)

    by_name = table.set_index("parameter")
    for name, first, total in zip(("x1", "x2", "x3"), ISHIGAMI_S1, ISHIGAMI_ST, strict=True):
        row = by_name.loc[name]
        assert row.effect == pytest.approx(total, abs=0.03)
        assert row.extra == pytest.approx(first, abs=0.03)
        assert row.effect_ci_low <= total <= row.effect_ci_high
    assert table["parameter"].tolist() == ["x1", "x2", "x3"]  # ranked by ST
    assert list(table.columns) == list(TABLE_COLUMNS)


def test_morris_wiring_gives_exact_elementary_effects_of_a_linear_function():
    # f = 3 a - 2 b + 0 c: every elementary effect of an input is its coefficient times its
    # range (SALib scales steps to the unit range), so mu* = |coefficient| * range, sigma 0.
    params = [ParameterRange("a", 0, 2), ParameterRange("b", 10, 20), ParameterRange("c", 0, 1)]
    points = sample_points(params, "morris", 20, seed=2)
    values = 3 * points[:, 0] - 2 * points[:, 1]

    table = analyze(params, "morris", points, values, 1.0, seed=2).set_index("parameter")

    assert table["effect"].to_dict() == pytest.approx({"a": 6.0, "b": 20.0, "c": 0.0})
    assert table["extra"].tolist() == pytest.approx([0, 0, 0], abs=1e-9)  # sigma
    assert table["rank"].to_dict() == {"b": 1, "a": 2, "c": 3}


def test_one_at_a_time_points_move_one_parameter_each():
    params = [ParameterRange("a", 0, 1), ParameterRange("b", 10, 20)]
    points = sample_points(params, "oat", 0, seed=0)
    expected = np.array([[0, np.nan], [1, np.nan], [np.nan, 10], [np.nan, 20]])
    np.testing.assert_array_equal(points, expected)
    values = np.array([[1.0, 2, 3], [2.0, 4, 6], [5.0, 5, 5], [5.0, 5, 5]])

    table = analyze(params, "oat", points, values, baseline_mean=4.0).set_index("parameter")

    assert table.loc["a", "effect"] == 2.0  # mean of (1, 2, 3) paired differences
    assert table.loc["a", "rel_effect"] == 0.5
    assert table.loc["a", "effect_ci_low"] < 2.0 < table.loc["a", "effect_ci_high"]
    assert table.loc["b", ["effect", "effect_ci_low", "effect_ci_high"]].tolist() == [0, 0, 0]
    assert table["rank"].tolist() == [1, 2]


def test_parse_params_reads_ranges_and_refuses_bad_ones():
    assert parse_params(["a.b=0:0.5", "c=2:8"]) == [
        ParameterRange("a.b", 0.0, 0.5, integer=False),
        ParameterRange("c", 2.0, 8.0, integer=True),
    ]
    for spec, message in [
        ("a.b=0.5", "PATH=LOW:HIGH"),
        ("a.b=x:1", "numbers"),
        ("a.b=1:0", "below"),
    ]:
        with pytest.raises(SensitivityError, match=message):
            parse_params([spec])
    with pytest.raises(SensitivityError, match="power of 2"):
        sample_points(ISHIGAMI, "sobol", 12, seed=0)


# --- the command, on a scenario where only one input matters ---------------------------


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    # Self-healing that always works removes a share of incidents before anyone is paged;
    # the ack timeout only decides when the second level is paged, never whether or when the
    # first page of an incident falls: weekend escalations cannot depend on it.
    path = tmp_path_factory.mktemp("sensitivity") / "one-matters.yaml"
    document = small_scenario_document(
        automation={"self_healing": {"coverage": 0.3, "success_probability": 1.0}}
    )
    path.write_text(json.dumps(document))
    return path


PARAMS = [
    "--param", "automation.self_healing.coverage=0:0.6",
    "--param", "escalation.ack_timeout_minutes=5:30",
]  # fmt: skip


@pytest.mark.parametrize("method", ["oat", "morris"])
def test_only_the_input_that_matters_has_an_effect(scenario_file, tmp_path, method):
    out = tmp_path / method
    result = CliRunner().invoke(
        app,
        ["sensitivity", str(scenario_file), *PARAMS, "--method", method, "--runs", "12",
         "--samples", "4", "--out", str(out)],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sensitivity.csv").set_index("parameter")
    coverage, timeout = (
        table.loc["automation.self_healing.coverage"],
        table.loc["escalation.ack_timeout_minutes"],
    )
    # Common random numbers: the ack timeout changes no run's value, so its effect is exactly 0.
    assert (timeout.effect, timeout.effect_ci_low, timeout.effect_ci_high) == (0, 0, 0)
    assert coverage["rank"] == 1 and timeout["rank"] == 2
    if method == "oat":
        # 60% of incidents healed at HIGH, none at LOW: about -60% of the baseline's level.
        assert coverage.effect < 0 and coverage.effect_ci_high < 0
        assert coverage.kpi_at_high / coverage.kpi_at_low == pytest.approx(0.4, abs=0.1)
    else:
        assert coverage.effect_ci_low > 0  # mu* is an absolute effect
    figure = out / ("tornado.png" if method == "oat" else "sensitivity.png")
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "automation.self_healing.coverage" in result.stdout


def test_sensitivity_command_names_a_bad_path(scenario_file, tmp_path):
    result = CliRunner().invoke(
        app,
        ["sensitivity", str(scenario_file), "--param", "automation.self_heal.coverage=0:1",
         "--out", str(tmp_path / "x")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "automation.self_heal" in result.output and "Traceback" not in result.output
