"""Paired comparison of simulation replications under common random numbers.

Run i of every variant consumes the same random numbers as run i of the baseline, so the
per-run KPI values of a variant and the baseline are paired. Comparing them run by run
cancels the noise both share, which gives much narrower intervals than comparing
independent runs would (`crn_variance_ratio` measures by how much).

All intervals are two-sided and use the Student t quantile with n - 1 degrees of freedom,
where n is the number of complete pairs: a t interval for a difference of means, Fieller's
interval for a ratio of means. Missing KPI values (NaN) drop the whole pair.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "COMPARISON_COLUMNS",
    "DIRECTIONS",
    "PairedComparison",
    "compare",
    "compare_paired",
    "crn_variance_ratio",
    "fieller_ratio_interval",
    "mean_ci",
]

_NAN = float("nan")

#: Which way a KPI is better: smaller, larger, or neither (p_better is then NaN).
DIRECTIONS = ("lower", "higher", "none")

#: Values of `PairedComparison.rel_ci_method`.
REL_CI_FIELLER = "fieller"
REL_CI_TOO_RARE = "too rare"
REL_CI_TOO_FEW_RUNS = "too few runs"


@dataclass(frozen=True)
class PairedComparison:
    """A variant against the baseline on one KPI, from paired replications.

    Differences are variant minus baseline. Relative values are fractions of the baseline
    mean: -0.25 means the variant's mean is 25 % below the baseline's.

    Attributes:
        kpi: KPI name.
        variant: Variant name.
        runs: Number of complete pairs used (pairs with a NaN on either side are dropped).
        baseline_mean: Mean of the baseline over the complete pairs.
        variant_mean: Mean of the variant over the complete pairs.
        diff_mean: Mean of the paired differences d_i = v_i - b_i.
        diff_ci_low, diff_ci_high: Confidence interval of diff_mean: t interval on d_i.
        rel_change: variant_mean / baseline_mean - 1; NaN when baseline_mean is 0.
        rel_ci_low, rel_ci_high: Confidence interval of rel_change: Fieller's interval for
            the ratio of paired means, minus 1; NaN when `rel_ci_method` is not "fieller".
        rel_ci_method: How the relative interval was obtained: "fieller", "too rare" (too
            rare for the runs there are: the baseline mean is 0 or not distinguishable from
            0, so no bounded interval of the ratio exists) or "too few runs" (under 2 pairs).
        p_better: Share of pairs in which the variant is strictly better than the baseline,
            in the KPI's direction; ties count as not better. NaN for a KPI without a
            direction (neither more nor less is better).
    """

    kpi: str
    variant: str
    baseline_mean: float
    variant_mean: float
    diff_mean: float
    diff_ci_low: float
    diff_ci_high: float
    rel_change: float
    rel_ci_low: float
    rel_ci_high: float
    rel_ci_method: str
    p_better: float
    runs: int


COMPARISON_COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(PairedComparison))
"""Columns of the table returned by `compare`, in order."""


def _t_quantile(confidence: float, n: int) -> float:
    """Two-sided Student t critical value for a mean of n observations (n - 1 df)."""
    return float(stats.t.ppf(0.5 + confidence / 2, df=n - 1))


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")


def _sample_std(values: np.ndarray) -> float:
    """Sample standard deviation (ddof=1) of at least two values.

    Exactly 0 for constant data: np.std can return rounding noise there (the mean of
    [0.1] * 10 is not exactly 0.1), and a degenerate interval should equal its point.
    """
    if np.ptp(values) == 0:
        return 0.0
    return float(np.std(values, ddof=1))


def _interval(center: float, std: float, n: int, confidence: float) -> tuple[float, float]:
    """center ± t * std / sqrt(n); NaN bounds when n < 2 (no variance estimate)."""
    if n < 2:
        return _NAN, _NAN
    half_width = _t_quantile(confidence, n) * std / math.sqrt(n)
    return center - half_width, center + half_width


def mean_ci(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of replication values with its t confidence interval, for plotting.

    NaN values are ignored. Returns (mean, low, high); all NaN for no values, and NaN
    bounds for a single value.
    """
    _check_confidence(confidence)
    values = np.asarray(values, dtype=float).ravel()
    values = values[~np.isnan(values)]
    if values.size == 0:
        return _NAN, _NAN, _NAN
    mean = float(values.mean())
    std = _sample_std(values) if values.size >= 2 else _NAN
    low, high = _interval(mean, std, values.size, confidence)
    return mean, low, high


def _centred(values: np.ndarray) -> np.ndarray:
    """values - mean(values), exactly 0 for constant data (see `_sample_std`)."""
    if np.ptp(values) == 0:
        return np.zeros_like(values)
    return values - values.mean()


