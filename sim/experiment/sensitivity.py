"""Global sensitivity: which uncertain inputs move the answer most.

``oncall-sim sensitivity SCENARIO --param PATH=LOW:HIGH ... --method oat|morris|sobol``. Each
sample point (one value per parameter) becomes a variant of the scenario, and every point runs
on the same paired runs as the baseline (common random numbers: run i of every point consumes
the same random numbers), so differences between points are differences of the inputs, not of
the noise. The samplers and estimators are SALib's:

* ``oat``: one at a time. For each parameter, a point at LOW and a point at HIGH with every
  other input at the scenario's value. Effect: mean(KPI at HIGH - KPI at LOW) over the paired
  runs, with its t interval; the tornado chart draws it.
* ``morris``: Morris screening (SALib ``sample.morris`` / ``analyze.morris``; ``samples``
  trajectories on a 4-level grid). Effect: mu* (mean absolute elementary effect, in KPI units
  per full LOW..HIGH range), with SALib's bootstrap interval; ``sigma`` says how much the
  effect depends on the other inputs (interactions, non-linearity).
* ``sobol``: Sobol indices (SALib ``sample.sobol`` / ``analyze.sobol``, Saltelli's scheme,
  ``samples`` base points, a power of 2). Effect: total index ST (share of the KPI's variance
  due to the parameter, interactions included), with SALib's bootstrap interval; ``S1`` is the
  first-order index.

Morris and Sobol read the KPI's mean over the paired runs at each point.

The table (``sensitivity.csv``; the report's sensitivity slide reads it), one row per
parameter, ranked:

=================  ===========================================================================
method             oat, morris or sobol
kpi                the KPI analysed (default: the headline)
parameter          the dotted path
low, high          the range given
effect             oat: mean(KPI at high - KPI at low); morris: mu*; sobol: ST
effect_ci_low/high 95% interval of the effect (oat: paired t; morris, sobol: SALib bootstrap)
effect_measure     what ``effect`` is: "high - low", "mu_star" or "total index ST"
rel_effect         oat, morris: effect / the KPI's baseline mean; sobol: equal to effect (a share)
kpi_at_low/high    oat: the KPI's mean at low / high (others at the scenario's value); else NaN
baseline_mean      the KPI's mean in the scenario as written
extra              morris: sigma; sobol: S1 (first-order index); oat: NaN
rank               1 = the largest |effect|; equal effects share a rank
runs               paired runs per point
=================  ===========================================================================
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import pydantic
from scipy import stats

from sim.scenario.models import Scenario, Variant
from sim.scenario.overrides import OverridePathError, check_override_paths
from sim.scenario.resolve import baseline_document, with_overrides

if TYPE_CHECKING:
    from rich.console import Console

Method = Literal["oat", "morris", "sobol"]
METHODS: tuple[str, ...] = ("oat", "morris", "sobol")
#: Grid levels of Morris trajectories (SALib's default; even, so steps are symmetric).
MORRIS_LEVELS = 4
#: Bootstrap resamples of SALib's intervals.
BOOTSTRAP_RESAMPLES = 1000
MAX_SENSITIVITY_POINTS = 2000
TABLE_FILE = "sensitivity.csv"

TABLE_COLUMNS = (
    "method",
    "kpi",
    "parameter",
    "low",
    "high",
    "effect",
    "effect_ci_low",
    "effect_ci_high",
    "effect_measure",
    "rel_effect",
    "kpi_at_low",
    "kpi_at_high",
    "baseline_mean",
    "extra",
    "rank",
    "runs",
)
"""Columns of the sensitivity table, in order (see the module docstring)."""


class SensitivityError(ValueError):
    """A --param option or method setting that cannot be used; the message says why."""


@dataclass(frozen=True)
class ParameterRange:
    """An uncertain input: a dotted path of the scenario and the range it may take."""

    path: str
    low: float
    high: float
    integer: bool = False
    """Both bounds were written as integers: sample points are rounded to integers."""

    def value(self, x: float) -> float | int:
        return round(x) if self.integer else float(x)


def parse_params(specs: Sequence[str]) -> list[ParameterRange]:
    """``PATH=LOW:HIGH`` options to parameter ranges (LOW < HIGH, numbers)."""
    params: list[ParameterRange] = []
    for spec in specs:
        path, separator, bounds = spec.partition("=")
        path = path.strip()
        low_text, colon, high_text = bounds.partition(":")
        if not separator or not path or not colon:
            raise SensitivityError(f"--param {spec!r}: expected PATH=LOW:HIGH")
        try:
            low, high = float(low_text), float(high_text)
        except ValueError:
            raise SensitivityError(f"--param {spec!r}: LOW and HIGH must be numbers") from None
        if not low < high:
            raise SensitivityError(f"--param {path}: LOW must be below HIGH")
        if any(param.path == path for param in params):
            raise SensitivityError(f"--param {path!r} is given twice")
        integer = all(text.strip().lstrip("+-").isdigit() for text in (low_text, high_text))
        params.append(ParameterRange(path, low, high, integer))
    if not params:
        raise SensitivityError("give at least one --param PATH=LOW:HIGH")
    return params


def salib_problem(params: Sequence[ParameterRange]) -> dict:
    """SALib's problem definition of the parameter ranges."""
    return {
        "num_vars": len(params),
        "names": [param.path for param in params],
        "bounds": [[param.low, param.high] for param in params],
    }


