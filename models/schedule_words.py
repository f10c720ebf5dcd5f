"""The schedule shortcuts a profile may use, and what each means in words.

Kept apart from profiles.py (pydantic, YAML) so that `--help` can state them without paying
for those imports; tests/test_cli_help.py checks the words against the cron strings.
"""

from __future__ import annotations

SCHEDULE_SHORTCUTS = {
    "daily": "0 7 * * *",
    "weekdays": "0 7 * * 1-5",
    "weekly": "0 7 * * 1",
}
# What a profile gets without a schedule, from `profile add` and from a YAML file alike.
DEFAULT_SCHEDULE_WORD = "daily"
DEFAULT_SCHEDULE = SCHEDULE_SHORTCUTS[DEFAULT_SCHEDULE_WORD]
SCHEDULE_MEANINGS = {
    "daily": "07:00 every day",
    "weekdays": "07:00 Monday to Friday",
    "weekly": "07:00 every Monday",
}
SCHEDULE_HELP = (
    "When to send, in the profile's timezone: "
    + ", ".join(f"{name} ({SCHEDULE_MEANINGS[name]})" for name in SCHEDULE_SHORTCUTS)
    + ", or a 5-field cron string such as '30 6 * * 1-5'."
)


def stored_cron(schedule: str) -> str:
    """A stored schedule as cron. A profile applied from YAML without `schedule:` used to
    store the word "daily" (the default skipped validation), which no cron reader takes, so
    it was never sent: a stored shortcut reads as its cron (no migration needed)."""
    return SCHEDULE_SHORTCUTS.get(schedule.strip().lower(), schedule)
