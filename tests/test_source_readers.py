"""A profile reads only sources that exist, on both engines: the store refuses a name no
source has (nothing written), refuses to remove a source profiles read unless forced, and a
profile save in flight holds the sources it names against a concurrent removal."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from models.db import make_engine, upgrade
from models.errors import InUseError, NotFoundError
from models.profile_config import ProfileConfig
from models.store.profiles import get_profile, list_profiles, save_profile
from models.store.sources import add_source, hold_read_sources, list_sources, remove_source
from models.tables import Profile

NOW = datetime(2026, 12, 1, 7, tzinfo=UTC)


def _config(name: str, *sources: str) -> ProfileConfig:
    return ProfileConfig(name=name, keywords={"x": 1.0}, sources=list(sources))


def test_a_profile_naming_no_stored_source_is_refused_and_nothing_written(any_engine):
    add_source("lab", "feed", "https://example.org/feed.xml", engine=any_engine)
    with pytest.raises(NotFoundError, match=r"no source named 'LAB' for profile 'p' \(did"):
        save_profile(_config("p", "LAB"), engine=any_engine, now=NOW)
    assert list_profiles(engine=any_engine) == []
    save_profile(_config("p", "lab"), engine=any_engine, now=NOW)
    with pytest.raises(NotFoundError, match="'gone'"):
        save_profile(_config("p", "lab", "gone"), engine=any_engine, now=NOW, mode="update")
    assert get_profile("p", engine=any_engine).sources == ("lab",)


def test_remove_refuses_while_read_and_force_edits_the_readers(any_engine):
    add_source("lab", "feed", "https://example.org/feed.xml", engine=any_engine)
    add_source("blog", "feed", "https://example.org/blog.xml", engine=any_engine)
    save_profile(_config("two", "lab", "blog"), engine=any_engine, now=NOW)
    save_profile(_config("one", "lab"), engine=any_engine, now=NOW)
    with pytest.raises(InUseError, match="read by profile\\(s\\) 'one', 'two'"):
        remove_source("lab", engine=any_engine)
    assert [s.name for s in list_sources(engine=any_engine)] == ["blog", "lab"]
    changed = remove_source("lab", engine=any_engine, force=True, now=NOW)
    assert changed == {"one": [], "two": ["blog"]}  # an empty list reads every source
    assert [s.name for s in list_sources(engine=any_engine)] == ["blog"]
    assert get_profile("one", engine=any_engine).sources == ()
    assert get_profile("two", engine=any_engine).updated_at == NOW


def _impatient(engine):
    """A second engine on the same store that fails at once on a lock another holds."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite":
        return make_engine(url, busy_timeout=0)
    return create_engine(url, connect_args={"options": "-c lock_timeout=1"})


def test_a_profile_save_in_flight_holds_the_sources_it_reads(any_engine):
    """Between a save's check and its commit no removal gets through: it waits for the save
    (a lock it cannot take at once here), then sees the new reader and refuses."""
    add_source("lab", "feed", "https://example.org/feed.xml", engine=any_engine)
    other = _impatient(any_engine)
    try:
        with Session(any_engine) as session:
            session.add(Profile(name="p", sources=["lab"], created_at=NOW))
            session.flush()
            hold_read_sources(session, ["lab"], reader="p")
            with pytest.raises(OperationalError):
                remove_source("lab", engine=other)
            session.commit()
        with pytest.raises(InUseError):
            remove_source("lab", engine=other)
    finally:
        other.dispose()


def test_force_never_undoes_a_profile_save_in_flight(pg_url, paperround_home):
    """PostgreSQL: `source remove a --force` while `profile edit p -s b -s c` commits. The
    removal read p before the edit committed and wrote back ['b'] over it (a lost update)."""
    engine = make_engine(pg_url)
    upgrade(engine)
    for s in ("a", "b", "c"):
        add_source(s, "feed", f"https://example.org/{s}.xml", engine=engine)
    save_profile(_config("p", "a", "b"), engine=engine, now=NOW)
    edit = Session(engine)  # the edit, paused before its commit: the row written
    prof = edit.exec(select(Profile).where(Profile.name == "p")).one()
    prof.sources = ["b", "c"]
    edit.add(prof)
    edit.flush()
    hold_read_sources(edit, ["b", "c"], reader="p")
    out: dict = {}
    remover = threading.Thread(
        target=lambda: out.update(r=remove_source("a", engine=engine, force=True, now=NOW))
    )
    remover.start()
    with engine.connect() as watch:  # until the removal waits on p's row: a state, not a nap
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        while remover.is_alive() and not watch.exec_driver_sql(waiting).scalar():
            watch.rollback()
    edit.commit()
    edit.close()
    remover.join()
    assert out["r"] == {}  # p no longer read 'a' once the edit committed
    assert get_profile("p", engine=engine).sources == ("b", "c")
    engine.dispose()
