"""Write a calibration into a scenario file, every fitted value commented.

A new scenario gets one service per history service, one team per history team (or one team,
``operations``), and the fitted response times. ``into`` an existing scenario replaces only the
fitted fields (``alerts_per_week``, ``profile``, ``severity_mix``, ``weekly_rate_variance`` of
each service the history names, and ``response.work_time_minutes`` / ``ack_delay_minutes`` when
fitted; ``noise.transient_share`` / ``self_clear_minutes`` when the history records
acknowledgements), keeping every other line and comment (``ruamel.yaml`` round trip); services
the history does not name are left as they are and listed in the messages. Each fitted value
carries an end-of-line comment ``fitted: estimate (s.e. x), n = k``.
"""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from sim.calibration.durations import DurationFit
from sim.calibration.fit import CalibrationResult, ServiceFit
from sim.calibration.history import HistoryError
from sim.calibration.transient import TransientFit

DEFAULT_TEAM = "operations"
FITTED_SERVICE_FIELDS = ("alerts_per_week", "profile", "severity_mix", "weekly_rate_variance")
"""The service fields a calibration sets. A field written as null in the scenario it is applied
to is a slot: it takes the fitted value, or is removed when the history cannot fit it."""


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 200
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _flow(values) -> CommentedSeq:
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def _profile_value(fit: ServiceFit):
    if fit.profile.choice != "custom":
        return fit.profile.choice
    rows = CommentedSeq(_flow([round(float(w), 3) for w in row]) for row in fit.profile.weights)
    return rows


def _profile_comment(fit: ServiceFit) -> str:
    aic = fit.profile.aic
    best_preset = min((name for name in aic if name != "custom"), key=aic.get)
    how = (
        f"smoothed {2 * fit.profile.smooth_hours + 1}-hour moving average, Monday first"
        if fit.profile.choice == "custom"
        else "named profile"
    )
    return (
        f"fitted: {how}; AIC custom {aic['custom']:.1f} vs {best_preset} {aic[best_preset]:.1f}"
        f", n = {fit.profile.n} ({fit.pooled_from})"
    )


def _service_updates(fit: ServiceFit, weeks: float) -> list[tuple[str, object, str]]:
    updates: list[tuple[str, object, str]] = [
        (
            "alerts_per_week",
            round(float(fit.alerts_per_week), 4),
            f"fitted: {fit.alerts_per_week:.4g} (s.e. {fit.alerts_per_week_se:.2g}), "
            f"n = {fit.n} incidents over {weeks:.1f} weeks",
        ),
        ("profile", _profile_value(fit), _profile_comment(fit)),
    ]
    if fit.severity_n:
        shares = {name: round(float(share), 4) for name, share in fit.severity_mix.items()}
        drift = 1.0 - sum(shares.values())
        top = max(shares, key=shares.get)
        shares[top] = round(shares[top] + drift, 4)
        errors = ", ".join(f"{k} {v:.2g}" for k, v in fit.severity_mix_se.items())
        updates.append(
            (
                "severity_mix",
                CommentedMap(shares),
                f"fitted: s.e. {errors}; n = {fit.severity_n} ({fit.pooled_from})",
            )
        )
    dispersion = fit.dispersion
    if dispersion.weekly_counts.size >= 4 and dispersion.mean_per_week > 0:
        comment = (
            f"fitted: dispersion index {dispersion.dispersion_index:.2f}, n = "
            f"{dispersion.weekly_counts.size} weeks (Poisson p = {dispersion.pvalue:.2g}"
            f"{'' if fit.pooled_from == 'own' else ', ' + fit.pooled_from})"
        )
        if dispersion.overdispersed:
            comment += f"; negative binomial alpha s.e. {dispersion.alpha_standard_error:.2g}"
        else:
            comment += "; Poisson not rejected at 5%: 0"
        updates.append(("weekly_rate_variance", round(float(dispersion.alpha), 4), comment))
    return updates


def schema_valid_fits(fits: tuple[DurationFit, ...]) -> tuple[DurationFit, ...]:
    """The fits whose parameters the scenario schema accepts, in AIC order (e.g. a Weibull
    shape above 50 for near-constant durations is left out)."""
    from pydantic import TypeAdapter, ValidationError

    from sim.scenario.distributions import DurationSpec

    adapter = TypeAdapter(DurationSpec)
    valid = []
    for fit in fits:
        try:
            adapter.validate_python(fit.spec())
        except ValidationError:
            continue
        valid.append(fit)
    return tuple(valid)


def _duration_comment(fits: tuple[DurationFit, ...], definition: str) -> str:
    best = fits[0]
    estimates = ", ".join(
        f"{name} {value:.4g} (s.e. {best.standard_errors[name]:.2g})"
        for name, value in best.params.items()
    )
    others = ", ".join(f"{fit.family} {fit.aic - best.aic:+.1f}" for fit in fits[1:])
    if best.family == "fixed":
        return f"fitted: every one of n = {best.n} is {best.params['value']:.4g} (s.e. 0)"
    return (
        f"fitted: {estimates}, n = {best.n}; {definition}; AIC vs others: {others}; "
        f"KS {best.ks_statistic:.3f} (p {best.ks_pvalue:.2g}), AD {best.ad_statistic:.2f}"
    )


def _set(mapping: CommentedMap, key: str, value: object, comment: str) -> None:
    mapping[key] = value
    mapping.yaml_add_eol_comment(comment, key)


