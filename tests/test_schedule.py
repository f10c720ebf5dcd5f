"""Due-time computation: wall-clock crons in the profile's timezone, across DST switches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from paperround.schedule.slots import is_due, latest_slot, next_slots


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daily_slot_in_paris_is_0700_local_in_winter_and_summer():
    # CET (UTC+1) before 29 March 2026, CEST (UTC+2) after.
    assert latest_slot("0 7 * * *", "Europe/Paris", utc(2026, 3, 28, 6, 30)) == utc(
        2026, 3, 28, 6, 0
    )
    assert latest_slot("0 7 * * *", "Europe/Paris", utc(2026, 3, 30, 5, 30)) == utc(
        2026, 3, 30, 5, 0
    )


def test_slot_equal_to_now_counts_and_one_second_before_does_not():
    slot = utc(2026, 11, 23, 12, 0)  # 07:00 in New York (EST, UTC-5)
    assert latest_slot("0 7 * * *", "America/New_York", slot) == slot
    assert latest_slot("0 7 * * *", "America/New_York", slot - timedelta(seconds=1)) == utc(
        2026, 11, 22, 12, 0
    )


def test_spring_forward_gap_runs_once_shifted_by_the_gap():
    # 29 March 2026 in Paris: 02:00 -> 03:00. A 02:30 schedule runs at 03:30 CEST (01:30 UTC).
    assert latest_slot("30 2 * * *", "Europe/Paris", utc(2026, 3, 29, 1, 29)) == utc(
        2026, 3, 28, 1, 30
    )
    assert latest_slot("30 2 * * *", "Europe/Paris", utc(2026, 3, 29, 1, 30)) == utc(
        2026, 3, 29, 1, 30
    )
    after = utc(2026, 3, 28, 12, 0)
    assert next_slots("30 2 * * *", "Europe/Paris", after, 3) == [
        utc(2026, 3, 29, 1, 30),  # gap day: 03:30 CEST
        utc(2026, 3, 30, 0, 30),  # back to 02:30 CEST
        utc(2026, 3, 31, 0, 30),
    ]


def test_fall_back_overlap_runs_once_at_the_first_occurrence():
    # 25 October 2026 in Paris: 03:00 CEST -> 02:00 CET; 02:30 happens twice.
    first = utc(2026, 10, 25, 0, 30)  # 02:30 CEST
    second = utc(2026, 10, 25, 1, 30)  # 02:30 CET
    assert latest_slot("30 2 * * *", "Europe/Paris", second + timedelta(minutes=5)) == first
    slots = next_slots("30 2 * * *", "Europe/Paris", utc(2026, 10, 24, 12, 0), 2)
    assert slots == [first, utc(2026, 10, 26, 1, 30)]


def test_new_york_switches_on_its_own_dates():
    # US DST ends 1 November 2026 (Paris switched a week earlier): 07:00 EDT, then 07:00 EST.
    assert next_slots("0 7 * * *", "America/New_York", utc(2026, 10, 30, 20, 0), 3) == [
        utc(2026, 10, 31, 11, 0),
        utc(2026, 11, 1, 12, 0),
        utc(2026, 11, 2, 12, 0),
    ]
    # Spring: 8 March 2026, 02:00 -> 03:00.
    assert next_slots("0 7 * * *", "America/New_York", utc(2026, 3, 7, 20, 0), 2) == [
        utc(2026, 3, 8, 11, 0),
        utc(2026, 3, 9, 11, 0),
    ]


def test_weekday_schedule_skips_the_weekend():
    # Monday 23 November 2026, 06:00 in Paris: the latest weekday 07:00 is Friday the 20th.
    now = utc(2026, 11, 23, 5, 0)
    assert latest_slot("0 7 * * 1-5", "Europe/Paris", now) == utc(2026, 11, 20, 6, 0)


def test_arxiv_announcement_cron_in_new_york():
    # 20:00 Sunday-Thursday in New York; Friday 20 November 2026 21:00 EST -> Thursday's.
    now = utc(2026, 11, 21, 2, 0)
    assert latest_slot("0 20 * * 0-4", "America/New_York", now) == utc(2026, 11, 20, 1, 0)


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="naive"):
        latest_slot("0 7 * * *", "UTC", datetime(2026, 11, 23, 7, 0))


def test_is_due_rules():
    slot = utc(2026, 11, 23, 6, 0)
    assert is_due(slot, claim_status=None, last_success=None)
    assert is_due(slot, claim_status=None, last_success=slot - timedelta(days=3))
    assert is_due(slot, claim_status="failed", last_success=None)
    assert not is_due(slot, claim_status="done", last_success=None)
    assert not is_due(slot, claim_status=None, last_success=slot)  # a manual run served it
    assert not is_due(slot, claim_status=None, last_success=None, created_at=slot + timedelta(1))
    assert not is_due(None, claim_status=None, last_success=None)
