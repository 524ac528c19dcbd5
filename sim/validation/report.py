"""The validation report (Markdown and figures) and the ``python -m sim.validation`` command."""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from scipy import stats

from sim.scenario.distributions import Exponential, Fixed, Gamma, Lognormal
from sim.scenario.profiles import HOURS_PER_WEEK
from sim.validation.cases import CASES, Case, case
from sim.validation.evaluation import (
    CHI_SQUARE_ALPHA,
    HOURLY_FAMILY_ALPHA,
    Z_LIMIT,
    CaseResult,
    evaluate,
)
from sim.validation.measures import WAIT_EPSILON_MINUTES


def _number(value: float) -> str:
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.1f}"
    if magnitude >= 1:
        return f"{value:.3f}"
    if magnitude >= 0.001:
        return f"{value:.4f}"
    return f"{value:.2e}"


def _mark(passed: bool) -> str:
    return "pass" if passed else "**FAIL**"


def case_markdown(result: CaseResult, figure: str | None = None) -> str:
    """The report section of one case: parameters, then a table of theory against simulation."""
    validation_case = result.case
    scenario = validation_case.scenario()
    queue = validation_case.queue()
    runs = len(result.runs)
    lines = [
        f"### {validation_case.title}: `scenarios/validation/{validation_case.name}.yaml`",
        "",
        f"c = {queue.servers} engineer{'s' if queue.servers != 1 else ''}, lambda = "
        f"{queue.arrival_rate * 60:g} per hour{' on average' if queue.time_varying else ''}, "
        f"work time {_describe(queue.work)} (E[S] = {queue.service_mean:.4g} min), "
        f"rho = {queue.utilisation:.4g}. "
        f"{runs} runs of {scenario.horizon.weeks} weeks (seed {scenario.horizon.seed}), "
        f"the first {_weeks(validation_case.warmup_weeks)}"
        f" discarded; {np.mean([run.arrivals for run in result.runs]):,.0f} incidents per run "
        "after the warm-up."
        f"{' Runs only in the slow suite.' if validation_case.slow else ''}",
        "",
        f"Theory: {validation_case.theory}.",
        "",
        "| metric | theory | simulated (mean of runs) | 95% CI | SE / theory | z | result |",
        "|---|---:|---:|---|---:|---:|---|",
    ]
    for check in result.checks:
        low, high = check.estimate.ci
        unit = f" {check.unit}" if check.unit else ""
        relative = f"{check.relative_se:.2%}" if math.isfinite(check.relative_se) else "-"
        lines.append(
            f"| {check.label} | {_number(check.theory)}{unit} | {_number(check.estimate.mean)}"
            f"{unit} | {_number(low)} .. {_number(high)} | {relative} | {check.z:+.2f} | "
            f"{_mark(check.passed)} |"
        )
    lines.append(
        f"| Little's law, every run: max \\|L - lambda W\\| / L | <= edge term (max "
        f"{result.little_max_edge:.1e}) | {result.little_max_gap:.1e} | - | - | - | "
        f"{_mark(result.little_ok)} |"
    )
    if validation_case.kind == "mtginf":
        largest = max(max(run.max_wait, -run.min_wait) for run in result.runs)
        lines.append(
            f"| largest \\|wait\\| of any incident (infinite server: 0; float rounding "
            f"< {WAIT_EPSILON_MINUTES:g} min) | 0 min | {_number(largest)} min"
            f" | - | - | - | {_mark(largest <= WAIT_EPSILON_MINUTES)} |"
        )
    if result.hourly is not None:
        hourly = result.hourly
        worst = int(np.argmax(np.abs(hourly.z)))
        lines.append(
            f"| number in system at each of the 168 hour-of-week starts | m(t), "
            f"{_number(hourly.theory.min())} .. {_number(hourly.theory.max())} | "
            f"max \\|z\\| = {np.abs(hourly.z).max():.2f} ({_hour_name(worst)}) | - | "
            f"{np.median(hourly.se / hourly.theory):.2%} (median) | limit "
            f"{hourly.z_limit:.2f} | {_mark(hourly.passed)} |"
        )
    if result.chi_square is not None:
        chi = result.chi_square
        lines.append(
            f"| arrivals per hour-of-week bin vs configured rates: chi-square "
            f"({chi.dof} dof) | mean {chi.dof} | X^2 = {chi.statistic:.1f} | - | - | "
            f"p = {chi.p_value:.3f} | {_mark(chi.passed)} |"
        )
    if result.hourly is not None:
        hourly = result.hourly
        if figure:
            lines += ["", f"![{validation_case.title}]({figure})"]
        lines += [
            "",
            "<details><summary>Mean number in system at each of the 168 hour-of-week starts"
            "</summary>",
            "",
            "| hour (UTC) | theory m(t) | simulated | 95% CI | z |",
            "|---|---:|---:|---|---:|",
        ]
        half = stats.t.ppf(0.975, hourly.runs - 1) * hourly.se
        for index in range(HOURS_PER_WEEK):
            lines.append(
                f"| {_hour_name(index)} | {hourly.theory[index]:.3f} | "
                f"{hourly.mean[index]:.3f} | {hourly.mean[index] - half[index]:.3f} .. "
                f"{hourly.mean[index] + half[index]:.3f} | {hourly.z[index]:+.2f} |"
            )
        lines += ["", "</details>"]
    lines.append("")
    return "\n".join(lines)


