"""Field types shared by the scenario models: names, times of day, time zones, week times."""

from __future__ import annotations

import difflib
import re
import zoneinfo
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

SEVERITIES = ("P1", "P2", "P3", "P4")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LAYERS = ("network", "compute", "storage", "middleware", "app")
ESCALATION_LEVELS = ("primary", "secondary", "manager")

Probability = Annotated[float, Field(ge=0, le=1)]
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$", max_length=64)]


#: A person's display name: letters of any script, digits, spaces, apostrophes, dots and
#: hyphens, starting with a letter or digit (``chloé``, ``Farid Khan``, ``Seán O'Brien``).
_DISPLAY_NAME = re.compile(r"[^\W_](?:[\w'’.\-]| (?! ))*")


def _check_person_name(text: str) -> str:
    if len(text) > 64:
        raise ValueError(f"a name has at most 64 characters (got {len(text)})")
    if _DISPLAY_NAME.fullmatch(text) and not text.endswith(" "):
        return text
    if not text or not (text[0].isalnum()):
        why = "it must start with a letter or digit"
    elif "  " in text:
        why = "it has two spaces in a row"
    elif text.endswith(" "):
        why = "it ends with a space"
    else:
        bad = next(c for c in text if not (c.isalnum() or c in " '’.-_"))
        why = f"{bad!r} is not allowed"
    raise ValueError(
        f"{text!r} is not a person's name: {why} (letters, digits, single spaces, "
        "apostrophes, dots and hyphens)"
    )


PersonName = Annotated[str, AfterValidator(_check_person_name)]
"""A person as people write them; :func:`identifier_of` gives the identifier form."""


def identifier_of(name: str) -> str:
    """An ASCII identifier for a display name: 'Farid Khan' -> 'farid-khan', 'chloé' ->
    'chloe' (accents dropped, other characters to '-'); used where an identifier is needed,
    e.g. a segment of a variant's dotted path."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9_]+", "-", plain.lower()).strip("-")
    return slug or name


Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
Severity = Literal["P1", "P2", "P3", "P4"]


def _check_time_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name like 'Europe/Berlin'"
        ) from None
    return name


def _check_time_of_day(text: str) -> str:
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", text)
    if not match:
        raise ValueError(f"expected a time of day as 'HH:MM' (24-hour clock), got {text!r}")
    return text


TimeZoneName = Annotated[str, AfterValidator(_check_time_zone)]
TimeOfDay = Annotated[str, AfterValidator(_check_time_of_day)]


def minutes_of_day(time_of_day: str) -> int:
    """'HH:MM' as minutes after midnight."""
    hours, minutes = time_of_day.split(":")
    return int(hours) * 60 + int(minutes)


class WeekTime(BaseModel):
    """A moment of the week in local time, e.g. ``{day: Sat, time: '00:00'}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    day: Weekday
    time: TimeOfDay = "00:00"

    @property
    def minute_of_week(self) -> int:
        return WEEKDAYS.index(self.day) * 1440 + minutes_of_day(self.time)


class FrozenModel(BaseModel):
    """Base of every scenario model: immutable, unknown keys rejected, docstrings documented."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


def check_holiday_codes(country: str | None, subdivision: str | None) -> None:
    """Raise ValueError unless the country (and subdivision) are known to `holidays`."""
    if country is None:
        if subdivision is not None:
            raise ValueError("holidays_subdivision needs holidays_country")
        return
    import holidays

    supported = holidays.list_supported_countries()
    if country not in supported:
        raise ValueError(f"holidays_country {country!r} is not a supported code")
    subdivisions = supported[country]
    if subdivision is not None and subdivision not in subdivisions:
        nearest = difflib.get_close_matches(subdivision, subdivisions, n=5, cutoff=0.3)
        raise ValueError(
            f"holidays_subdivision {subdivision!r} is not one of the {len(subdivisions)} "
            f"subdivisions of {country}"
            + (f"; nearest: {', '.join(nearest)}" if nearest else "")
            + f" (all: {', '.join(subdivisions)})"
        )
