"""The calibration report: tables (CSV and Markdown) and figures (matplotlib, PNG).

``write_report(result, history, folder)`` writes

* ``services.csv``: per service, n, rate and s.e., profile choice and its AIC against the best
  preset, dispersion index, Poisson p-value, alpha, where it was pooled from;
* ``durations.csv``: every family fitted to work (and ack, and self-clear) times with AIC, KS
  and AD;
* ``summary.md``: both tables, the transient share and self-clear time, and the messages;
* ``profile-<service>.png``: observed, smoothed and chosen hour-of-week profile;
* ``qq-work-time.png`` (and ``qq-ack-delay.png``, ``qq-self-clear.png``): QQ plots of the best
  family;
* ``weekly-<service>.png``: weekly counts with the 90% Poisson band and, when over-dispersed,
  the negative-binomial band.

Figures are drawn for the (up to) six services with the most incidents.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.calibration.fit import CalibrationResult, ServiceFit
from sim.calibration.history import History

FIGURE_SERVICES = 6


def services_table(result: CalibrationResult) -> pd.DataFrame:
    """One row per service fit."""
    rows = []
    for fit in result.services:
        aic = fit.profile.aic
        preset = min((name for name in aic if name != "custom"), key=aic.get)
        rows.append(
            {
                "service": fit.name,
                "team": fit.team,
                "incidents": fit.n,
                "alerts_per_week": fit.alerts_per_week,
                "alerts_per_week_se": fit.alerts_per_week_se,
                "profile": fit.profile.choice,
                "aic_custom": aic["custom"],
                "best_preset": preset,
                "aic_best_preset": aic[preset],
                "dispersion_index": fit.dispersion.dispersion_index,
                "poisson_pvalue": fit.dispersion.pvalue,
                "weekly_rate_variance": fit.dispersion.alpha,
                "weekly_rate_variance_se": fit.dispersion.alpha_standard_error,
                "pooled_from": fit.pooled_from,
            }
        )
    return pd.DataFrame(rows)


def durations_table(result: CalibrationResult) -> pd.DataFrame:
    """Every family fitted to each duration, best first per quantity."""
    rows = []
    self_clear = result.transient.self_clear if result.transient is not None else ()
    for quantity, fits in (
        ("work_time", result.work_time),
        ("ack_delay", result.ack_delay),
        ("self_clear", self_clear),
    ):
        for fit in fits:
            rows.append(
                {
                    "quantity": quantity,
                    "family": fit.family,
                    "params": ", ".join(f"{k} {v:.4g}" for k, v in fit.params.items()),
                    "standard_errors": ", ".join(
                        f"{k} {v:.2g}" for k, v in fit.standard_errors.items()
                    ),
                    "n": fit.n,
                    "aic": fit.aic,
                    "delta_aic": fit.aic - fits[0].aic,
                    "ks": fit.ks_statistic,
                    "ks_pvalue": fit.ks_pvalue,
                    "ad": fit.ad_statistic,
                }
            )
    return pd.DataFrame(rows)


def transient_summary(result: CalibrationResult) -> str:
    """The transient share and self-clear time in words (or why they were not fitted)."""
    fit = result.transient
    if fit is None:
        return (
            "Not fitted: the history records no acknowledgements, so a transient alert cannot "
            "be told from a short real incident."
        )
    text = (
        f"Transient share {fit.share:.4g} (s.e. {fit.share_se:.2g}): {fit.transient} of "
        f"{fit.n} incidents resolved within {fit.threshold_minutes:g} minutes and never "
        "acknowledged (left out of the work-time fit)."
    )
    if fit.self_clear:
        best = fit.self_clear[0]
        params = ", ".join(
            f"{k} {v:.4g} (s.e. {best.standard_errors[k]:.2g})" for k, v in best.params.items()
        )
        text += (
            f" Self-clear time: {best.family}, {params}, n = {best.n}; fitted share above "
            f"the threshold {fit.beyond_threshold:.3f}."
        )
    else:
        text += " Self-clear time: not fitted (too few)."
    return text


def _profile_figure(fit: ServiceFit, path: Path, tz: str) -> None:
    import matplotlib.pyplot as plt

    hours = np.arange(168)
    figure, axis = plt.subplots(figsize=(10, 3.2))
    axis.plot(hours, fit.profile.observed.ravel(), color="0.7", lw=0.8, label="observed")
    axis.plot(hours, fit.profile.smoothed.ravel(), lw=1.5, label="smoothed")
    if fit.profile.choice != "custom":
        axis.plot(hours, fit.profile.weights.ravel(), lw=1.5, label=fit.profile.choice)
    axis.set_xticks(np.arange(0, 169, 24), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", ""])
    axis.set_ylabel("relative rate (mean 1)")
    axis.set_title(f"{fit.name}: hour-of-week profile ({tz}), n = {fit.profile.n}")
    axis.legend(loc="upper right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _qq_figure(fits, durations: np.ndarray, title: str, path: Path) -> None:
    import matplotlib.pyplot as plt

    data = np.sort(durations[np.isfinite(durations) & (durations > 0)])
    probabilities = (np.arange(1, len(data) + 1) - 0.5) / len(data)
    figure, axis = plt.subplots(figsize=(4.5, 4.5))
    for fit in [fit for fit in fits if fit.family != "fixed"][:2]:
        axis.loglog(fit.frozen().ppf(probabilities), data, ".", ms=3, label=fit.family)
    limits = [data.min(), data.max()]
    axis.plot(limits, limits, color="0.3", lw=0.8)
    axis.set_xlabel("fitted quantile (minutes)")
    axis.set_ylabel("observed (minutes)")
    axis.set_title(title)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _weekly_figure(fit: ServiceFit, path: Path) -> None:
    import matplotlib.pyplot as plt

    counts = fit.dispersion.weekly_counts
    mean = fit.dispersion.mean_per_week
    figure, axis = plt.subplots(figsize=(10, 3.2))
    axis.plot(counts, lw=0.7, color="0.2", label="observed")
    low, high = stats.poisson.ppf([0.05, 0.95], mean)
    axis.axhspan(low, high, alpha=0.2, label="90% Poisson band")
    if fit.dispersion.overdispersed:
        size = 1 / fit.dispersion.alpha
        nb_low, nb_high = stats.nbinom.ppf([0.05, 0.95], size, size / (size + mean))
        axis.axhline(nb_low, ls="--", lw=0.8, color="C1")
        axis.axhline(nb_high, ls="--", lw=0.8, color="C1", label="90% negative binomial")
    axis.set_xlabel("week")
    axis.set_ylabel("incidents")
    axis.set_title(
        f"{fit.name}: weekly counts, dispersion index {fit.dispersion.dispersion_index:.2f}"
    )
    axis.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)[:60]


def write_report(result: CalibrationResult, history: History, folder: Path) -> list[Path]:
    """Write the tables and figures into ``folder``; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    services = services_table(result)
    durations = durations_table(result)
    for name, table in (("services.csv", services), ("durations.csv", durations)):
        table.to_csv(folder / name, index=False)
        written.append(folder / name)
    summary = folder / "summary.md"
    no_durations = "none"
    summary.write_text(
        f"# Calibration of {Path(result.source).name}\n\n"
        f"{result.first} to {result.last} ({result.exposure_weeks:.1f} weeks), profile in "
        f"{result.settings.time_zone}.\n\n"
        f"## Services\n\n```\n{services.to_string(index=False)}\n```\n\n"
        "## Durations\n\n```\n"
        f"{durations.to_string(index=False) if len(durations) else no_durations}\n```\n\n"
        f"## Transient alerts\n\n{transient_summary(result)}\n\n"
        "## Notes\n\n" + "".join(f"- {message}\n" for message in result.messages),
        encoding="utf-8",
    )
    written.append(summary)
    top = sorted(result.services, key=lambda fit: -fit.n)[:FIGURE_SERVICES]
    for fit in top:
        path = folder / f"profile-{_slug(fit.name)}.png"
        _profile_figure(fit, path, result.settings.time_zone)
        written.append(path)
        if fit.dispersion.weekly_counts.size:
            path = folder / f"weekly-{_slug(fit.name)}.png"
            _weekly_figure(fit, path)
            written.append(path)
    frame = history.incidents
    minutes = lambda a, b: ((frame[a] - frame[b]).dt.total_seconds() / 60).to_numpy()  # noqa: E731
    if result.work_time:
        work = minutes("resolved", "acknowledged" if result.ack_delay else "started")
        _qq_figure(result.work_time, work, "work time", folder / "qq-work-time.png")
        written.append(folder / "qq-work-time.png")
    if result.ack_delay:
        _qq_figure(
            result.ack_delay,
            minutes("acknowledged", "started"),
            "ack delay",
            folder / "qq-ack-delay.png",
        )
        written.append(folder / "qq-ack-delay.png")
    if result.transient is not None and result.transient.self_clear:
        from sim.calibration.transient import transient_mask

        durations = minutes("resolved", "started")
        durations = durations[transient_mask(history, result.transient.threshold_minutes)]
        path = folder / "qq-self-clear.png"
        _qq_figure(result.transient.self_clear, durations, "self-clear time", path)
        written.append(path)
    return written
