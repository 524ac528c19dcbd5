"""Fill an import's placeholder rates from an incident history (``--incidents FILE``).

Reading and fitting are the calibration package's, exactly as ``oncall-sim calibrate --into``
does them (:func:`sim.calibration.readers.read_history`, :func:`sim.calibration.fit.calibrate`,
:func:`sim.calibration.writer.apply_to_text`); this module matches the history's services to
the imported ones and says what it did.

Matching, per history service, first tier that finds exactly one imported service:

1. its paging-tool id (a PagerDuty export's ``service_id``, or the id of its ``service``
   reference) equal to the id of what the service was imported from (a PagerDuty service, an
   Opsgenie escalation);
2. its name equal to a scenario service name;
3. its name, case and spacing aside, equal to such an id, to the tool's display name or to a
   scenario name;
4. its name made into a scenario name (``Checkout API`` -> ``checkout-api``) equal to one.

A name matching two services in one tier is not guessed: it is reported with both.

Matched incidents become their scenario service's, in that service's scenario team, so that a
service with few incidents is pooled towards the team it has in the scenario. Incidents of
services the import does not have stay in the history (its span is the exposure of every rate;
they count towards the organisation's pooled profile and the durations) and are listed as
dropped, with their count, so that nothing is left out silently. A matched service gets
``alerts_per_week``, ``profile``, ``severity_mix`` and ``weekly_rate_variance`` fitted, each
commented with estimate, standard error and n, and loses ``placeholder_rate``; the response's
work-time and ack-delay distributions are fitted too. A service without an incident in the
history keeps its placeholder, said loudly in the header and the report.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.calibration.fit import CalibrationResult, calibrate
from sim.calibration.history import History
from sim.calibration.writer import FITTED_SERVICE_FIELDS, schema_valid_fits
from sim.importers.report import ImportReport, slug
from sim.importers.sources import ImportInputError
from sim.scenario.calibration import CalibrationSettings

UNMATCHED_PREFIX = "unmatched: "
"""Prefix of the history's own label of a service the import does not have, while fitting."""


@dataclass(frozen=True)
class Match:
    """Where one history service's incidents went."""

    label: str
    """The history's service name (and id, when it has one), as the report shows it."""
    service: str | None
    """The scenario service, None when there is none (or more than one)."""
    how: str
    """How it matched (``service id PSVC001``, ``name 'Checkout API'``), or why not."""
    incidents: int


@dataclass(frozen=True)
class HistoryFill:
    """What an incident history filled in an import."""

    result: CalibrationResult
    """The calibration, restricted to the imported services it fitted."""
    matches: tuple[Match, ...]
    fitted: tuple[str, ...]
    placeholders: tuple[str, ...]
    """Imported services still on a placeholder rate (the history has none of their incidents)."""


def _key(text: str) -> str:
    return " ".join(str(text).split()).casefold()


class _Matcher:
    """The four tiers of the module docstring, over one import's services."""

    def __init__(self, names: list[str], sources: dict[str, tuple[str, ...]]) -> None:
        self.ids: dict[str, set[str]] = {}
        self.exact = set(names)
        self.loose: dict[str, set[str]] = {}
        for name in names:
            source = sources.get(name, ())
            if source and source[0]:
                self.ids.setdefault(source[0], set()).add(name)
            for text in {name, *source}:
                if text:
                    self.loose.setdefault(_key(text), set()).add(name)

    def match(self, name: str, service_id: str) -> tuple[str | None, str]:
        tiers = [
            (self.ids.get(service_id, set()) if service_id else set(), "matched by service id"),
            ({name} & self.exact, "matched by name"),
            (self.loose.get(_key(name), set()), "matched by name or id, case and spacing aside"),
            ({slug(name)} & self.exact, f"matched by name, as {slug(name)}"),
        ]
        for found, how in tiers:
            if len(found) == 1:
                return next(iter(found)), how
            if len(found) > 1:
                return None, f"{how} matches {', '.join(sorted(found))}: not guessed"
        return None, "matches no imported service by name or id"


def match_history(
    history: History, document: dict[str, Any], sources: dict[str, tuple[str, ...]]
) -> tuple[History, tuple[Match, ...]]:
    """The history with every matched incident relabelled as its scenario service (and team);
    unmatched incidents keep their label behind :data:`UNMATCHED_PREFIX`, with no team."""
    services = {service["name"]: service for service in document["services"]}
    matcher = _Matcher(list(services), sources)
    frame = history.incidents.copy()
    pairs = Counter(zip(frame["service"], frame["service_id"], strict=True))
    matches, target, team = [], {}, {}
    for (name, service_id), count in pairs.items():
        service, how = matcher.match(name, service_id)
        label = f"{name} (id {service_id})" if service_id and service_id != name else name
        matches.append(Match(label, service, how, count))
        target[name, service_id] = service or f"{UNMATCHED_PREFIX}{name}"
        team[name, service_id] = services[service]["team"] if service else ""
    keys = list(zip(frame["service"], frame["service_id"], strict=True))
    frame["service"] = pd.Series([target[k] for k in keys], index=frame.index, dtype=object)
    frame["team"] = pd.Series([team[k] for k in keys], index=frame.index, dtype=object)
    relabelled = History(frame, history.source, history.format, history.notes)
    return relabelled, tuple(matches)


