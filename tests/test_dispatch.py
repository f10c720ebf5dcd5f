"""The dispatcher: per-profile schedules, claims, catch-up, isolation, concurrent dispatchers.

Plain calls against a real SQLite store (and PostgreSQL when tests/pg.py can start one);
digests go by Apprise to an aiosmtpd server on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from models.store import claims as claim_store
from paperround.schedule.dispatch import dispatch_once, due_profiles
from tests.racers import READY, start_racers
from tests.servers import SmtpSink, free_port
from tests.store import papers_on, reader

# Monday 23 November 2026, 07:05 in Paris (CET, UTC+1).
NOW = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)
SLOT = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def body(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def test_due_profile_is_sent_once_and_claim_is_done(engine, paperround_home):
    titles = papers_on(engine, NOW - timedelta(hours=5), 1, 3)
    with SmtpSink() as smtp:
        reader(engine, "paris", smtp.mailto())
        # Created this morning with a 09:00 schedule: yesterday's slot predates it, today's
        # is still ahead.
        reader(
            engine,
            "later",
            smtp.mailto(),
            schedule="0 9 * * *",
            created_at=NOW - timedelta(hours=1),
        )
        result = dispatch_once(engine=engine, now=NOW, home=paperround_home)
        assert [(d.name, d.slot) for d in result.claimed] == [("paris", SLOT)]
        assert result.failed == []
        assert len(smtp.messages) == 1
        assert all(t in body(smtp.messages[0]) for t in titles)

        again = dispatch_once(engine=engine, now=NOW + timedelta(minutes=5), home=paperround_home)
        assert again.due == () and len(smtp.messages) == 1

    [claim] = claim_store.list_claims(engine=engine)
    assert (claim["status"], claim["slot"], claim["attempts"]) == ("done", SLOT, 1)


def test_catch_up_after_three_days_down_sends_one_digest_with_everything(engine, paperround_home):
    with SmtpSink() as smtp:
        reader(engine, "paris", smtp.mailto())
        papers_on(engine, NOW - timedelta(days=3, hours=2), 1, 2)
        first = dispatch_once(engine=engine, now=NOW - timedelta(days=3), home=paperround_home)
        assert [d.slot for d in first.claimed] == [SLOT - timedelta(days=3)]
        assert len(smtp.messages) == 1

        # Down for three days while papers keep arriving (ingested before the service died
        # or backfilled after): three slots are missed.
        missed = []
        for day in (2, 1, 0):
            missed += papers_on(engine, NOW - timedelta(days=day, hours=3), 100 + 10 * day, 2)
        result = dispatch_once(engine=engine, now=NOW, home=paperround_home)
        assert [d.slot for d in result.claimed] == [SLOT]  # the latest slot only
        assert len(smtp.messages) == 2
        text = body(smtp.messages[1])
        assert all(t in text for t in missed)
        assert "study 1," not in text  # already received three days ago

    slots = [c["slot"] for c in claim_store.list_claims(engine=engine)]
    assert slots == [SLOT - timedelta(days=3), SLOT]


def test_catch_up_each_sends_one_digest_per_missed_slot_oldest_first(engine, paperround_home):
    with SmtpSink() as smtp:
        reader(engine, "each", smtp.mailto(to="each@example.org"), catch_up="each")
        reader(engine, "one", smtp.mailto(to="one@example.org"))
        papers_on(engine, NOW - timedelta(days=3, hours=2), 1, 2)
        dispatch_once(engine=engine, now=NOW - timedelta(days=3), home=paperround_home)
        assert len(smtp.messages) == 2

        per_day = {}
        for day in (2, 1, 0):
            per_day[day] = papers_on(engine, NOW - timedelta(days=day, hours=3), 100 + 10 * day, 2)
        result = dispatch_once(engine=engine, now=NOW, home=paperround_home)
        assert result.failed == []
        slots = [SLOT - timedelta(days=d) for d in (2, 1, 0)]
        assert [d.slot for d in result.claimed if d.name == "each"] == slots
        assert [d.slot for d in result.claimed if d.name == "one"] == [SLOT]

        each = [body(m) for m in smtp.messages[2:] if m["To"] == "each@example.org"]
        assert len(each) == 3  # oldest first, each with that day's papers only
        everything = [t for d in (2, 1, 0) for t in per_day[d]]
        for text, day in zip(each, (2, 1, 0), strict=True):
            assert [t for t in everything if t in text] == per_day[day]
        [one] = [body(m) for m in smtp.messages[2:] if m["To"] == "one@example.org"]
        assert all(t in one for t in everything)

        again = dispatch_once(engine=engine, now=NOW + timedelta(minutes=5), home=paperround_home)
        assert again.due == () and len(smtp.messages) == 6
    pid = next(d.profile_id for d in result.claimed if d.name == "each")
    claims = claim_store.list_claims(engine=engine, profile_id=pid)
    assert [(c["slot"], c["status"]) for c in claims] == [
        (SLOT - timedelta(days=d), "done") for d in (3, 2, 1, 0)
    ]


def test_catch_up_each_is_capped_to_the_last_slots(engine):
    from models.store.profiles import channels_of
    from paperround.schedule.slots import MAX_CATCH_UP_SLOTS

    prof = reader(engine, "each", "json://127.0.0.1:9/hook", catch_up="each")
    from models.records import RenderedDigest
    from models.store import ledger

    sent = NOW - timedelta(days=20)  # the last digest went out 20 days ago
    _, delivery = ledger.record_digest(
        engine=engine,
        profile_id=prof.id,
        channel_key=str(channels_of(prof.id, engine=engine)[0].id),
        rendered=RenderedDigest("s", "h", "t", "m"),
        items=[],
        period_start=None,
        now=sent,
    )
    ledger.finish_delivery(delivery, engine=engine, ok=True, error=None, now=sent)
    due = due_profiles(engine=engine, now=NOW)
    assert [d.slot for d in due] == [
        SLOT - timedelta(days=d) for d in range(MAX_CATCH_UP_SLOTS - 1, -1, -1)
    ]
    assert [d.until for d in due][-1] is None and due[0].until == due[0].slot


def test_profile_added_between_ticks_takes_effect(engine, paperround_home):
    papers_on(engine, NOW - timedelta(hours=2), 1, 1)
    assert due_profiles(engine=engine, now=NOW) == []
    with SmtpSink() as smtp:
        reader(engine, "newcomer", smtp.mailto(), tz="America/New_York", schedule="0 1 * * *")
        [due] = due_profiles(engine=engine, now=NOW)
        assert (due.name, due.slot) == ("newcomer", datetime(2026, 11, 23, 6, 0, tzinfo=UTC))


def test_one_failing_profile_never_stops_the_others_and_is_retried(engine, paperround_home):
    papers_on(engine, NOW - timedelta(hours=5), 1, 2)
    dead = f"mailto://127.0.0.1:{free_port()}?mode=insecure&from=d@example.org&to=x@example.org"
    with SmtpSink() as smtp:
        reader(engine, "broken", dead)
        reader(engine, "fine", smtp.mailto())
        result = dispatch_once(engine=engine, now=NOW, home=paperround_home)
        assert result.failed == ["broken"]
        assert len(smtp.messages) == 1
        states = {c["profile_id"]: c for c in claim_store.list_claims(engine=engine)}
        assert sorted(c["status"] for c in states.values()) == ["done", "failed"]

        # Too early to retry; after RETRY_AFTER the failed slot is taken again (attempt 2).
        soon = dispatch_once(engine=engine, now=NOW + timedelta(minutes=5), home=paperround_home)
        assert soon.claimed == ()
        later = dispatch_once(engine=engine, now=NOW + timedelta(minutes=25), home=paperround_home)
        assert [d.name for d in later.claimed] == ["broken"]
        assert len(smtp.messages) == 1  # "fine" was not sent twice
    failed = [c for c in claim_store.list_claims(engine=engine) if c["status"] == "failed"]
    assert failed[0]["attempts"] == 2


def test_stale_running_claim_is_taken_over_once(engine):
    reader(engine, "paris", "json://127.0.0.1:9/hook")
    pid = due_profiles(engine=engine, now=NOW)[0].profile_id
    first = claim_store.claim_slot(pid, SLOT, engine=engine, worker="a", now=NOW)
    assert first is not None and first.attempts == 1
    assert claim_store.claim_slot(pid, SLOT, engine=engine, worker="b", now=NOW) is None
    late = NOW + timedelta(hours=2)  # "a" died while sending
    taken = claim_store.claim_slot(pid, SLOT, engine=engine, worker="b", now=late)
    assert taken is not None and (taken.id, taken.attempts) == (first.id, 2)
    assert claim_store.claim_slot(pid, SLOT, engine=engine, worker="c", now=late) is None
    [row] = claim_store.list_claims(engine=engine)
    assert (row["claimed_by"], row["note"]) == ("b", "taken over from a (running)")


_RACER = (
    """
