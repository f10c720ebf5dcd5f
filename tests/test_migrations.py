"""The Alembic migrations build exactly the schema the models declare, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import models.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from models.db import _at_head, current_revision, downgrade, upgrade
from tests.store import migration_head

# One profile row as the schema before the ORM knew it (migrations are tested on raw SQL).
_PROFILE_ROW = (
    "INSERT INTO profiles (id, name, description, keywords, excluded, categories, "
    "authors, sources, weights, schedule, timezone, max_items, min_score, send_empty, "
    "catch_up, enabled, created_at, updated_at) VALUES (1, 'p', '', '[]', '[]', '[]', "
    "'[]', '[]', '{}', '0 7 * * *', 'UTC', 10, 0, false, 'one', true, "
    "'2026-11-01 00:00:00', '2026-11-01 00:00:00')"
)


def _columns(engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def test_migrations_match_the_models(any_engine):
    with any_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], f"models and migrations differ (write a migration): {diff}"


def test_downgrade_and_upgrade_again_round_trip(any_engine):
    downgrade(any_engine, "0002")
    assert current_revision(any_engine) == "0002"
    with any_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert {d[1].name for d in diff if d[0] == "remove_index"} == {
        "ix_papers_arxiv_id",
        "ix_paper_occurrences_paper_id",
    }  # the indexes 0003 drops are back, and only they differ
    upgrade(any_engine)
    assert current_revision(any_engine) == migration_head()


def test_0004_continues_windows_where_the_clock_left_them(any_engine):
    """An existing store's papers get their ids as sequence, and a delivered digest's window
    ends at the papers first seen by then: the next digest reads only what came after."""
    downgrade(any_engine, "0003")
    with any_engine.begin() as conn:
        for n, seen in ((1, "2026-11-20 07:00:00"), (2, "2026-11-21 07:00:00")):
            conn.exec_driver_sql(
                "INSERT INTO papers (id, key, title, abstract, authors, categories, url, "
                "version, version_dates, keywords, first_seen_at, updated_at) VALUES "
                f"({n}, 'k{n}', 't', '', '[]', '[]', '', 1, '{{}}', '[]', '{seen}', '{seen}')"
            )
        conn.exec_driver_sql(_PROFILE_ROW)
        conn.exec_driver_sql(
            "INSERT INTO digests (id, profile_id, channel_key, created_at, subject, item_count, "
            "html, text, markdown) VALUES (1, 1, 'file', '2026-11-20 08:00:00', 's', 1, '', '', '')"
        )
    upgrade(any_engine)
    with any_engine.connect() as conn:
        seqs = conn.exec_driver_sql("SELECT id, seq FROM papers ORDER BY id").all()
        seq_to = conn.exec_driver_sql("SELECT seq_to FROM digests").scalar()
        counter = conn.exec_driver_sql("SELECT value FROM store_counters").scalar()
    assert [tuple(r) for r in seqs] == [(1, 1), (2, 2)]
    assert seq_to == 1 and counter == 2


def test_0005_adds_and_drops_the_delivery_error_class(any_engine):
    assert "error_class" in _columns(any_engine, "deliveries")
    downgrade(any_engine, "0004")
    columns = _columns(any_engine, "deliveries")
    assert "error_class" not in columns and "error" in columns
    upgrade(any_engine)
    assert "error_class" in _columns(any_engine, "deliveries")


def test_0007_marks_existing_seeds_looked_up_and_drops_the_mark_again(any_engine):
    downgrade(any_engine, "0006")
    assert "pending" not in _columns(any_engine, "profile_seeds")
    with any_engine.begin() as conn:
        conn.exec_driver_sql(_PROFILE_ROW)
        conn.exec_driver_sql(
            "INSERT INTO profile_seeds (profile_id, key, title, abstract, authors, added_at) "
            "VALUES (1, '2006.14599', 't', 'a', '[]', '2026-11-01 00:00:00')"
        )
    upgrade(any_engine)
    with any_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT pending FROM profile_seeds").scalar() in (False, 0)


def test_a_new_sqlite_store_gets_16k_pages_and_an_old_one_keeps_its_own(tmp_path):
    import sqlite3

    from models.db import make_engine

    old = tmp_path / "old.db"
    sqlite3.connect(old).execute("CREATE TABLE t (x)").connection.close()  # 4 KiB default
    for path, size in ((tmp_path / "new.db", 16384), (old, 4096)):
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA page_size").fetchone()[0] == size
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_0006_drops_the_unused_feedback_models_table_and_its_downgrade_restores_it(any_engine):
    assert "feedback_models" not in inspect(any_engine).get_table_names()
    downgrade(any_engine, "0005")
    assert "feedback_models" in inspect(any_engine).get_table_names()
    upgrade(any_engine)
    assert "feedback_models" not in inspect(any_engine).get_table_names()


def test_the_heads_read_from_the_files_are_alembics():
    """`get_engine` decides "at head" from the migration files without importing Alembic
    (bench/cli.py): what it reads must be what Alembic reads."""
    from models.db import script_heads

    assert script_heads() == {migration_head()}


def test_a_store_behind_the_files_is_migrated_on_open(tmp_path):
    """The quick at-head check sees an old store (and a new one) as not at head."""
    from models.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    assert not _at_head(engine)  # no version table yet
    upgrade(engine, "0003")
    assert not _at_head(engine)
    upgrade(engine)
    assert _at_head(engine) and current_revision(engine) == migration_head()
    engine.dispose()


def test_0009_gives_existing_feedback_the_cli_origin_and_drops_it_again(any_engine):
    downgrade(any_engine, "0008")
    assert "origin" not in _columns(any_engine, "feedback")
    with any_engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO papers (id, key, title, abstract, authors, categories, url, version, "
            "version_dates, keywords, first_seen_at, updated_at, seq) VALUES (1, 'k1', 't', '', "
            "'[]', '[]', '', 1, '{}', '[]', '2026-11-20 07:00:00', '2026-11-20 07:00:00', 1)"
        )
        conn.exec_driver_sql(_PROFILE_ROW)
        conn.exec_driver_sql(
            "INSERT INTO feedback (profile_id, paper_id, value, created_at) "
            "VALUES (1, 1, 1, '2026-11-21 00:00:00')"
        )
    upgrade(any_engine)
    with any_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT origin FROM feedback").scalar() == "cli"


def test_downgrades_that_rebuild_profiles_keep_the_delivery_history(any_engine):
    """SQLite rebuilds a table to drop a column (copy, drop, rename): with foreign keys on,
    dropping the old `profiles` cascaded to every digest, delivery and sent paper."""
    from datetime import UTC, datetime

    from models.records import Candidate, RenderedDigest, ScoredPaper
    from models.store.ledger import finish_delivery, record_digest
    from models.store.papers import upsert_records
    from models.store.profiles import create_profile
    from models.tables import Profile
    from tests.records import arxiv_record, fake_id

    now = datetime(2026, 11, 23, 7, tzinfo=UTC)
    stored = upsert_records([arxiv_record(fake_id(1), title="A paper")], engine=any_engine, now=now)
    prof = create_profile(Profile(name="p"), engine=any_engine)
    item = ScoredPaper(
        Candidate(paper_id=stored.keys[fake_id(1)], key=fake_id(1), title="A"), 1.0, ()
    )
    _, delivery = record_digest(
        engine=any_engine, profile_id=prof.id, channel_key="file", items=[item], now=now,
        rendered=RenderedDigest(subject="s", html="", text="", markdown=""), period_start=None,
    )  # fmt: skip
    finish_delivery(delivery, engine=any_engine, ok=True, error=None, now=now)
    tables = ("profiles", "digests", "deliveries", "digest_items", "sent_items")

    def counts() -> dict[str, int]:
        with any_engine.connect() as conn:
            return {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in tables}

    assert counts() == dict.fromkeys(tables, 1)
    for revision in ("0010", "0001"):  # 0011's and 0002's downgrades rebuild `profiles`
        downgrade(any_engine, revision)
        assert counts() == dict.fromkeys(tables, 1), revision
    upgrade(any_engine)
    assert counts() == dict.fromkeys(tables, 1)
    if any_engine.dialect.name == "sqlite":  # and the pooled connections have them on again
        with any_engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
