"""Engines and migrations: the one place that opens a database.

SQLite gets WAL and a busy timeout so a CLI command and a running flow can share the file;
PostgreSQL is used as given by PAPERROUND_DATABASE_URL (postgresql+psycopg://...).
Everything that can go wrong opening a store is raised as a typed error (models.errors):
a URL that is not one, a directory that does not exist (only the default home is created),
a server that does not answer, a locked, read-only or corrupt store.
"""

from __future__ import annotations

import math
import re
from functools import cache, partial
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from models.db_errors import store_errors
from models.errors import ConfigError, StoreCorruptError, StoreError, StoreUnavailableError
from models.settings import BUSY_TIMEOUT, CONNECT_TIMEOUT

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The pg_advisory_xact_lock key that serialises migrations ("paperrou" in ASCII).
MIGRATION_LOCK = 0x7061706572726F75
_URL_HELP = "use sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DB"
VERSION_TABLE = "alembic_version"  # Alembic's default, which migrations/env.py keeps
_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"""['"]([^'"]+)['"]""")


def _sqlite_pragmas(dbapi_conn, _record, *, busy_ms: int) -> None:
    cur = dbapi_conn.cursor()
    # 16 KiB pages for a new store (an existing one keeps its size): a paper row is 1-2 KiB
    # and ingest appends thousands at once, so fewer, larger pages mean fewer WAL frames and
    # checkpoint writes: a 6,000-paper upsert takes ~20% less than with the 4 KiB default.
    # It must come before journal_mode, which writes the file's first page.
    cur.execute("PRAGMA page_size=16384")
    cur.execute(f"PRAGMA busy_timeout={busy_ms}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # A 64 MiB page cache (default 2 MiB) and memory-mapped reads keep the key index of a
    # store with a million papers in memory: ingest into it stays near an empty store's rate.
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA mmap_size=268435456")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def make_engine(
    url: str, *, busy_timeout: float = BUSY_TIMEOUT, connect_timeout: float = CONNECT_TIMEOUT
) -> Engine:
    """Create an engine with sensible settings for the URL's dialect.

    busy_timeout: seconds a SQLite statement waits for another writer's lock;
    connect_timeout: seconds to wait for a PostgreSQL server to answer.
    Raises ConfigError for a URL that is not one, StoreUnavailableError for a SQLite file
    whose directory does not exist (this never creates directories).
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # never echo the URL: it may hold a password
        raise ConfigError(
            f"the database URL (PAPERROUND_DATABASE_URL) is not valid: {_URL_HELP}"
        ) from None
    try:
        if parsed.get_backend_name() == "sqlite":
            _check_folder(parsed.database)
            engine = create_engine(
                parsed, connect_args={"timeout": busy_timeout, "check_same_thread": False}
            )
            busy_ms = int(busy_timeout * 1000)
            event.listen(engine, "connect", partial(_sqlite_pragmas, busy_ms=busy_ms))
            return engine
        args = {"connect_timeout": max(2, math.ceil(connect_timeout))}
        if parsed.get_backend_name() != "postgresql":
            args = {}
        return create_engine(parsed, pool_pre_ping=True, connect_args=args)
    except (NoSuchModuleError, ImportError):
        if parsed.drivername == "postgresql+psycopg":  # psycopg is the postgres extra
            raise ConfigError(
                "a PostgreSQL store needs psycopg, which is not installed: "
                "pip install 'paperround[postgres]'"
            ) from None
        raise ConfigError(
            f"database URLs starting {parsed.drivername}:// are not supported: {_URL_HELP}"
        ) from None


def _check_folder(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    folder = Path(database).parent
    if not folder.is_dir():
        what = "is not a directory" if folder.exists() else "does not exist"
        raise StoreUnavailableError(
            f"the directory {folder} of the store {database} {what}: create it, or fix "
            "PAPERROUND_DATABASE_URL"
        )


def _lock_schema(conn: Connection) -> None:
    """Serialise migrations between processes until this transaction ends.

    Every process migrates on its first engine, so workers started together after a release
    would otherwise all create the same tables. PostgreSQL: a transaction-scoped advisory
    lock; SQLite: the write lock, taken before alembic reads the current revision.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _migrate(engine: Engine, direction: str, revision: str) -> None:
    """Run Alembic in one transaction. On SQLite, with foreign keys off meanwhile: a batch
    migration rebuilds a table (copy, drop the old, rename), and dropping `profiles` with them
    on cascaded to every digest, delivery and sent paper. Off, they are checked before commit.
    """
    from alembic import command

    cfg = _config()
    sqlite = engine.dialect.name == "sqlite"
    with store_errors(engine.url), engine.connect() as conn:
        if sqlite:  # only outside a transaction does SQLite take this pragma
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                _lock_schema(conn)
                cfg.attributes["connection"] = conn
                getattr(command, direction)(cfg, revision)
                check = "PRAGMA foreign_key_check"
                broken = conn.exec_driver_sql(check).first() if sqlite else None
                if broken is not None:
                    raise StoreError(
                        f"migrating to {revision} would break a reference ({broken[0]} -> "
                        f"{broken[2]}): nothing was changed"
                    )
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def _at_head(engine: Engine) -> bool:
    """Whether the store is at the migrations' heads, read without importing Alembic, whose
    import every store command paid (0.13-0.3 s; bench/cli.py, same run: a 304 ingest
    1.04 -> 0.84 s, `profile list` 0.77 -> 0.72 s). Alembic decides whenever the files do
    not read as expected."""
    heads = script_heads()
    if heads is None:
        from alembic.script import ScriptDirectory

        heads = set(ScriptDirectory.from_config(_config()).get_heads())
    with store_errors(engine.url), engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return False
        current = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
        return set(current) == heads