def fieller_ratio_interval(
    baseline: np.ndarray, variant: np.ndarray, confidence: float = 0.95
) -> tuple[float, float]:
    """Fieller's confidence interval for mean(variant) / mean(baseline) of paired samples.

    With n >= 2 pairs (no NaN), means b, v, sample (co)variances s_bb, s_vv, s_bv
    (ddof=1) and t the Student t quantile with n - 1 degrees of freedom, the interval is
    the set of r with (v - r * b)^2 <= (t^2 / n) * var(v_i - r * b_i), i.e. the r between
    the roots of A r^2 - 2 B r + C = 0, where q = t^2 / n and

        A = b^2 - q * s_bb,   B = v * b - q * s_bv,   C = v^2 - q * s_vv.

    The set is a bounded interval only when A > 0 (b is significantly different from 0);
    otherwise (the set is then a complement of an interval, or every r) both bounds are
    NaN. With zero variances the interval collapses to the point v / b.
    """
    _check_confidence(confidence)
    n = baseline.size
    if n < 2:
        return _NAN, _NAN
    b_mean, v_mean = float(baseline.mean()), float(variant.mean())
    b_dev, v_dev = _centred(baseline), _centred(variant)
    s_bb = float(b_dev @ b_dev) / (n - 1)
    s_vv = float(v_dev @ v_dev) / (n - 1)
    s_bv = float(b_dev @ v_dev) / (n - 1)
    q = _t_quantile(confidence, n) ** 2 / n
    a = b_mean**2 - q * s_bb
    if a <= 0:
        return _NAN, _NAN
    if s_bb == 0 and s_vv == 0:
        return v_mean / b_mean, v_mean / b_mean
    b_half = v_mean * b_mean - q * s_bv
    c = v_mean**2 - q * s_vv
    root = math.sqrt(max(b_half**2 - a * c, 0.0))  # >= 0 when A > 0; max() for rounding
    return (b_half - root) / a, (b_half + root) / a


def compare_paired(
    baseline: np.ndarray,
    variant: np.ndarray,
    *,
    direction: str = "lower",
    confidence: float = 0.95,
    kpi: str = "",
    variant_name: str = "",
) -> PairedComparison:
    """Compare a variant with the baseline on paired per-run values of one KPI.

    baseline[i] and variant[i] must come from the same run (same random numbers). Pairs
    where either value is NaN are dropped; `runs` counts the pairs kept.

    Statistics, with n complete pairs b_i, v_i:

    - Difference: d_i = v_i - b_i; diff_mean = mean(d); CI = diff_mean ± t * s_d / sqrt(n),
      s_d the sample standard deviation (ddof=1) and t the Student t quantile with n - 1
      degrees of freedom. This is the interval of scipy.stats.ttest_rel(variant, baseline).
    - Relative change: R = mean(v) / mean(b); rel_change = R - 1, NaN when mean(b) == 0
      (the change relative to nothing is undefined, not infinite). Its interval is
      Fieller's for the ratio of paired means (`fieller_ratio_interval`): the set of ratios
      r whose paired t statistic of v_i - r * b_i does not reject at the confidence level.
      At r = 1 that statistic is the paired difference's, so the relative interval
      excludes 0 exactly when the difference interval does, and on the same side: the two
      never disagree about the sign. The rule: Fieller's interval whenever it is bounded,
      which needs mean(b)^2 > t^2 * var(b) / n (the baseline mean distinguishable from 0;
      for counts in {0, 1} about 4 non-zero baseline runs); otherwise the bounds are NaN and
      `rel_ci_method` says "too rare", because no interval of a ratio to a mean that may be
      0 is finite. Unlike the delta method (symmetric around the point), it is skewed the
      way a ratio of rare, skewed counts is.
    - p_better: share of pairs with v_i < b_i (direction "lower") or v_i > b_i ("higher");
      ties are not better. NaN for direction "none" (a KPI where neither is better).

    With fewer than 2 pairs the CI bounds are NaN; with no pairs every statistic is NaN.
    With zero variance the CI collapses to the point. No RuntimeWarning is emitted.

    Raises:
        ValueError: if the inputs are not 1-D arrays of the same length, confidence is
            not in (0, 1), or direction is not one of "lower", "higher", "none".
    """
    _check_confidence(confidence)
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
    baseline = np.asarray(baseline, dtype=float)
    variant = np.asarray(variant, dtype=float)
    if baseline.ndim != 1 or baseline.shape != variant.shape:
        raise ValueError(
            "baseline and variant must be 1-D arrays of the same length, "
            f"got shapes {baseline.shape} and {variant.shape}"
        )
    complete = ~(np.isnan(baseline) | np.isnan(variant))
    b, v = baseline[complete], variant[complete]
    n = int(b.size)
    if n == 0:
        nans = [_NAN] * 8
        return PairedComparison(kpi, variant_name, *nans, REL_CI_TOO_FEW_RUNS, _NAN, runs=0)

    baseline_mean = float(b.mean())
    variant_mean = float(v.mean())
    diffs = v - b
    diff_mean = float(diffs.mean())
    diff_std = _sample_std(diffs) if n >= 2 else _NAN
    diff_ci_low, diff_ci_high = _interval(diff_mean, diff_std, n, confidence)

    rel_change = variant_mean / baseline_mean - 1 if baseline_mean != 0 else _NAN
    rel_ci_low = rel_ci_high = _NAN
    if n < 2:
        rel_ci_method = REL_CI_TOO_FEW_RUNS
    else:
        ratio_low, ratio_high = fieller_ratio_interval(b, v, confidence)
        bounded = not math.isnan(ratio_low)
        rel_ci_method = REL_CI_FIELLER if bounded else REL_CI_TOO_RARE
        if bounded:
            rel_ci_low, rel_ci_high = ratio_low - 1, ratio_high - 1

    better = v < b if direction == "lower" else v > b
    return PairedComparison(
        kpi=kpi,
        variant=variant_name,
        runs=n,
        baseline_mean=baseline_mean,
        variant_mean=variant_mean,
        diff_mean=diff_mean,
        diff_ci_low=diff_ci_low,
        diff_ci_high=diff_ci_high,
        rel_change=rel_change,
        rel_ci_low=rel_ci_low,
        rel_ci_high=rel_ci_high,
        rel_ci_method=rel_ci_method,
        p_better=float(better.mean()) if direction != "none" else _NAN,
    )