def fill_from_history(
    document: dict[str, Any],
    sources: dict[str, tuple[str, ...]],
    history: History,
    scenario,
    report: ImportReport,
) -> HistoryFill:
    """Fit the imported services' rates from ``history``; update ``document`` (fitted
    services lose ``placeholder_rate``) and ``report``. ``scenario`` is the validated document
    (its time zone and work factors). A history none of whose services is imported is an
    error (:class:`ImportInputError`)."""
    relabelled, matches = match_history(history, document, sources)
    for match in matches:
        if match.service is None:
            report.drop(
                f"incident history: service {match.label}, {match.incidents} incident(s): "
                f"{match.how}; not fitted into the scenario (its incidents count only towards "
                "the history's span, the organisation's pooled values and the durations)"
            )
    if not any(match.service for match in matches):
        labels = ", ".join(match.label for match in matches[:12])
        raise ImportInputError(
            history.source,
            "services",
            f"none of the history's services ({labels}{' ...' if len(matches) > 12 else ''}) "
            "matches an imported service by name or id (imported: "
            f"{', '.join(s['name'] for s in document['services'])})",
        )
    settings = CalibrationSettings(time_zone=scenario.horizon.time_zone)
    result = calibrate(relabelled, settings, dict(scenario.response.severity_work_factor))
    matched = {match.service for match in matches if match.service}
    kept = tuple(fit for fit in result.services if fit.name in matched)
    messages = tuple(m for m in result.messages if not m.startswith(f"service {UNMATCHED_PREFIX}"))
    result = dataclasses.replace(result, services=kept, messages=messages)
    for index, service in enumerate(document["services"]):
        if service["name"] in matched:
            document["services"][index] = _with_slots(service)
    placeholders = tuple(s["name"] for s in document["services"] if s.get("placeholder_rate"))
    fill = HistoryFill(result, matches, tuple(f.name for f in kept), placeholders)
    _report_rates(fill, document, report)
    return fill


def _with_slots(service: dict[str, Any]) -> dict[str, Any]:
    """The service without ``placeholder_rate`` and with a null slot for every fitted field it
    lacks, right after ``alerts_per_week`` (the writer fills each slot with its commented value
    or removes it), so that fitted values sit with the rate, above the comment of the next
    service."""
    entry: dict[str, Any] = {}
    for key, value in service.items():
        if key == "placeholder_rate":
            continue
        entry[key] = value
        if key == "alerts_per_week":
            for field in FITTED_SERVICE_FIELDS[1:]:
                entry[field] = service.get(field)
    return entry


def _report_rates(fill: HistoryFill, document: dict[str, Any], report: ImportReport) -> None:
    result = fill.result
    fits = {fit.name: fit for fit in result.services}
    minimum = result.settings.min_incidents_per_service
    for service in document["services"]:
        name = service["name"]
        if name not in fits:
            if service.get("placeholder_rate"):
                report.rate(
                    f"{name}: PLACEHOLDER alerts_per_week kept: the incident history has no "
                    "incident of it (by name or id)"
                )
            continue
        fit = fits[name]
        sources = "; ".join(f"{m.label}: {m.how}" for m in fill.matches if m.service == name)
        pooled = (
            "profile, severity mix and weekly dispersion its own"
            if fit.pooled_from == "own"
            else f"fewer than {minimum} incidents: profile, severity mix and weekly dispersion "
            f"pooled from {fit.pooled_from}"
        )
        report.rate(
            f"{name}: fitted, alerts_per_week {fit.alerts_per_week:.4g} (s.e. "
            f"{fit.alerts_per_week_se:.2g}) from n = {fit.n} incidents over "
            f"{result.exposure_weeks:.1f} weeks ({sources}); {pooled}"
        )
    for key, fits_of in (
        ("work_time_minutes", result.work_time),
        ("ack_delay_minutes", result.ack_delay),
    ):
        valid = schema_valid_fits(fits_of)  # the family the writer uses
        if valid:
            report.rate(f"response.{key}: {valid[0].family} fitted on n = {valid[0].n} incidents")


def history_header(fill: HistoryFill) -> list[str]:
    """Header paragraphs (plain text): which history filled the rates, and the calibration's
    notes."""
    result = fill.result
    lines = [
        f"Rates, profiles, severity mixes and durations fitted as `oncall-sim calibrate` does, "
        f"from {result.source} ({result.first.date()} to {result.last.date()}, "
        f"{result.exposure_weeks:.1f} weeks, profile in {result.settings.time_zone}), for "
        f"{', '.join(fill.fitted)}; each value is commented with estimate, s.e. and n.",
    ]
    return lines + [f"note: {message}" for message in result.messages]
