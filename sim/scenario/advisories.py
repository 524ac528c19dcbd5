"""Warnings about a valid scenario: settings that load but are probably not what was meant.

`oncall-sim validate` lists them and `oncall-sim run` prints them before it starts; neither
refuses the scenario (a warning is not bad input).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from sim.scenario.models import Scenario, Team

#: Alerts per week of one service above which its rate is called implausible: one alert every
#: ten minutes, day and night, is more than any on-call rotation can answer.
IMPLAUSIBLE_ALERTS_PER_WEEK = 1_000.0


def team_time_zone(scenario: Scenario, team: Team) -> str:
    """The team's own time zone, else its site's, else the horizon's."""
    if team.time_zone is not None:
        return team.time_zone
    if team.site is not None:
        return next(site.time_zone for site in scenario.sites if site.name == team.site)
    return scenario.horizon.time_zone


def overrides_outside_horizon(scenario: Scenario) -> list[str]:
    """Schedule overrides that end before the horizon starts or start after it ends."""
    horizon = scenario.horizon
    start = dt.datetime.combine(
        horizon.start_date, dt.time(), tzinfo=zoneinfo.ZoneInfo(horizon.time_zone)
    )
    end = start + dt.timedelta(weeks=horizon.weeks)
    found = []
    for team in scenario.teams:
        zone = zoneinfo.ZoneInfo(team_time_zone(scenario, team))
        for index, override in enumerate(team.overrides):
            if (
                override.end.replace(tzinfo=zone) <= start
                or override.start.replace(tzinfo=zone) >= end
            ):
                found.append(
                    f"teams.{team.name}.overrides[{index}] ({override.person}, "
                    f"{override.start:%Y-%m-%d %H:%M} to {override.end:%Y-%m-%d %H:%M}) lies "
                    f"entirely outside the horizon ({horizon.start_date} to "
                    f"{(end - dt.timedelta(days=1)).date()}): it never applies"
                )
    return found


def implausible_rates(scenario: Scenario) -> list[str]:
    """Services alerting more often than any rotation could answer."""
    return [
        f"services.{service.name}.alerts_per_week is {service.alerts_per_week:g}, one alert "
        f"every {7 * 1440 / service.alerts_per_week:.1f} minutes around the clock: more than "
        f"{IMPLAUSIBLE_ALERTS_PER_WEEK:,.0f} a week is rarely meant (a rate per month or year?)"
        for service in scenario.services
        if service.alerts_per_week > IMPLAUSIBLE_ALERTS_PER_WEEK
    ]


def scenario_warnings(scenario: Scenario) -> list[str]:
    """Every warning about ``scenario``, in file order of the things they name."""
    return [*implausible_rates(scenario), *overrides_outside_horizon(scenario)]
