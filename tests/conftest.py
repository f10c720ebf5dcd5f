"""Shared fixtures: each test gets its own PAPERROUND_HOME; Prefect runs offline, once."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Before anything imports prefect: keep it offline, quiet, and out of ~/.prefect.
_SESSION_TMP = Path(tempfile.mkdtemp(prefix="paperround-tests-"))
atexit.register(shutil.rmtree, _SESSION_TMP, ignore_errors=True)
os.environ["PREFECT_HOME"] = str(_SESSION_TMP / "prefect")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "90"
os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
os.environ.pop("PAPERROUND_DATABASE_URL", None)
# No test may reach export.arxiv.org: enrichment is on only where a test serves the API itself.
os.environ["PAPERROUND_ENRICH"] = "false"
# A feed that fails in passing is retried at once (test_ingest proves the setting is honoured).
os.environ["PAPERROUND_FETCH_BACKOFF"] = "0"

pytest_plugins = ["tests.feedserver", "tests.pg"]  # feed server; PostgreSQL cluster, any_engine


@pytest.fixture(autouse=True)
def paperround_home(tmp_path, monkeypatch) -> Path:
    """Point the data directory at tmp_path so no test touches a real store."""
    from models.db import reset_engines
    from models.settings import get_settings

    home = tmp_path / "home"
    monkeypatch.setenv("PAPERROUND_HOME", str(home))
    monkeypatch.delenv("PAPERROUND_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    reset_engines()
    yield home
    get_settings.cache_clear()
    reset_engines()


@pytest.fixture
def engine(paperround_home):
    """A migrated SQLite store in the test's home."""
    from models.db import get_engine

    return get_engine()


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test harness for the whole session (each start costs ~20 s here)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