def compare(
    runs: pd.DataFrame,
    kpis: Sequence[str],
    *,
    baseline: str = "baseline",
    directions: Mapping[str, str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Compare every variant with the baseline on every KPI, pairing replications by run.

    Args:
        runs: Tidy results, one row per (run, variant), with columns `run`, `variant` and
            one numeric column per KPI.
        kpis: KPI columns to compare, in the order wanted in the output.
        baseline: Name of the baseline variant.
        directions: KPI -> "lower", "higher" or "none" (which way is better; see
            `sim.metrics.kpi_directions`); a KPI not in it is "lower". Only affects p_better.
        confidence: Confidence level of the intervals.

    Returns:
        One row per (kpi, variant other than the baseline), KPIs in the order given and
        variants in order of first appearance in `runs`, with the columns of
        `COMPARISON_COLUMNS` (see `PairedComparison` and `compare_paired`). Values are
        paired by `run` (inner join); pairs with a NaN on either side are dropped.

    Raises:
        ValueError: if columns are missing, the baseline is absent, or a (run, variant)
            appears more than once.
    """
    _check_confidence(confidence)
    missing = [c for c in ("run", "variant", *kpis) if c not in runs.columns]
    if missing:
        raise ValueError(f"columns missing from runs: {missing}")
    duplicated = runs.duplicated(["run", "variant"])
    if duplicated.any():
        examples = runs.loc[duplicated, ["run", "variant"]].head(3).to_dict("records")
        raise ValueError(f"each (run, variant) must appear once; duplicated: {examples}")
    by_variant = {name: rows.set_index("run") for name, rows in runs.groupby("variant", sort=False)}
    if baseline not in by_variant:
        raise ValueError(f"baseline variant {baseline!r} not found in runs")

    comparisons = []
    for kpi in kpis:
        for name, variant_rows in by_variant.items():
            if name == baseline:
                continue
            pairs = pd.concat(
                [by_variant[baseline][kpi].rename("b"), variant_rows[kpi].rename("v")],
                axis=1,
                join="inner",
            )
            comparison = compare_paired(
                pairs["b"].to_numpy(dtype=float, na_value=np.nan),
                pairs["v"].to_numpy(dtype=float, na_value=np.nan),
                direction=(directions or {}).get(kpi, "lower"),
                confidence=confidence,
                kpi=kpi,
                variant_name=name,
            )
            comparisons.append(dataclasses.asdict(comparison))
    return pd.DataFrame(comparisons, columns=list(COMPARISON_COLUMNS)).astype({"runs": int})


def crn_variance_ratio(paired_diffs: np.ndarray, independent_diffs: np.ndarray) -> float:
    """How many times smaller the variance of a paired difference is than with independent streams.

    Returns var(independent_diffs) / var(paired_diffs) (sample variances, NaNs ignored),
    where paired_diffs are per-run differences variant - baseline under common random
    numbers and independent_diffs the same differences with independent random streams.
    A ratio of 10 means independent runs would need 10 times as many replications for the
    same confidence-interval width.

    Returns inf when the paired variance is 0 but the independent one is not, and NaN
    when either side has fewer than 2 values or both variances are 0.
    """
    paired = np.asarray(paired_diffs, dtype=float).ravel()
    independent = np.asarray(independent_diffs, dtype=float).ravel()
    paired = paired[~np.isnan(paired)]
    independent = independent[~np.isnan(independent)]
    if paired.size < 2 or independent.size < 2:
        return _NAN
    paired_var = _sample_std(paired) ** 2
    independent_var = _sample_std(independent) ** 2
    if paired_var == 0:
        return math.inf if independent_var > 0 else _NAN
    return independent_var / paired_var
