"""A profile without a channel gets its digests as files: one set per digest, never one
replacing another's, and a resend rewriting its own (paperround/digest/compose.py), on
SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from models.records import RenderedDigest
from models.store import ledger
from models.store.profiles import create_profile
from models.tables import Delivery, Profile
from paperround.digest.run import digest_profile
from tests.store import papers_on

NOW = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)
DAY = f"{NOW:%Y-%m-%d}"


def _profile(engine):
    prof = Profile(name="p", keywords=[["diffusion", 1.0]], max_items=50)
    return create_profile(prof, engine=engine)


def test_two_digests_on_one_date_keep_their_own_files(any_engine, paperround_home):
    """A manual run and the scheduled one on the same date: two sets of files, the second
    `<date>-2.*`; a crash that left the second pending is resent into its own files."""
    engine = any_engine
    prof = _profile(engine)
    folder = paperround_home / "digests" / "p"
    papers_on(engine, NOW - timedelta(hours=3), 1, 2)
    first = digest_profile(prof, engine=engine, now=NOW, home=paperround_home)
    papers_on(engine, NOW + timedelta(hours=1), 10, 2)
    second = digest_profile(prof, engine=engine, now=NOW + timedelta(hours=2), home=paperround_home)
    assert first.channels[0].channel == str(folder / f"{DAY}.html")
    assert second.channels[0].channel == str(folder / f"{DAY}-2.html")
    one, two = (folder / f"{DAY}.txt").read_text(), (folder / f"{DAY}-2.txt").read_text()
    assert "study 1\n" in one and "study 10" not in one
    assert "study 10" in two and "study 1\n" not in two

    # The second run died after writing its files, before recording the delivery: the next
    # run resends that digest, into the same files.
    with engine.begin() as conn:
        conn.execute(
            update(Delivery.__table__)
            .where(Delivery.__table__.c.created_at == NOW + timedelta(hours=2))
            .values(status="pending", sent_at=None)
        )
    third = digest_profile(prof, engine=engine, now=NOW + timedelta(hours=3), home=paperround_home)
    assert [(c.channel, c.resent) for c in third.channels] == [
        (str(folder / f"{DAY}-2.html"), True)
    ]
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{DAY}-2.html", f"{DAY}-2.md", f"{DAY}-2.txt", f"{DAY}.html", f"{DAY}.md", f"{DAY}.txt"
    ]  # fmt: skip
    assert (folder / f"{DAY}.txt").read_text() == one
    assert (folder / f"{DAY}-2.txt").read_text() == two


def test_a_resent_catch_up_digest_is_named_by_its_slot(any_engine, paperround_home):
    """A catch-up digest for yesterday's slot, recorded today by a run that died: its resend
    is yesterday's file, and today's digest keeps its own."""
    engine = any_engine
    prof = _profile(engine)
    folder = paperround_home / "digests" / "p"
    papers_on(engine, NOW - timedelta(hours=3), 1, 2)
    digest_profile(prof, engine=engine, now=NOW, home=paperround_home)
    today = (folder / f"{DAY}.txt").read_text()
    slot = NOW - timedelta(days=1)
    ledger.record_digest(
        engine=engine,
        profile_id=prof.id,
        channel_key="file",
        rendered=RenderedDigest("s", "<p>caught up</p>", "caught up", "caught up"),
        items=[],
        period_start=None,
        now=NOW + timedelta(minutes=5),
        period_end=slot,
    )
    again = digest_profile(prof, engine=engine, now=NOW + timedelta(hours=1), home=paperround_home)
    assert [c.resent for c in again.channels] == [True]
    assert (folder / f"{slot:%Y-%m-%d}.txt").read_text() == "caught up"
    assert (folder / f"{DAY}.txt").read_text() == today


def test_a_digest_is_dated_and_named_in_its_readers_timezone(any_engine, paperround_home):
    """07:05 in Tokyo is 22:05 UTC the day before: the reader's digest says, and is filed
    under, the Tokyo date (it said "yesterday" every morning east of UTC). A second one that
    Tokyo morning is the same day's -2, though it falls on the next UTC date."""
    engine = any_engine
    prof = create_profile(
        Profile(name="tokyo", keywords=[["diffusion", 1.0]], timezone="Asia/Tokyo"),
        engine=engine,
    )
    at = datetime(2026, 12, 1, 22, 5, tzinfo=UTC)  # Wed 2 Dec, 07:05 in Tokyo
    papers_on(engine, at - timedelta(hours=3), 1, 2)
    digest_profile(prof, engine=engine, now=at, home=paperround_home)
    papers_on(engine, at + timedelta(hours=2), 10, 2)
    digest_profile(prof, engine=engine, now=at + timedelta(hours=3), home=paperround_home)
    folder = paperround_home / "digests" / "tokyo"
    assert sorted(p.name for p in folder.glob("*.txt")) == ["2026-12-02-2.txt", "2026-12-02.txt"]
    assert "Wed 02 Dec 2026" in (folder / "2026-12-02.txt").read_text()
    assert "Tue 01 Dec" not in (folder / "2026-12-02.txt").read_text()


def test_a_name_another_digest_holds_is_never_overwritten(any_engine, paperround_home):
    """A profile moved from UTC to New York: its second digest ranks first among that date's
    digests in the new zone, so day_rank names it as the first one's files: the next free
    name is taken instead, and the first digest's files stay."""
    from sqlalchemy import update as set_row

    engine = any_engine
    prof = _profile(engine)
    folder = paperround_home / "digests" / "p"
    at = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 2 Dec in UTC, still 1 Dec in New York
    papers_on(engine, at - timedelta(hours=1), 1, 2)
    digest_profile(prof, engine=engine, now=at, home=paperround_home)
    with engine.begin() as conn:
        conn.execute(set_row(Profile.__table__).values(timezone="America/New_York"))
    later = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 2 Dec in New York: its first there
    papers_on(engine, later - timedelta(hours=1), 10, 2)
    digest_profile(replace(prof, timezone="America/New_York"), engine=engine, now=later,
                   home=paperround_home)  # fmt: skip
    assert sorted(p.name for p in folder.glob("*.txt")) == ["2026-12-02-2.txt", "2026-12-02.txt"]
    assert "study 1\n" in (folder / "2026-12-02.txt").read_text()  # the first, kept
    assert "study 10" in (folder / "2026-12-02-2.txt").read_text()
