"""A run that finds nothing to send still reads its window (models/store/coverage.py): a
quiet profile reads each day's papers once, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models.store import coverage, papers
from models.store.profiles import create_profile
from models.tables import DigestRecord, Profile
from paperround.digest.run import digest_profile
from paperround.schedule.dispatch import due_profiles
from tests.records import arxiv_record, fake_id

DAY0 = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)


def _store(engine, first: int, titles: list[str], at: datetime) -> None:
    records = [
        arxiv_record(fake_id(first + n), title=t, abstract=f"{t}. An abstract.", published=at)
        for n, t in enumerate(titles)
    ]
    papers.upsert_records(records, engine=engine, now=at)


def test_a_quiet_profile_reads_each_days_papers_once(any_engine, paperround_home):
    engine = any_engine
    prof = create_profile(
        Profile(name="spin", keywords=[["spin glass", 1.0]], created_at=DAY0 - timedelta(days=1)),
        engine=engine,
    )

    def run(at: datetime):
        return digest_profile(prof, engine=engine, now=at, home=paperround_home)

    _store(engine, 1, ["Protein folding", "Graph coloring", "Tax law"], DAY0 - timedelta(hours=1))
    first = run(DAY0)
    assert first.channels == () and first.candidates == 3  # nothing matched: nothing sent
    day1 = DAY0 + timedelta(days=1)
    _store(engine, 10, ["Ocean tides", "Bird song"], day1 - timedelta(hours=1))
    second = run(day1)
    assert second.channels == ()
    assert second.candidates == 2  # the new day's papers only (it read all 5 before)
    assert due_profiles(engine=engine, now=day1 + timedelta(minutes=5)) == []  # slot served

    day2 = DAY0 + timedelta(days=2)
    _store(engine, 20, ["Spin glass dynamics"], day2 - timedelta(hours=1))
    third = run(day2)
    assert third.ok and [c.items for c in third.channels] == [1] and third.candidates == 1
    with engine.connect() as conn:
        (since,) = conn.execute(select(DigestRecord.__table__.c.period_start)).one()
    assert since == day1  # "since" the last run that looked, not the profile's first
    assert coverage.covered_until(prof.id, "file", engine=engine) == day2  # the digest's reach
    assert run(day2 + timedelta(hours=1)).candidates == 0


def test_a_quiet_mark_never_moves_back(any_engine, paperround_home):
    prof = create_profile(Profile(name="spin"), engine=any_engine)
    assert coverage.covered_seq(prof.id, "file", engine=any_engine) is None
    coverage.mark_quiet(prof.id, "file", seq_to=10, reach=DAY0, engine=any_engine)
    coverage.mark_quiet(
        prof.id, "file", seq_to=4, reach=DAY0 - timedelta(days=1), engine=any_engine
    )
    assert coverage.covered_seq(prof.id, "file", engine=any_engine) == 10
    assert coverage.covered_until(prof.id, "file", engine=any_engine) == DAY0
    assert coverage.coverage(engine=any_engine) == {(prof.id, "file"): DAY0}
    coverage.mark_quiet(
        prof.id, "file", seq_to=12, reach=DAY0 + timedelta(days=1), engine=any_engine
    )
    assert coverage.covered_seq(prof.id, "file", engine=any_engine) == 12
    assert coverage.covered_until(prof.id, "file", engine=any_engine) == DAY0 + timedelta(days=1)
