"""Workers that start together after a release all migrate the same fresh store: one does
the work, the others wait for it, and every one of them succeeds."""

from __future__ import annotations

import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import models.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from models.db import current_revision, make_engine
from tests.racers import READY, start_racers
from tests.store import migration_head

WORKERS = 6
# One worker process: open its engine, say so, wait for the start line, migrate.
WORKER = (
    """
import sys
from models.db import make_engine, upgrade
engine = make_engine(sys.argv[1])
engine.connect().close()
"""
    + READY
    + """
upgrade(engine)
print("migrated", flush=True)
"""
)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_workers_migrating_a_fresh_store_at_once_all_succeed(backend, request, tmp_path):
    if backend == "postgresql":
        url = request.getfixturevalue("pg_url")
    else:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    # Processes, as in production (alembic's module-level context is not thread-safe).
    # Every engine is connected before they are released together.
    workers = start_racers(*[[sys.executable, "-c", WORKER, url]] * WORKERS)
    try:
        results = [worker.communicate(timeout=120) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    failed = [
        [line for line in err.splitlines() if "Error" in line][-1:]
        for (_, err), worker in zip(results, workers, strict=True)
        if worker.returncode
    ]
    assert failed == [], f"{len(failed)} of {WORKERS} workers failed: {failed}"
    engine = make_engine(url)
    try:
        assert current_revision(engine) == migration_head()
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
    finally:
        engine.dispose()
