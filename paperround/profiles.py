"""Profile validation: schedules, timezones, keywords. Pure functions, no database."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from paperround.errors import ConfigError

SCHEDULE_SHORTCUTS = {
    "daily": "0 7 * * *",
    "weekdays": "0 7 * * 1-5",
    "weekly": "0 7 * * 1",
}


def parse_schedule(text: str) -> str:
    """A cron string, or a shortcut (daily, weekdays, weekly); raises ConfigError if invalid."""
    from croniter import croniter

    cron = SCHEDULE_SHORTCUTS.get(text.strip().lower(), text.strip())
    if not croniter.is_valid(cron) or len(cron.split()) != 5:
        raise ConfigError(
            f"invalid schedule {text!r}: use a 5-field cron string like '0 7 * * 1-5' "
            f"or one of {', '.join(SCHEDULE_SHORTCUTS)}"
        )
    return cron


def parse_timezone(name: str) -> str:
    """An IANA timezone name; raises ConfigError if unknown."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown timezone {name!r}: use an IANA name like Europe/Paris"
        ) from None
    return name


def parse_keyword(text: str) -> tuple[str, float]:
    """'phrase' or 'phrase:2.5' -> (phrase, weight)."""
    term, sep, weight = text.rpartition(":")
    if sep and term.strip():
        try:
            return term.strip().lower(), float(weight)
        except ValueError:
            pass
    if not text.strip():
        raise ConfigError("empty keyword")
    return text.strip().lower(), 1.0
