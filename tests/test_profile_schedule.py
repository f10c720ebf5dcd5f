"""A profile's schedule from every way in (flags, YAML, an old store) reaches the dispatcher
as a cron that fires; one that cannot be read is one line saying how to fix it, never a crash."""

from __future__ import annotations

import json
import logging
import shlex
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from models.schedule_words import DEFAULT_SCHEDULE
from paperround.schedule.dispatch import due_profiles
from tests.cli import run_cli


def tomorrow_0705() -> datetime:
    """07:05 UTC tomorrow: just after a default schedule's slot, after any profile made now."""
    return (datetime.now(UTC) + timedelta(days=1)).replace(hour=7, minute=5)


def show(capsys, name: str) -> dict:
    r = run_cli(capsys, "profile", "show", name, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def store_schedule(engine, name: str, schedule: str) -> None:
    """What an older version (or a hand edit) left in the store."""
    with engine.begin() as conn:
        conn.execute(
            text("update profiles set schedule = :s where name = :n"), {"s": schedule, "n": name}
        )


def test_a_profile_applied_without_a_schedule_gets_the_default_and_is_sent(
    engine, capsys, tmp_path
):
    path = tmp_path / "p.yaml"
    path.write_text("name: yamlp\nkeywords: {language model: 1}\n")
    assert run_cli(capsys, "profile", "apply", str(path)).exit_code == 0
    assert run_cli(capsys, "profile", "add", "clip", "-k", "language model").exit_code == 0
    assert show(capsys, "yamlp")["schedule"] == show(capsys, "clip")["schedule"] == DEFAULT_SCHEDULE
    assert show(capsys, "yamlp")["next_send"] is not None
    due = due_profiles(engine=engine, now=tomorrow_0705())
    assert sorted(d.name for d in due) == ["clip", "yamlp"]


def test_a_stored_daily_reads_as_the_default_cron(engine, capsys, tmp_path):
    """Stores written before the fix hold the word "daily" (profile apply without schedule:)."""
    assert run_cli(capsys, "profile", "add", "old", "-k", "x").exit_code == 0
    store_schedule(engine, "old", "daily")
    r = run_cli(capsys, "profile", "show", "old")
    assert r.exit_code == 0 and r.stderr == "", r.output
    assert show(capsys, "old")["schedule"] == DEFAULT_SCHEDULE
    listed = json.loads(run_cli(capsys, "profile", "list", "--json").stdout)
    assert listed[0]["schedule"] == DEFAULT_SCHEDULE
    assert [d.name for d in due_profiles(engine=engine, now=tomorrow_0705())] == ["old"]
    exported = run_cli(capsys, "profile", "export", "old").stdout
    assert f"schedule: {DEFAULT_SCHEDULE}" in exported
    path = tmp_path / "old.yaml"
    path.write_text(exported)
    assert run_cli(capsys, "profile", "apply", str(path)).stdout == "unchanged profile old\n"


@pytest.mark.parametrize("cron", ["0 7 31 2 *", "0 7 30 2 *", "0 7 31 4,6,9,11 *"])
def test_a_schedule_that_never_fires_is_refused_at_input(engine, capsys, tmp_path, cron):
    r = run_cli(capsys, "profile", "add", "p", "-k", "x", "--schedule", cron)
    assert r.exit_code == 2 and "never fires" in r.stderr, r.output
    assert run_cli(capsys, "profile", "add", "p", "-k", "x").exit_code == 0
    r = run_cli(capsys, "profile", "edit", "p", "--schedule", cron)
    assert r.exit_code == 2 and "never fires" in r.stderr, r.output
    path = tmp_path / "p.yaml"
    path.write_text(f"name: q\nkeywords: {{x: 1}}\nschedule: '{cron}'\n")
    r = run_cli(capsys, "profile", "apply", str(path))
    assert r.exit_code == 1 and "never fires" in r.stderr, r.output
    assert len(r.stderr.strip().splitlines()) == 1 and "Croniter" not in r.output
    assert [p["name"] for p in json.loads(run_cli(capsys, "profile", "list", "--json").stdout)] == [
        "p"
    ]


def test_a_leap_day_schedule_is_accepted(engine, capsys):
    r = run_cli(capsys, "profile", "add", "leap", "-k", "x", "--schedule", "0 7 29 2 *")
    assert r.exit_code == 0, r.output
    assert show(capsys, "leap")["next_send"] is not None


@pytest.mark.parametrize("stored", ["0 7 31 2 *", "every day", "0 7 * *"])
def test_a_stored_schedule_that_cannot_be_read_is_one_line_with_its_fix(
    engine, capsys, caplog, stored
):
    name = "my papers"
    assert run_cli(capsys, "profile", "add", name, "-k", "x").exit_code == 0
    assert run_cli(capsys, "profile", "add", "fine", "-k", "x").exit_code == 0
    store_schedule(engine, name, stored)
    fix = f"paperround profile edit {shlex.quote(name)} --schedule daily"

    r = run_cli(capsys, "profile", "show", name)
    assert r.exit_code == 0, r.output
    [line] = r.stderr.strip().splitlines()
    assert line.startswith("warning: ") and fix in line and "Croniter" not in r.output
    assert "never" in r.stdout
    r = run_cli(capsys, "profile", "show", name, "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["next_send"] is None
    assert run_cli(capsys, "profile", "list").exit_code == 0

    with caplog.at_level(logging.WARNING, logger="paperround.schedule.dispatch"):
        due = due_profiles(engine=engine, now=tomorrow_0705())
    assert [d.name for d in due] == ["fine"]
    [record] = caplog.records
    assert fix in record.getMessage() and "Croniter" not in record.getMessage()
    assert record.exc_info is None

    # The printed fix works.
    assert run_cli(capsys, *shlex.split(fix)[1:]).exit_code == 0
    r = run_cli(capsys, "profile", "show", name)
    assert r.exit_code == 0 and r.stderr == "", r.output
    due = due_profiles(engine=engine, now=tomorrow_0705())
    assert sorted(d.name for d in due) == ["fine", name]