def _weeks(count: int) -> str:
    return "week" if count == 1 else f"{count} weeks"


def _hour_name(index: int) -> str:
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return f"{days[index // 24]} {index % 24:02d}:00"


def _describe(work) -> str:
    if isinstance(work, Exponential):
        return "exponential"
    if isinstance(work, Fixed):
        return f"fixed at {work.value:g} min"
    if isinstance(work, Gamma):
        return f"gamma with shape {work.shape:g}"
    if isinstance(work, Lognormal):
        return f"lognormal with median {work.median:g} min and sigma {work.sigma:g}"
    return str(work.distribution)


def _hourly_figure(result: CaseResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hourly = result.hourly
    assert hourly is not None
    hours = np.arange(HOURS_PER_WEEK)
    half = stats.t.ppf(0.975, hourly.runs - 1) * hourly.se
    figure, axis = plt.subplots(figsize=(10, 3.6))
    axis.fill_between(hours, hourly.mean - half, hourly.mean + half, alpha=0.3, label="95% CI")
    axis.plot(hours, hourly.mean, ".", markersize=3, label="simulated (mean of runs)")
    axis.plot(hours, hourly.theory, "-", linewidth=1, color="black", label="theory m(t)")
    queue = result.case.queue()
    rate = queue.hourly_rate * queue.service_mean
    axis.step(hours, rate, where="post", linewidth=0.8, color="grey", alpha=0.7,
              label="lambda(t) E[S] (no lag)")  # fmt: skip
    axis.set_xticks(range(0, HOURS_PER_WEEK + 1, 24))
    axis.set_xticklabels(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", ""])
    axis.set_xlim(0, HOURS_PER_WEEK)
    axis.set_ylabel("number in system")
    axis.set_title(f"{result.case.title}: mean number in system at each hour of the week (UTC)")
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(figure)


def _check_count(result: CaseResult) -> int:
    # Scalar checks + Little's law + (for M_t/G/infinity) no wait, the 168 hours, chi-square.
    return (
        len(result.checks)
        + 1
        + (result.case.kind == "mtginf")
        + (result.hourly is not None)
        + (result.chi_square is not None)
    )


def report_markdown(results: Sequence[CaseResult], figures: dict[str, str] | None = None) -> str:
    """The whole validation document."""
    figures = figures or {}
    checks = sum(_check_count(result) for result in results)
    all_passed = all(result.passed for result in results)
    failed = [result.case.name for result in results if not result.passed]
    verdict = (
        f"**All {len(results)} cases ({checks} checks) pass.**"
        if all_passed
        else f"**Not all cases pass: {', '.join(failed)} failed.**"
    )
    max_runs = max(len(result.runs) for result in results)
    single = stats.t.sf(Z_LIMIT, max_runs - 1) * 2
    lines = [
        "# Validation against queueing theory",
        "",
        "<!-- Generated by `python -m sim.validation --out docs/validation.md`; do not edit. -->",
        "",
        "The on-call model, configured as a classic queue by scenario files alone, reproduces the "
        "closed-form results of queueing theory: Erlang C for M/M/c (c = 1, 3 and a heavily "
        "loaded c = 2), Pollaczek-Khinchine for M/G/1 (deterministic, Erlang-2 and lognormal work "
        "times), Little's law on every run, and Eick, Massey and Whitt for the infinite-server "
        "queue with a time-varying arrival rate, whose arrivals per hour-of-week bin also match "
        f"the configured rates. {verdict} Every number below comes from the scenario files in "
        "`scenarios/validation/`; each file's header states its queue, theory and parameters.",
        "",
        "Regenerate this page (deterministic: same seeds, same page; about two minutes on two "
        "cores):",
        "",
        "```bash",
        ".venv/bin/python -m sim.validation --out docs/validation.md --jobs 2",
        "```",
        "",
        "`--runs N` overrides the runs per case and `--case NAME` selects cases. The same checks "
        "run as tests: `tests/validation/` (the fast cases with fewer runs in `make test`, "
        "everything with these runs in `make test-slow`).",
        "",
        "## How the model becomes a queue",
        "",
        "One team with `rotation: {shift: pool}`: all c engineers are on duty, and an incident "
        "waits, first come, first served, for the first free engineer, who is paged at that "
        "moment. `escalation.levels: [primary]` and `response.ack_delay_minutes: 0` make the "
        "acknowledgement immediate, so an incident's wait in queue is *first page - start* and "
        "its service time is its work time. `severity_work_factor` is 1.0 for every severity, so "
        "the work time is exactly the configured distribution; detection and self-healing "
        "coverage are 0. Arrivals come from the model's own Poisson generator: a `flat` profile "
        "gives a constant rate, an hour-of-week profile a rate that is constant within each hour. "
        "The time zone is UTC. `sim.validation.queue_parameters` refuses a scenario that is not "
        "of this form, and reads c, the rates and the work-time distribution from the loaded "
        "scenario; the theory values are computed from them with `sim/validation/queueing.py`, "
        "never retyped.",
        "",
        "## Method",
        "",
        "- **Replications.** Each case runs R independent replications (R = the file's "
        "`horizon.runs`): run i is `simulate(scenario, run=i)` with the file's root seed. Each "
        "run yields one value of every measure; the tables give their mean over runs, the "
        "Student-t 95% confidence interval from the between-run standard error SE = sd / sqrt(R) "
        "(the runs are independent, so the SE is honest whatever the autocorrelation inside a "
        "run), SE relative to the theory value (how sharp the check is), and "
        "z = (mean - theory) / SE.",
        "- **Warm-up.** Every run starts with an empty system, so its first week (two weeks for "
        "the heavily loaded M/M/2, whose relaxation time is about four days) is discarded: waits "
        "and times in system are those of the incidents that start in [warm-up, horizon), and "
        "time averages are over that window. Arrivals stop at the horizon but every incident is "
        "worked to the end, and with first come, first served no later arrival changes an "
        "earlier incident's wait, so the window's end adds no bias.",
        "- **Measures per run.** Wait W = first page - start; P(W > 0) and P(W > t) are shares "
        "of the window's incidents; time in system = resolved - start; work time = resolved - "
        "work start; L = the integral over the window of the number of incidents with start <= "
        "t < resolved, divided by the window's length; lambda = the window's arrivals / its "
        "length.",
        f"- **Tolerance.** A check passes when \\|z\\| <= {Z_LIMIT:g}. Under a correct model z "
        f"is Student-t with R - 1 degrees of freedom, so one check fails by chance with "
        f"probability {single:.1e} (R = {max_runs}); over the {checks} checks here the union "
        "bound keeps the chance that a correct model fails any of them near 1% (lower in fact: "
        "the checks of one case are positively correlated). The seeds are fixed, so the page is "
        "reproducible. Estimator biases (what is left of the empty start, the O(1/n) bias of a "
        "ratio of per-run sums) are far below one SE. SE / theory shows that the checks are not "
        "vacuous: it is about 1% for the mean waits, so a model 5% off in its waits fails. "
        "`tests/validation/test_queueing_theory.py` shows that work times only 5% longer than "
        "configured fail the M/D/1 checks clearly (mean wait, P(W > 0) and L each more than "
        "6 SE off, with 20 runs).",
        "- **Little's law** is checked on every run as a sample-path identity: L x window = "
        "the sum of the times in system of the window's arrivals + the time that incidents "
        "started before the window spend inside it (carry-in) - the time that the window's "
        "arrivals spend after its end (spill-out). So \\|L - lambda W\\| may not exceed the "
        "edge term (carry-in + spill-out) / window, and L - lambda W must equal (carry-in - "
        "spill-out) / window up to float rounding. The edge term is at most a percent or so of "
        "L (its largest value over the runs is shown), so the tolerance is tight; a lost "
        "incident, or one resolved before it started, would break the identity. The row *mean "
        "number in system L* checks L itself against theory.",
        "- **M_t/G/infinity** (Eick, Massey and Whitt 1993): the number in system at time t is "
        "Poisson with mean m(t) = integral_0^inf lambda(t - u) P(S > u) du, exact for the "
        "model's hourly step rate (`sim.validation.queueing.infinite_server_mean`, with the "
        "integrals of P(S > u) over each hour in closed form from the work-time distribution's "
        "partial expectations). The number in system is counted at each of the 168 hour-of-week "
        "starts of every week after the warm-up and averaged over those weeks; each of the 168 "
        "hours must be within the Bonferroni limit for a family-wise false-alarm probability of "
        f"{HOURLY_FAMILY_ALPHA:g}. Sharper, since they pool all hours: the daily cycle of the "
        "number in system. m is the arrival rate filtered by P(S > u), so its daily Fourier "
        "component is the rate's, damped and delayed by the transform of the survival function "
        "(for a sinusoidal rate and exponential work of mean tau: amplitude x 1 / sqrt(1 + "
        "(omega tau)^2), lag arctan(omega tau) / omega). Each run's daily component is projected "
        "on the theory's phase (amplitude) and perpendicular to it (peak time, linearised), so "
        "both are linear in the data and their SE is exact. With 60 engineers nobody ever "
        "waits, which is checked "
        f"(largest \\|wait\\| below {WAIT_EPSILON_MINUTES:g} min).",
        "- **Arrivals per hour-of-week bin** of the time-varying cases, pooled over runs and "
        "weeks, against the configured rates: Pearson's chi-square with 168 degrees of freedom "
        f"(the rates are given, not estimated); it passes when p >= {CHI_SQUARE_ALPHA:g}.",
        "",
        "## Summary",
        "",
        "| case | queue | theory | runs x weeks | checks | result |",
        "|---|---|---|---|---:|---|",
    ]
    theory_names = {"mmc": "Erlang C", "mg1": "Pollaczek-Khinchine", "mtginf": "Eick-Massey-Whitt"}
    for result in results:
        scenario = result.case.scenario()
        lines.append(
            f"| `{result.case.name}` | {result.case.title} | {theory_names[result.case.kind]} | "
            f"{len(result.runs)} x {scenario.horizon.weeks} | {_check_count(result)} | "
            f"{_mark(result.passed)} |"
        )
    lines += ["", "## Cases", ""]
    for result in results:
        lines.append(case_markdown(result, figures.get(result.case.name)))
    return "\n".join(lines).rstrip() + "\n"


def write_report(
    path: Path | str,
    runs: int | None = None,
    jobs: int = 1,
    cases: Sequence[Case] = CASES,
    progress: Callable[[str], None] | None = None,
) -> list[CaseResult]:
    """Evaluate ``cases`` and write the validation document (and its figures) to ``path``.

    Args:
        path: the Markdown file to write (figures go next to it, ``validation-<case>.png``).
        runs: replications per case (default: each file's horizon.runs).
        jobs: worker processes.
        cases: the cases to run.
        progress: called with a line of text after each case.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    results = []
    figures = {}
    for validation_case in cases:
        started = time.perf_counter()
        result = evaluate(validation_case, runs=runs, jobs=jobs)
        results.append(result)
        if result.hourly is not None:
            figure = f"validation-{validation_case.name}.png"
            _hourly_figure(result, path.parent / figure)
            figures[validation_case.name] = figure
        if progress is not None:
            progress(
                f"{validation_case.name}: {'pass' if result.passed else 'FAIL'} "
                f"({len(result.runs)} runs, {time.perf_counter() - started:.1f} s)"
            )
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(report_markdown(results, figures), encoding="utf-8")
    temporary.replace(path)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.validation``: write the validation report; exit status 1 if a case fails."""
    parser = argparse.ArgumentParser(
        prog="python -m sim.validation",
        description="Run the queueing-theory validation cases and write the report.",
    )
    parser.add_argument("--out", type=Path, default=Path("docs/validation.md"), help="report file")
    parser.add_argument(
        "--runs", type=int, default=None, help="runs per case (default: each file's horizon.runs)"
    )
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--case", action="append", default=None, help="only this case (repeatable)")
    args = parser.parse_args(argv)
    selected = CASES if not args.case else tuple(case(name) for name in args.case)
    started = time.perf_counter()
    results = write_report(
        args.out,
        runs=args.runs,
        jobs=args.jobs,
        cases=selected,
        progress=lambda line: print(line, flush=True),
    )
    failed = [result.case.name for result in results if not result.passed]
    print(
        f"wrote {args.out} ({len(results)} cases, {time.perf_counter() - started:.0f} s): "
        + ("all pass" if not failed else f"FAILED: {', '.join(failed)}")
    )
    return 1 if failed else 0
