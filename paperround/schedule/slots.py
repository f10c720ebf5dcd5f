"""When a profile's digest is due: cron + IANA timezone, DST-correct, as UTC instants.

A profile's schedule is a wall-clock cron ("0 7 * * 1-5") read in its own timezone, so
"07:00 in Paris" stays 07:00 across the March and October switches. Cron is evaluated on
naive local wall time (croniter), then each wall time is placed on the UTC line with
zoneinfo's PEP 495 rules:

- a wall time skipped by spring-forward (02:30 on the March switch in Paris) runs once,
  shifted forward by the gap (03:30 local), as Python and java.time do;
- a wall time that happens twice on fall-back (02:30 on the October switch) runs once,
  at its first occurrence (fold=0).

By default the dispatcher only looks at the latest slot <= now: after downtime one digest
goes out, covering everything since the last successful delivery (catch-up without a flood).
A profile with catch_up "each" gets one digest per missed slot instead (`missed_slots`),
capped to the last MAX_CATCH_UP_SLOTS.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, CroniterError, croniter

from models.errors import ConfigError

# A cron that matches nothing for this long is treated as never due (e.g. "0 0 30 2 *").
_LOOKBACK_STEPS = 400
MAX_CATCH_UP_SLOTS = 7  # catch_up "each": older missed slots fold into the oldest one sent


@contextmanager
def _readable(cron: str) -> Iterator[None]:
    """croniter's errors as a ConfigError saying what is wrong with the stored schedule (a
    store may hold one from before it was checked at input, e.g. 31 February)."""
    try:
        yield
    except CroniterBadDateError as exc:
        raise ConfigError(f"schedule {cron!r} never fires (no date matches it)") from exc
    except CroniterError as exc:
        raise ConfigError(f"schedule {cron!r} is not a 5-field cron string") from exc


def unreadable(name: str, timezone: str, exc: Exception) -> str:
    """One line for a profile whose stored schedule cannot be read (latest_slot, next_slots...
    raised ConfigError for the cron, or KeyError/ValueError for a timezone this machine does not
    know): what is wrong and the command that fixes it."""
    if isinstance(exc, ConfigError):
        what, fix = str(exc), "--schedule daily"
    else:
        what, fix = f"unknown timezone {timezone!r}", "--tz UTC"
    command = f"paperround profile edit {shlex.quote(name)} {fix}"
    return f"profile {name!r} is never sent on schedule: {what}; fix it with: {command}"


def _to_utc(local_naive: datetime, tz: ZoneInfo) -> datetime:
    """A naive wall time in tz as a UTC instant (gap: shifted forward; overlap: first)."""
    return local_naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _local_naive(instant: datetime, tz: ZoneInfo) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant!r}: pass a tz-aware value")
    return instant.astimezone(tz).replace(tzinfo=None)


def latest_slot(cron: str, timezone: str, now: datetime) -> datetime | None:
    """The latest scheduled instant <= now (UTC), or None if the cron never matched lately."""
    tz = ZoneInfo(timezone)
    with _readable(cron):
        # get_prev is strict, so start just after now to include a slot equal to now.
        it = croniter(cron, _local_naive(now, tz) + timedelta(seconds=1))
        for _ in range(_LOOKBACK_STEPS):
            slot = _to_utc(it.get_prev(datetime), tz)
            if slot <= now:  # a gap-shifted slot can land after now: step back once more
                return slot
    return None


def missed_slots(
    cron: str, timezone: str, after: datetime, now: datetime, limit: int = MAX_CATCH_UP_SLOTS
) -> list[datetime]:
    """The latest `limit` scheduled instants in (after, now] (UTC), oldest first."""
    tz = ZoneInfo(timezone)
    found: set[datetime] = set()
    with _readable(cron):
        it = croniter(cron, _local_naive(now, tz) + timedelta(seconds=1))
        for _ in range(_LOOKBACK_STEPS):
            slot = _to_utc(it.get_prev(datetime), tz)
            if slot <= after:
                break
            if slot <= now:  # gap-shifted slots can repeat a real one or land after now
                found.add(slot)
                if len(found) >= limit:
                    break
    return sorted(found)


def next_slots(cron: str, timezone: str, after: datetime, count: int = 1) -> list[datetime]:
    """The next `count` scheduled instants strictly after `after` (UTC), in order.

    Gap-shifted wall times can interleave with real ones, so a few extra are drawn and sorted.
    """
    tz = ZoneInfo(timezone)
    found: set[datetime] = set()
    with _readable(cron):
        it = croniter(cron, _local_naive(after, tz) - timedelta(hours=3))  # gap shifts <= 3 h
        for _ in range((count + 64) * 4):
            slot = _to_utc(it.get_next(datetime), tz)
            if slot > after:
                found.add(slot)
                if len(found) >= count + 64:
                    break
    return sorted(found)[:count]


def is_due(
    slot: datetime | None,
    *,
    claim_status: str | None,
    last_success: datetime | None,
    created_at: datetime | None = None,
) -> bool:
    """Whether a slot still needs a digest.

    Not due when it was already served (a done claim, or every channel delivered at or after
    the slot, e.g. by a manual `paperround digest`), or when the profile did not exist yet.
    """
    if slot is None or claim_status == "done":
        return False
    if created_at is not None and slot < created_at:
        return False
    return last_success is None or last_success < slot


# The service's own schedules (`paperround serve`; prefect.yaml repeats them, a test checks).
# Ingest hourly, and 5 minutes after arXiv's announcement (20:00 New York, Sunday-Thursday).
INGEST_SCHEDULES: tuple[tuple[str, str], ...] = (
    ("15 * * * *", "UTC"),
    ("5 20 * * 0-4", "America/New_York"),
)