def _new_document(result: CalibrationResult, name: str) -> CommentedMap:
    teams = sorted({fit.team or DEFAULT_TEAM for fit in result.services})
    document = CommentedMap()
    document["name"] = name
    document["description"] = (
        f"Calibrated from {Path(result.source).name}: {len(result.services)} service(s), "
        f"{result.first.date()} to {result.last.date()}"
    )
    document["horizon"] = CommentedMap(time_zone=result.settings.time_zone)
    document["services"] = CommentedSeq()
    team_list = CommentedSeq()
    for team in teams:
        entry = CommentedMap(name=_safe_name(team), engineers=result.settings.engineers_per_team)
        entry.yaml_add_eol_comment("not fitted: set to your rota", "engineers")
        team_list.append(entry)
    document["teams"] = team_list
    return document


def _safe_name(text: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text).strip("-_")
    return (cleaned or "service")[:64]


def apply_calibration(document: CommentedMap, result: CalibrationResult) -> list[str]:
    """Replace the fitted fields of ``document`` in place; returns what it did not touch."""
    notes = []
    services = document.setdefault("services", CommentedSeq())
    by_name = {str(entry.get("name")): entry for entry in services}
    team_names = {str(team.get("name")) for team in document.get("teams", [])}
    for fit in result.services:
        name = _safe_name(fit.name)
        entry = by_name.get(name)
        if entry is None:
            team = _safe_name(fit.team or DEFAULT_TEAM)
            if team not in team_names and team_names:
                team = sorted(team_names)[0]
                notes.append(f"service {name} is new; it joins team {team}")
            entry = CommentedMap(name=name, team=team)
            services.append(entry)
        for key, value, comment in _service_updates(fit, result.exposure_weeks):
            _set(entry, key, value, comment)
        for key in FITTED_SERVICE_FIELDS:
            if key in entry and entry[key] is None:  # a slot left for a field not fitted
                del entry[key]
    fitted = {_safe_name(fit.name) for fit in result.services}
    untouched = [name for name in by_name if name not in fitted]
    if untouched:
        notes.append(f"not in the history, left as they were: {', '.join(untouched)}")
    response = document.setdefault("response", CommentedMap())
    for key, fits, definition in (
        ("work_time_minutes", result.work_time, result.work_time_definition),
        ("ack_delay_minutes", result.ack_delay, "acknowledged - started"),
    ):
        valid = schema_valid_fits(fits)
        if fits and not valid:
            notes.append(f"response.{key}: no fitted family is within the schema's bounds")
        elif valid and valid[0] is not fits[0]:
            notes.append(
                f"response.{key}: best family {fits[0].family} is outside the schema's bounds; "
                f"using {valid[0].family}"
            )
        if valid:
            _set(response, key, CommentedMap(valid[0].spec()), _duration_comment(valid, definition))
    if result.transient is not None:
        notes.extend(_apply_transient(document, result.transient))
    return notes


def _apply_transient(document: CommentedMap, fit: TransientFit) -> list[str]:
    """``noise.transient_share`` and ``noise.self_clear_minutes`` (when fitted)."""
    notes = []
    noise = document.get("noise")
    if not isinstance(noise, CommentedMap):
        noise = CommentedMap()
        document["noise"] = noise
    _set(
        noise,
        "transient_share",
        round(float(fit.share), 4),
        f"fitted: {fit.share:.4g} (s.e. {fit.share_se:.2g}), n = {fit.n}; {fit.transient} "
        f"resolved within {fit.threshold_minutes:g} min, never acknowledged",
    )
    valid = schema_valid_fits(fit.self_clear)
    if valid:
        definition = f"transient incidents' resolved - started, <= {fit.threshold_minutes:g} min"
        _set(
            noise,
            "self_clear_minutes",
            CommentedMap(valid[0].spec()),
            _duration_comment(valid, definition),
        )
    overridden = [
        str(entry.get("name"))
        for entry in document.get("services", [])
        if isinstance(entry.get("noise"), dict) and "transient_share" in entry["noise"]
    ]
    if overridden:
        notes.append(
            "services with their own noise.transient_share keep it (the fitted value is the "
            f"scenario's): {', '.join(overridden)}"
        )
    return notes


def render_scenario(
    result: CalibrationResult, into: Path | None = None, name: str | None = None
) -> tuple[str, list[str]]:
    """The scenario text with the calibration applied (and what was left alone)."""
    if into is not None:
        try:
            text = into.read_text(encoding="utf-8")
        except OSError as error:
            raise HistoryError(f"{into}: cannot read ({error.strerror})") from None
        return apply_to_text(text, result, str(into))
    yaml = _yaml()
    document = _new_document(result, name or f"calibrated: {Path(result.source).stem}")
    notes = apply_calibration(document, result)
    header = (
        f"# Fitted by `oncall-sim calibrate` from {Path(result.source).name} "
        f"({result.first.date()} to {result.last.date()}, {result.exposure_weeks:.1f} weeks, "
        f"profile in {result.settings.time_zone}).\n"
        + "".join(f"# note: {message}\n" for message in result.messages)
    )
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return header + buffer.getvalue(), notes


def apply_to_text(text: str, result: CalibrationResult, source: str) -> tuple[str, list[str]]:
    """A scenario's YAML text with the calibration applied (:func:`apply_calibration`), every
    other line and comment kept; and what was left alone. ``source`` names it in errors."""
    yaml = _yaml()
    document = yaml.load(text)
    if not isinstance(document, CommentedMap):
        raise HistoryError(f"{source}: not a scenario (expected a YAML mapping)")
    notes = apply_calibration(document, result)
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue(), notes