import json, sys
from datetime import datetime
from models.db import get_engine
from models.settings import get_settings
from paperround.schedule.dispatch import dispatch_once
engine = get_engine()
"""
    + READY  # imported and connected
    + """
res = dispatch_once(engine=engine, now=datetime.fromisoformat(sys.argv[1]),
                    home=get_settings().home, worker=sys.argv[2])
print(json.dumps({"claimed": [d.name for d in res.claimed], "failed": res.failed}))
"""
)


def _race(env: dict) -> list[dict]:
    procs = start_racers(
        *([sys.executable, "-c", _RACER, NOW.isoformat(), name] for name in ("racer-1", "racer-2")),
        env=env,
    )
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outs.append(json.loads(out.strip().splitlines()[-1]))
    return outs


def _two_dispatchers_send_each_digest_once(engine, env, n=12):
    papers_on(engine, NOW - timedelta(hours=5), 1, 3)
    with SmtpSink() as smtp:
        for i in range(n):
            reader(engine, f"reader-{i:02d}", smtp.mailto(to=f"r{i:02d}@example.org"))
        outs = _race(env)
        print("claims per racer:", [len(o["claimed"]) for o in outs])
        claimed = outs[0]["claimed"] + outs[1]["claimed"]
        assert sorted(claimed) == [f"reader-{i:02d}" for i in range(n)]  # each exactly once
        assert outs[0]["failed"] == outs[1]["failed"] == []
        assert sorted(m["To"] for m in smtp.messages) == [f"r{i:02d}@example.org" for i in range(n)]
    claims = claim_store.list_claims(engine=engine)
    assert len(claims) == n and {c["status"] for c in claims} == {"done"}
    assert {c["claimed_by"] for c in claims} <= {"racer-1", "racer-2"}


def test_two_concurrent_dispatchers_on_sqlite_never_send_twice(engine, paperround_home):
    env = {**os.environ, "PAPERROUND_HOME": str(paperround_home)}
    _two_dispatchers_send_each_digest_once(engine, env)


@pytest.mark.postgres
def test_two_concurrent_dispatchers_on_postgres_never_send_twice(tmp_path, request):
    url = request.getfixturevalue("pg_url")
    from models.db import get_engine

    pg_engine = get_engine(url)
    env = {**os.environ, "PAPERROUND_DATABASE_URL": url, "PAPERROUND_HOME": str(tmp_path)}
    _two_dispatchers_send_each_digest_once(pg_engine, env)


@pytest.mark.prefect
def test_dispatch_flow_runs_profile_batches_as_concurrent_tasks(
    engine, paperround_home, prefect_harness
):
    """chunk_size splits the claimed profiles into batches, one task each (Dask's path)."""
    from flows.dispatch import dispatch

    papers_on(engine, NOW - timedelta(hours=5), 1, 2)
    with SmtpSink() as smtp:
        for name in ("ada", "bob", "cyd"):
            reader(engine, name, smtp.mailto())
        summary = dispatch(now=NOW, chunk_size=1)
        assert sorted(summary["claimed"]) == ["ada", "bob", "cyd"]
        assert sorted(p["profile"] for p in summary["profiles"]) == ["ada", "bob", "cyd"]
        assert summary["failed"] == [] and len(smtp.messages) == 3
        assert dispatch(now=NOW + timedelta(minutes=5), chunk_size=1)["claimed"] == []
    assert len(smtp.messages) == 3


def test_a_claim_whose_local_holder_died_is_taken_over_at_once(engine):
    """A dispatcher killed mid-send (its pid gone) frees its slot without waiting an hour."""
    import socket

    reader(engine, "paris", "json://127.0.0.1:9/hook")
    pid = due_profiles(engine=engine, now=NOW)[0].profile_id
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], text=True,
                          capture_output=True, check=True).stdout.strip()  # fmt: skip
    holder = f"{socket.gethostname()}:{dead}:1a2b3c4d"  # as a served flow run names itself
    assert claim_store.claim_slot(pid, SLOT, engine=engine, worker=holder, now=NOW) is not None
    alive = f"{socket.gethostname()}:{os.getpid()}"
    taken = claim_store.claim_slot(pid, SLOT, engine=engine, worker="b", now=NOW)
    assert taken is not None and taken.attempts == 2
    # A live holder keeps its claim until STALE_AFTER.
    other = claim_store.claim_slot(pid, SLOT + timedelta(days=1), engine=engine, worker=alive,
                                   now=NOW)  # fmt: skip
    assert other is not None
    assert claim_store.claim_slot(pid, SLOT + timedelta(days=1), engine=engine, worker="c",
                                  now=NOW) is None  # fmt: skip