def script_heads() -> set[str] | None:
    """The head revisions of the migration files, from their `revision = "..."` and
    `down_revision = ...` lines; None when a file lacks them or names no revision."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        own = _QUOTED.findall(found.get("revision", ""))
        if len(own) != 1 or "down_revision" not in found:
            return None
        revisions.add(own[0])
        parents.update(_QUOTED.findall(found["down_revision"]))
    return (revisions - parents) or None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply Alembic migrations up to revision (idempotent; one process at a time)."""
    if revision == "head" and _at_head(engine):
        return  # the common case takes no lock: a store at head is only read
    _migrate(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Undo Alembic migrations down to revision."""
    _migrate(engine, "downgrade", revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with store_errors(engine.url), engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_store(engine: Engine) -> None:
    """Raise StoreCorruptError when SQLite's quick_check finds damage (PostgreSQL: no-op).

    It reads every page (seconds for a large store), so `db upgrade` runs it, not every open.
    """
    if engine.dialect.name != "sqlite":
        return
    with store_errors(engine.url), engine.connect() as conn:
        found = conn.exec_driver_sql("PRAGMA quick_check").scalars().all()
    if found != ["ok"]:
        raise StoreCorruptError(
            f"the store {engine.url.database} is damaged (SQLite's quick_check: "
            f"{str(found[0])[:120]}): restore it from a backup, or move it aside to start an "
            "empty store"
        )


def _resolve(url: str | None) -> tuple[str, float, float]:
    """url (default: settings, creating $PAPERROUND_HOME), busy and connect timeouts."""
    from models.settings import get_settings

    settings = get_settings()
    if url is None:
        url = settings.db_url
        if settings.database_url is None:  # only the default home is ours to create
            ensure_home(settings.home)
    return url, settings.busy_timeout, settings.connect_timeout


def ensure_home(home: Path) -> None:
    """Create the data directory, or say in one line why it cannot be."""
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = "is a file" if home.is_file() else f"cannot be created ({exc.strerror})"
        raise StoreUnavailableError(
            f"the data directory {home} {why}: set PAPERROUND_HOME to a directory you can write"
        ) from exc


def open_engine(url: str | None = None) -> Engine:
    """An engine for url (default: settings), neither migrated nor cached."""
    url, busy, connect = _resolve(url)
    return make_engine(url, busy_timeout=busy, connect_timeout=connect)


@cache
def _engine_for(url: str, busy: float, connect: float) -> Engine:
    engine = make_engine(url, busy_timeout=busy, connect_timeout=connect)
    try:
        upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def get_engine(url: str | None = None) -> Engine:
    """The migrated engine for url (default: settings). Migrates on first use per process."""
    return _engine_for(*_resolve(url))


def reset_engines() -> None:
    """Forget cached engines (tests that switch databases call this)."""
    _engine_for.cache_clear()