def sample_points(
    params: Sequence[ParameterRange], method: Method, samples: int, seed: int
) -> np.ndarray:
    """Sample points, array (points, parameters). oat: low then high of each parameter, the
    others at NaN (the scenario's own value); morris, sobol: SALib's samplers, seeded."""
    if method == "oat":
        points = np.full((2 * len(params), len(params)), np.nan)
        for index, param in enumerate(params):
            points[2 * index, index] = param.low
            points[2 * index + 1, index] = param.high
        return points
    from SALib.sample import morris, sobol

    problem = salib_problem(params)
    if method == "morris":
        return morris.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
    if method == "sobol":
        if samples < 2 or samples & (samples - 1):
            raise SensitivityError(f"sobol needs a power of 2 as --samples, got {samples}")
        return sobol.sample(problem, samples, calc_second_order=False, seed=seed)
    raise SensitivityError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def sensitivity_variants(
    scenario: Scenario, params: Sequence[ParameterRange], points: np.ndarray
) -> list[Variant]:
    """One validated variant per sample point, named point-1, point-2, ..."""
    document = baseline_document(scenario)
    paths = [param.path for param in params]
    for path, message, hint in check_override_paths(dict.fromkeys(paths), Scenario, document):
        raise SensitivityError(f"--param {path}: {message}" + (f" ({hint})" if hint else ""))
    if len(points) > MAX_SENSITIVITY_POINTS:
        raise SensitivityError(
            f"{len(points)} sample points; at most {MAX_SENSITIVITY_POINTS} fit (fewer --samples)"
        )
    variants = []
    for number, point in enumerate(points, start=1):
        settings = {
            param.path: param.value(x)
            for param, x in zip(params, point, strict=True)
            if not math.isnan(x)
        }
        try:
            with_overrides(scenario, settings)
        except (pydantic.ValidationError, OverridePathError) as error:
            first = error.errors()[0] if isinstance(error, pydantic.ValidationError) else None
            shown = ", ".join(f"{path}={value}" for path, value in settings.items())
            raise SensitivityError(
                f"--param point {shown}: {first['msg'] if first else error}"
            ) from None
        description = ", ".join(f"{path}={value:g}" for path, value in settings.items())
        variants.append(
            Variant(name=f"point-{number}", description=description[:200], set=settings)
        )
    return variants


