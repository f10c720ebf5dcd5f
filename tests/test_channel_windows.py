"""Where a channel's window starts, on SQLite and PostgreSQL: after what its delivered digests
and quiet runs read (a run that finds nothing to send still reads its window), and for a
channel never served, before its first digest."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models.store import coverage, papers
from models.store.profiles import create_profile
from models.tables import DigestRecord, Profile
from paperround.digest.run import digest_profile
from paperround.schedule.dispatch import due_profiles
from tests.records import arxiv_record, fake_id
from tests.servers import HttpSink

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


def test_a_new_channel_that_fails_for_days_sends_its_first_papers_once_it_works(
    any_engine, paperround_home
):
    """A never-served channel's window starts before its first digest, not 3 days before
    each run: the papers of first digests that failed (a server down for a week) arrive."""
    engine = any_engine
    with HttpSink() as sink:
        sink.status = 500
        prof = create_profile(
            Profile(name="spin", keywords=[["spin glass", 1.0]], created_at=DAY0),
            engine=engine,
            channels=[sink.url()],
        )
        _store(engine, 1, ["Spin glass dynamics", "Spin glass ground states"], DAY0)
        days = [DAY0 + timedelta(days=n) for n in range(7)]
        for day in days[:6]:  # six failed days, each the same two papers
            outcome = digest_profile(prof, engine=engine, now=day, home=paperround_home)
            assert [(c.ok, c.items) for c in outcome.channels] == [(False, 2)], day
        sink.status = 200
        fixed = digest_profile(prof, engine=engine, now=days[6], home=paperround_home)
        assert [(c.ok, c.items) for c in fixed.channels] == [(True, 2)]
        assert len(sink.posts) == 1 + 6  # the 500s were posts too; one digest arrived
        again = digest_profile(prof, engine=engine, now=days[6], home=paperround_home)
        assert again.channels == ()  # sent once


def test_a_channel_url_changed_in_place_keeps_its_window(any_engine, paperround_home, capsys):
    """A rotated webhook token or a fixed password is the same channel: `profile channel
    replace` (and `profile apply` with the URL edited in place) keeps its row, so it is not
    sent again what it already got (it was a new channel: the last 3 days again)."""
    from models.store.profiles import channels_of
    from tests.cli import run_cli

    engine = any_engine
    with HttpSink() as sink:
        prof = create_profile(
            Profile(name="spin", keywords=[["spin glass", 1.0]], created_at=DAY0),
            engine=engine,
            channels=[sink.url("/old-token")],
        )
        _store(engine, 1, ["Spin glass dynamics", "Spin glass ground states"], DAY0)
        digest_profile(prof, engine=engine, now=DAY0, home=paperround_home)
        (before,) = channels_of(prof.id, engine=engine)
        r = run_cli(capsys, "profile", "channel", "replace", "spin", sink.url("/old-token"),
                    sink.url("/new-token"))  # fmt: skip
        assert r.exit_code == 0, r.output
        (after,) = channels_of(prof.id, engine=engine)
        assert after.id == before.id and after.url == sink.url("/new-token")
        later = DAY0 + timedelta(hours=2)
        _store(engine, 10, ["Spin glass replicas"], later)
        digest_profile(prof, engine=engine, now=later, home=paperround_home)
    assert [p["path"] for p in sink.posts] == ["/old-token", "/new-token"]
    message = sink.posts[1]["json"]["message"]
    assert "Spin glass replicas" in message and "ground states" not in message
    r = run_cli(capsys, "profile", "channel", "replace", "spin", sink.url("/new-token"),
                "mailto://a@example.org")  # fmt: skip
    assert r.exit_code == 1 and "different services" in r.output
    r = run_cli(capsys, "profile", "channel", "replace", "spin", sink.url("/new-token"), "notaurl")
    assert r.exit_code == 1 and "unparseable Apprise URL" in r.output  # not "different services"


def test_a_profile_naming_a_missing_source_keeps_its_window(any_engine, paperround_home):
    """A profile saved before names were checked (or whose source was removed) reads nothing;
    its empty runs are no quiet ones, so once its source is fixed the papers come."""
    from sqlalchemy import update

    from models.store.sources import add_source

    engine = any_engine
    add_source("arxiv-cs.LG", "arxiv-rss", "https://rss.arxiv.org/rss/cs.LG", engine=engine)
    prof = create_profile(
        Profile(name="spin", keywords=[["spin glass", 1.0]], created_at=DAY0), engine=engine
    )
    profiles = Profile.__table__
    with engine.begin() as conn:  # as an older version stored it: a typo'd source
        conn.execute(update(profiles).values(sources=["arxiv-cs.lg"]))
    _store(engine, 1, ["Spin glass dynamics", "Spin glass ground states"], DAY0)
    prof = replace(prof, sources=("arxiv-cs.lg",))
    assert digest_profile(prof, engine=engine, now=DAY0, home=paperround_home).channels == ()
    assert coverage.covered_seq(prof.id, "file", engine=engine) is None  # not marked read
    with engine.begin() as conn:
        conn.execute(update(profiles).values(sources=["arxiv-cs.LG"]))
    fixed = replace(prof, sources=("arxiv-cs.LG",))
    later = digest_profile(
        fixed, engine=engine, now=DAY0 + timedelta(hours=1), home=paperround_home
    )
    assert [c.items for c in later.channels] == [2]
