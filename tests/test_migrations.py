"""The Alembic migrations build exactly the schema the models declare, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import models.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from models.db import current_revision, downgrade, upgrade


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
    assert current_revision(any_engine) == _head()


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from models.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def test_0005_adds_and_drops_the_delivery_error_class(any_engine):
    from sqlalchemy import inspect

    def columns() -> set[str]:
        return {c["name"] for c in inspect(any_engine).get_columns("deliveries")}

    assert "error_class" in columns()
    downgrade(any_engine, "0004")
    assert "error_class" not in columns() and "error" in columns()
    upgrade(any_engine)
    assert "error_class" in columns()


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