def analyze(
    params: Sequence[ParameterRange],
    method: Method,
    points: np.ndarray,
    values: np.ndarray,
    baseline_mean: float,
    *,
    kpi: str = "",
    seed: int = 0,
) -> pd.DataFrame:
    """The sensitivity table (`TABLE_COLUMNS`) from the KPI at each point.

    Args:
        points: the sample points (`sample_points`), array (points, parameters).
        values: the KPI per point and paired run, array (points, runs); run j of every point
            consumed the same random numbers.
        baseline_mean: the KPI's mean in the scenario as written.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    rows = (
        _one_at_a_time(params, values)
        if method == "oat"
        else _salib_indices(params, method, points, values.mean(axis=1), seed)
    )
    table = pd.DataFrame(rows)
    table.insert(0, "kpi", kpi)
    table.insert(0, "method", method)
    table["baseline_mean"] = baseline_mean
    if method != "sobol":
        table["rel_effect"] = table["effect"] / baseline_mean if baseline_mean else np.nan
    else:
        table["rel_effect"] = table["effect"]
    table["rank"] = table["effect"].abs().rank(ascending=False, method="min").astype(int)
    table["runs"] = values.shape[1]
    return table[list(TABLE_COLUMNS)].sort_values("rank", kind="stable").reset_index(drop=True)


def _one_at_a_time(params: Sequence[ParameterRange], values: np.ndarray) -> list[dict]:
    rows = []
    runs = values.shape[1]
    for index, param in enumerate(params):
        at_low, at_high = values[2 * index], values[2 * index + 1]
        diffs = at_high - at_low
        effect = float(diffs.mean())
        if runs >= 2 and np.ptp(diffs) > 0:
            half = stats.t.ppf(0.975, runs - 1) * np.std(diffs, ddof=1) / math.sqrt(runs)
        else:
            half = 0.0 if runs >= 2 else math.nan
        rows.append(
            {
                "parameter": param.path,
                "low": param.low,
                "high": param.high,
                "effect": effect,
                "effect_ci_low": effect - half,
                "effect_ci_high": effect + half,
                "effect_measure": "high - low",
                "kpi_at_low": float(at_low.mean()),
                "kpi_at_high": float(at_high.mean()),
                "extra": math.nan,
            }
        )
    return rows


def _salib_indices(
    params: Sequence[ParameterRange], method: Method, points: np.ndarray, y: np.ndarray, seed: int
) -> list[dict]:
    from SALib.analyze import morris, sobol

    problem = salib_problem(params)
    if method == "morris":
        result = morris.analyze(
            problem,
            points,
            y,
            num_resamples=BOOTSTRAP_RESAMPLES,
            num_levels=MORRIS_LEVELS,
            seed=seed,
        )
        effect, half, extra, measure = (
            result["mu_star"],
            result["mu_star_conf"],
            result["sigma"],
            "mu_star",
        )
    else:
        result = sobol.analyze(
            problem, y, calc_second_order=False, num_resamples=BOOTSTRAP_RESAMPLES, seed=seed
        )
        effect, half, extra, measure = (
            result["ST"],
            result["ST_conf"],
            result["S1"],
            "total index ST",
        )
    return [
        {
            "parameter": param.path,
            "low": param.low,
            "high": param.high,
            "effect": float(effect[index]),
            "effect_ci_low": float(effect[index] - half[index]),
            "effect_ci_high": float(effect[index] + half[index]),
            "effect_measure": measure,
            "kpi_at_low": math.nan,
            "kpi_at_high": math.nan,
            "extra": float(extra[index]),
        }
        for index, param in enumerate(params)
    ]


def run_sensitivity(
    scenario: Scenario,
    scenario_file: Path,
    folder: Path,
    param_specs: Sequence[str],
    method: Method,
    *,
    kpi: str,
    samples: int,
    runs: int,
    jobs: int = 1,
    seed: int | None = None,
    argv: Sequence[str] = (),
    console: Console | None = None,
) -> pd.DataFrame:
    """Sample, run every point on the same paired runs, analyse; write the results folder
    (the experiment's files and ``sensitivity.csv``) and return the table. The figure is the
    report's (:func:`sim.report.sensitivity.plot_sensitivity`)."""
    params = parse_params(param_specs)
    root_seed = scenario.horizon.seed if seed is None else seed
    points = sample_points(params, method, samples, root_seed)
    variants = sensitivity_variants(scenario, params, points)
    from sim.compile import compile_scenario
    from sim.experiment.session import ExperimentSession
    from sim.metrics import kpi_names

    names = kpi_names(compile_scenario(scenario))
    if kpi not in names:
        raise SensitivityError(f"--kpi {kpi!r} is not a KPI; choose one of {', '.join(names)}")
    session = ExperimentSession(
        scenario=scenario.model_copy(update={"variants": variants}),
        scenario_file=scenario_file,
        folder=folder,
        runs=runs,
        jobs=jobs,
        seed=seed,
        argv=list(argv),
    )
    try:
        session.start()
    except ValueError as error:
        raise SensitivityError(str(error)) from None
    result, _ = session.run(console)
    baseline_mean = float(result.runs.loc[result.runs["variant"] == "baseline", kpi].mean())
    table = analyze(
        params,
        method,
        points,
        point_values(result.runs, variants, kpi),
        baseline_mean,
        kpi=kpi,
        seed=root_seed,
    )
    from sim.experiment.results import atomic_write

    atomic_write(folder / TABLE_FILE, lambda temporary: table.to_csv(temporary, index=False))
    return table


def point_values(runs: pd.DataFrame, variants: Sequence[Variant], kpi: str) -> np.ndarray:
    """The KPI per sample point and run, array (points, runs), runs in order."""
    wide = runs.pivot(index="run", columns="variant", values=kpi)
    return wide[[variant.name for variant in variants]].to_numpy(dtype=float).T


__all__ = [
    "METHODS",
    "TABLE_COLUMNS",
    "ParameterRange",
    "SensitivityError",
    "analyze",
    "parse_params",
    "point_values",
    "run_sensitivity",
    "salib_problem",
    "sample_points",
    "sensitivity_variants",
]
