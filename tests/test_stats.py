"""Tests for sim.stats: paired comparison of replications."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.stats import (
    COMPARISON_COLUMNS,
    compare,
    compare_paired,
    crn_variance_ratio,
    fieller_ratio_interval,
    mean_ci,
)

EXPECTED_COLUMNS = [
    "kpi",
    "variant",
    "baseline_mean",
    "variant_mean",
    "diff_mean",
    "diff_ci_low",
    "diff_ci_high",
    "rel_change",
    "rel_ci_low",
    "rel_ci_high",
    "rel_ci_method",
    "p_better",
    "runs",
]


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _paired_sample(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    shared = rng.normal(10.0, 3.0, n)
    return shared + rng.normal(0, 1, n), shared + 0.5 + rng.normal(0, 1, n)


# --- compare_paired: difference -------------------------------------------------------


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_diff_ci_matches_scipy_ttest_rel(confidence):
    rng = np.random.default_rng(1)
    baseline, variant = _paired_sample(rng, 30)

    result = compare_paired(baseline, variant, confidence=confidence)

    expected = stats.ttest_rel(variant, baseline).confidence_interval(confidence)
    assert result.runs == 30
    assert result.diff_mean == pytest.approx(np.mean(variant - baseline), rel=1e-12)
    assert result.diff_ci_low == pytest.approx(expected.low, rel=1e-12)
    assert result.diff_ci_high == pytest.approx(expected.high, rel=1e-12)
    assert result.baseline_mean == pytest.approx(baseline.mean())
    assert result.variant_mean == pytest.approx(variant.mean())


def test_mean_ci_matches_scipy_t_interval():
    values = np.random.default_rng(2).gamma(2.0, 3.0, 25)

    mean, low, high = mean_ci(values, confidence=0.9)

    expected = stats.t.interval(0.9, df=24, loc=values.mean(), scale=stats.sem(values))
    assert mean == pytest.approx(values.mean())
    assert (low, high) == pytest.approx(expected, rel=1e-12)


def test_mean_ci_ignores_nan_and_degenerates_gracefully(no_warnings):
    assert mean_ci(np.array([1.0, np.nan, 3.0]))[0] == 2.0
    single = mean_ci(np.array([4.0, np.nan]))
    assert single[0] == 4.0
    assert math.isnan(single[1]) and math.isnan(single[2])
    assert all(math.isnan(x) for x in mean_ci(np.array([np.nan])))
    mean, low, high = mean_ci(np.full(7, 0.1))  # not exact: see constant-data test
    assert low == mean == high


# --- compare_paired: relative change --------------------------------------------------


def test_relative_change_point_estimate():
    result = compare_paired(np.array([10.0, 20.0, 30.0]), np.array([9.0, 15.0, 24.0]))
    assert result.rel_change == pytest.approx(48 / 60 - 1)
    # Three runs: the baseline mean (20 ± 25) may be 0, so no ratio interval is finite.
    assert result.rel_ci_method == "too rare"
    result = compare_paired(np.array([10.0, 20.0, 30.0, 25.0]), np.array([9.0, 15.0, 24.0, 20.0]))
    assert result.rel_ci_low < result.rel_change < result.rel_ci_high


def test_relative_ci_bounds_are_the_ratios_where_the_paired_t_test_just_rejects():
    # Fieller: at each bound r, the paired t statistic of v_i - r * b_i equals the t quantile.
    baseline, variant = _paired_sample(np.random.default_rng(3), 40)

    result = compare_paired(baseline, variant)

    assert result.rel_ci_method == "fieller"
    t_quantile = stats.t.ppf(0.975, df=39)
    for bound in (result.rel_ci_low, result.rel_ci_high):
        pivot = variant - (1 + bound) * baseline
        t_statistic = pivot.mean() / (np.std(pivot, ddof=1) / math.sqrt(40))
        assert abs(t_statistic) == pytest.approx(t_quantile, rel=1e-9)
    assert result.rel_ci_low < result.rel_change < result.rel_ci_high


def test_fieller_interval_matches_quadratic_roots_and_nears_delta_method_for_large_n():
    baseline, variant = _paired_sample(np.random.default_rng(7), 5000)

    low, high = fieller_ratio_interval(baseline, variant)

    ratio = variant.mean() / baseline.mean()
    se = math.sqrt(np.var(variant - ratio * baseline, ddof=1) / 5000) / baseline.mean()
    half_width = stats.t.ppf(0.975, df=4999) * se
    assert (low, high) == pytest.approx((ratio - half_width, ratio + half_width), rel=1e-4)


def test_rare_kpi_relative_ci_agrees_in_sign_with_the_difference_ci():
    # The coverage-gap case: 8 of 200 runs non-zero. The delta method gave a
    # symmetric interval far narrower than the difference interval implied.
    rng = np.random.default_rng(11)
    disagreements = 0
    for _ in range(300):
        baseline = rng.poisson(0.06, 200) * rng.integers(1, 40, 200)  # rare, lumpy counts
        variant = rng.binomial(baseline, rng.uniform(0.2, 1.6) / 1.6)
        result = compare_paired(baseline.astype(float), variant.astype(float))
        if result.rel_ci_method != "fieller":
            continue
        diff_excludes_zero = not result.diff_ci_low <= 0 <= result.diff_ci_high
        rel_excludes_zero = not result.rel_ci_low <= 0 <= result.rel_ci_high
        same_side = np.sign(result.diff_mean) == np.sign(result.rel_change)
        disagreements += diff_excludes_zero != rel_excludes_zero or not same_side
    assert disagreements == 0


def test_kpi_too_rare_for_an_interval_says_so(no_warnings):
    baseline = np.zeros(200)
    baseline[[3, 50, 120]] = 1.0  # 3 non-zero runs: the ratio's interval is unbounded
    variant = np.zeros(200)
    variant[[3, 77]] = 1.0

    result = compare_paired(baseline, variant)

    assert result.rel_ci_method == "too rare"
    assert result.rel_change == pytest.approx(2 / 3 - 1)
    assert math.isnan(result.rel_ci_low) and math.isnan(result.rel_ci_high)
    assert not math.isnan(result.diff_ci_low)

    baseline[[7, 9]] = 1.0  # 5 non-zero runs: bounded again
    assert compare_paired(baseline, variant).rel_ci_method == "fieller"


def test_relative_ci_coverage_on_paired_counts():
    # Weekend-escalation-like counts: the variant suppresses 30 % of the baseline's
    # escalations (binomial thinning keeps the pairing) and adds a few of its own.
    # True ratio of means: (0.7 * 3 + 0.3) / 3 = 0.8.
    rng = np.random.default_rng(20240601)
    experiments, n = 2000, 200
    true_rel_change = 0.8 - 1

    covered = 0
    for _ in range(experiments):
        baseline = rng.poisson(3.0, n)
        variant = rng.binomial(baseline, 0.7) + rng.poisson(0.3, n)
        result = compare_paired(baseline, variant)
        covered += result.rel_ci_low <= true_rel_change <= result.rel_ci_high

    tolerance = 4 * math.sqrt(0.95 * 0.05 / experiments)
    assert covered / experiments == pytest.approx(0.95, abs=tolerance)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("baseline_rate", "kept", "added"),
    [(0.05, 0.6, 0.01), (0.1, 0.5, 0.05), (0.04, 1.0, 0.02)],
)
def test_relative_ci_coverage_on_a_rare_poisson_kpi(baseline_rate, kept, added):
    # A KPI non-zero in about 8-20 of 200 runs (coverage-gap incidents): the variant keeps a
    # share of the baseline's events (binomial thinning keeps the pairing) and adds a few.
    # True ratio of means: (kept * rate + added) / rate. Coverage is judged among the
    # experiments that give an interval; the others must say "too rare" and be few.
    rng = np.random.default_rng(20261201)
    experiments, n = 4000, 200
    true_rel_change = (kept * baseline_rate + added) / baseline_rate - 1

    covered = reported = 0
    for _ in range(experiments):
        baseline = rng.poisson(baseline_rate, n)
        variant = rng.binomial(baseline, kept) + rng.poisson(added, n)
        result = compare_paired(baseline, variant)
        if result.rel_ci_method == "too rare":
            continue
        reported += 1
        covered += result.rel_ci_low <= true_rel_change <= result.rel_ci_high

    assert reported / experiments > 0.95
    tolerance = 4 * math.sqrt(0.95 * 0.05 / reported)
    assert covered / reported == pytest.approx(0.95, abs=tolerance)


def test_zero_baseline_mean_gives_nan_relative_values(no_warnings):
    result = compare_paired(np.zeros(5), np.array([0.0, 1.0, 0.0, 2.0, 0.0]))
    assert math.isnan(result.rel_change)
    assert math.isnan(result.rel_ci_low)
    assert math.isnan(result.rel_ci_high)
    assert result.rel_ci_method == "too rare"
    assert result.diff_mean == pytest.approx(0.6)
    assert not math.isnan(result.diff_ci_low)


# --- compare_paired: edge cases -------------------------------------------------------


def test_p_better_respects_direction_and_ties():
    baseline = np.array([1.0, 2.0, 3.0, 4.0])
    variant = np.array([0.0, 2.0, 5.0, 3.0])  # lower, tie, higher, lower

    assert compare_paired(baseline, variant, direction="lower").p_better == 0.5
    assert compare_paired(baseline, variant, direction="higher").p_better == 0.25


def test_kpi_without_direction_has_no_p_better(no_warnings):
    result = compare_paired(np.array([1.0, 2.0, 3.0]), np.array([0.0, 5.0, 6.0]), direction="none")
    assert math.isnan(result.p_better)
    assert result.diff_mean == pytest.approx(5 / 3)


def test_unknown_direction_is_refused():
    with pytest.raises(ValueError, match="direction must be one of lower, higher, none"):
        compare_paired(np.array([1.0, 2.0]), np.array([1.0, 2.0]), direction="up")


def test_nan_pairs_are_dropped_and_counted(no_warnings):
    baseline = np.array([1.0, np.nan, 3.0, 4.0, 5.0])
    variant = np.array([2.0, 1.0, np.nan, 6.0, 5.0])

    result = compare_paired(baseline, variant)

    assert result.runs == 3
    assert result.baseline_mean == pytest.approx(10 / 3)
    assert result.variant_mean == pytest.approx(13 / 3)
    assert result.diff_mean == pytest.approx(1.0)
    assert result.p_better == 0.0


def test_single_pair_has_nan_intervals(no_warnings):
    result = compare_paired(np.array([2.0, np.nan]), np.array([3.0, 1.0]))
    assert result.runs == 1
    assert result.diff_mean == 1.0
    assert result.rel_change == pytest.approx(0.5)
    for bound in (result.diff_ci_low, result.diff_ci_high, result.rel_ci_low, result.rel_ci_high):
        assert math.isnan(bound)
    assert result.rel_ci_method == "too few runs"


def test_no_complete_pairs_gives_all_nan(no_warnings):
    result = compare_paired(np.array([np.nan, 1.0]), np.array([1.0, np.nan]))
    assert result.runs == 0
    assert math.isnan(result.diff_mean)
    assert math.isnan(result.p_better)


def test_constant_data_collapses_interval_to_point(no_warnings):
    # The mean of seven copies of 0.1 - 0.2 is not exactly that value, so a naive sample
    # std is rounding noise (~1e-17) rather than 0, enough to move the bounds off the point.
    result = compare_paired(np.full(7, 0.2), np.full(7, 0.1))

    assert result.diff_ci_low == result.diff_mean == result.diff_ci_high
    assert result.rel_ci_low == result.rel_change == result.rel_ci_high
    assert result.rel_change == pytest.approx(-0.5)


def test_mismatched_lengths_are_rejected():
    with pytest.raises(ValueError, match="same length"):
        compare_paired(np.ones(3), np.ones(4))


# --- compare --------------------------------------------------------------------------


def _runs_table(n_runs: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    shared = rng.poisson(4.0, n_runs)
    share_shared = rng.uniform(0.2, 0.8, n_runs)
    rows = []
    for variant, escalation_scale, share_shift in [
        ("fewer_pages", 0.6, 0.1),
        ("baseline", 1.0, 0.0),
        ("more_pages", 1.3, -0.1),
    ]:
        for run in range(n_runs):
            rows.append(
                {
                    "run": run,
                    "variant": variant,
                    "escalations": shared[run] * escalation_scale + rng.normal(0, 0.1),
                    "quiet_weekend_share": share_shared[run] + share_shift + rng.normal(0, 0.02),
                }
            )
    return pd.DataFrame(rows)


def test_compare_columns_rows_and_order():
    table = compare(_runs_table(), ["quiet_weekend_share", "escalations"])

    assert list(table.columns) == EXPECTED_COLUMNS
    assert list(COMPARISON_COLUMNS) == EXPECTED_COLUMNS
    assert list(zip(table["kpi"], table["variant"], strict=True)) == [
        ("quiet_weekend_share", "fewer_pages"),
        ("quiet_weekend_share", "more_pages"),
        ("escalations", "fewer_pages"),
        ("escalations", "more_pages"),
    ]
    assert table["runs"].tolist() == [12] * 4


def test_compare_pairs_by_run_even_when_rows_are_shuffled():
    runs = _runs_table()
    shuffled = runs.sample(frac=1.0, random_state=5).reset_index(drop=True)

    table = compare(shuffled, ["escalations"])

    row = table.set_index("variant").loc["more_pages"]
    by_run = runs.pivot(index="run", columns="variant", values="escalations")
    expected = compare_paired(by_run["baseline"].to_numpy(), by_run["more_pages"].to_numpy())
    assert row["diff_ci_low"] == pytest.approx(expected.diff_ci_low, rel=1e-12)
    assert row["diff_ci_high"] == pytest.approx(expected.diff_ci_high, rel=1e-12)
    assert row["rel_ci_low"] == pytest.approx(expected.rel_ci_low, rel=1e-12)
    # Variant order is order of first appearance in the shuffled table.
    assert table["variant"].tolist() == [v for v in shuffled["variant"].unique() if v != "baseline"]


def test_compare_inner_joins_runs_and_drops_nan_pairs():
    runs = _runs_table(n_runs=6)
    runs = runs[~((runs["variant"] == "baseline") & (runs["run"] == 0))]  # run 0 unpaired
    runs.loc[(runs["variant"] == "more_pages") & (runs["run"] == 1), "escalations"] = np.nan

    table = compare(runs, ["escalations"]).set_index("variant")

    assert table.loc["fewer_pages", "runs"] == 5
    assert table.loc["more_pages", "runs"] == 4


def test_compare_respects_each_kpis_direction():
    runs = _runs_table()
    kpis = ["escalations", "quiet_weekend_share"]

    default = compare(runs, kpis).set_index(["kpi", "variant"])
    flipped = compare(runs, kpis, directions={"quiet_weekend_share": "higher"}).set_index(
        ["kpi", "variant"]
    )

    # fewer_pages has fewer escalations and more quiet weekends in (almost) every run.
    assert flipped.loc[("escalations", "fewer_pages"), "p_better"] > 0.9
    assert flipped.loc[("quiet_weekend_share", "fewer_pages"), "p_better"] > 0.9
    assert default.loc[("quiet_weekend_share", "fewer_pages"), "p_better"] < 0.1
    assert (
        default.loc[("escalations", "fewer_pages"), "p_better"]
        == flipped.loc[("escalations", "fewer_pages"), "p_better"]
    )


def test_compare_rejects_duplicate_runs_and_missing_baseline():
    runs = _runs_table(n_runs=3)
    with pytest.raises(ValueError, match="duplicated"):
        compare(pd.concat([runs, runs.head(1)]), ["escalations"])
    with pytest.raises(ValueError, match="baseline"):
        compare(runs, ["escalations"], baseline="control")
    with pytest.raises(ValueError, match="missing"):
        compare(runs, ["pages"])


# --- crn_variance_ratio ---------------------------------------------------------------


def test_crn_variance_ratio_exact_example():
    assert crn_variance_ratio(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])) == 4.0


def test_crn_variance_ratio_on_simulated_streams():
    # Shared noise has variance 9, per-run noise variance 1 on each side: paired
    # differences keep only 1 + 1 = 2, independent ones 9 + 1 + 9 + 1 = 20.
    rng = np.random.default_rng(6)
    n = 100_000
    baseline, variant = _paired_sample(rng, n)
    independent_baseline, _ = _paired_sample(rng, n)

    ratio = crn_variance_ratio(variant - baseline, variant - independent_baseline)

    assert ratio == pytest.approx(10.0, rel=0.05)


def test_crn_variance_ratio_degenerate_cases(no_warnings):
    assert crn_variance_ratio(np.full(4, 0.5), np.array([1.0, 2.0])) == math.inf
    assert math.isnan(crn_variance_ratio(np.full(4, 0.5), np.full(3, 1.0)))
    assert math.isnan(crn_variance_ratio(np.array([1.0]), np.array([1.0, 2.0])))
