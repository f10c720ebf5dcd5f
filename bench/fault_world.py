"""The world bench/faults.py runs in: probe feeds, commands run as real processes, stores.

Every command is a real process in its own session (so kill -9 takes its children with
it), its output written to files, its stderr searched for "Traceback". Stores are cloned
from a template per trial: a copied SQLite file, or a PostgreSQL `CREATE DATABASE ...
TEMPLATE`, so a trial costs only the commands it measures.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

PAPERROUND = [str(Path(sys.executable).with_name("paperround"))]
PROBE_WORD = "Faultprobe"  # in every probe title: the profile's one keyword matches them all
DISPATCH_SCRIPT = """
import json, sys
from datetime import UTC, datetime
from models.db import get_engine
from models.settings import get_settings
from paperround.schedule.dispatch import dispatch_once
now = max(datetime.now(UTC), datetime.fromisoformat(sys.argv[1]))
result = dispatch_once(engine=get_engine(), now=now, home=get_settings().home)
channels = [{"items": c.items, "ok": c.ok, "error": c.error}
            for o in result.outcomes for c in o.channels]
print(json.dumps({"claimed": len(result.claimed), "channels": channels}))
"""


def probe_feed(batch: str, n: int, *, first: int, seed: int = 0) -> tuple[bytes, list[str]]:
    """An arXiv RSS day (tests/feedgen.py: real shape, real abstracts) of n new papers whose
    ids are 2612.{first..} and titles "Faultprobe <batch><i>: <real title>": unique ids, no
    two titles near-duplicates, every one matched by the keyword."""
    from tests.feedgen import make_arxiv_rss_day

    xml = make_arxiv_rss_day(
        n, day=date(2026, 4, 27), seed=seed, mix={"new": 1.0}, old_style_share=0.0
    ).decode()
    head, *items = xml.split("    <item>\n")
    out, ids = [head], []
    for i, item in enumerate(items):
        real = re.search(r"<link>https://arxiv\.org/abs/([^<]+)</link>", item).group(1)
        new = f"2612.{first + i:05d}"
        item = item.replace(real, new).replace("<title>", f"<title>{PROBE_WORD} {batch}{i}: ", 1)
        out.append(item)
        ids.append(new)
    return "    <item>\n".join(out).encode(), ids


@dataclass
class Proc:
    args: list[str]
    popen: subprocess.Popen
    out: Path
    err: Path
    started: float
    killed: bool = False
    seconds: float = 0.0
    code: int | None = None
    stdout: str = ""
    stderr: str = ""

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def last_json(self) -> object | None:
        """The last stdout line that parses as JSON (what --json printed), or None."""
        for line in reversed(self.stdout.strip().splitlines()):
            try:
                return json.loads(line)
            except ValueError:
                continue
        try:
            return json.loads(self.stdout)
        except ValueError:
            return None


@dataclass
class Runner:
    """Starts commands, kills them, and counts every output that holds a traceback."""

    logdir: Path
    commands: int = 0
    tracebacks: int = 0
    samples: list[str] = field(default_factory=list)  # the first few, for the report

    def start(self, args: list[str], env: dict[str, str], cwd: Path) -> Proc:
        self.commands += 1
        out = self.logdir / f"{self.commands:05d}.out"
        err = self.logdir / f"{self.commands:05d}.err"
        with out.open("wb") as fo, err.open("wb") as fe:
            popen = subprocess.Popen(
                args, env=env, cwd=cwd, stdout=fo, stderr=fe, start_new_session=True
            )
        return Proc(args, popen, out, err, time.monotonic())

    def finish(self, proc: Proc, *, kill_after: float | None = None, timeout: float = 900) -> Proc:
        """Wait for the process; with kill_after, kill -9 its group at that instant (if it is
        still running) and say so. A command still running after `timeout` is killed too."""
        limit = timeout if kill_after is None else max(0.0, kill_after - proc.elapsed())
        try:
            proc.popen.wait(limit)
        except subprocess.TimeoutExpired:
            os.killpg(proc.popen.pid, signal.SIGKILL)
            proc.killed = True
            proc.popen.wait()
        proc.seconds = time.monotonic() - proc.started
        proc.code = proc.popen.returncode
        proc.stdout = proc.out.read_text(errors="replace")
        proc.stderr = proc.err.read_text(errors="replace")
        if "Traceback" in proc.stderr:
            self.tracebacks += 1
            if len(self.samples) < 10:
                self.samples.append(f"{_shown(proc.args)}: {_exception_line(proc.stderr)}")
        return proc

    def run(self, args: list[str], env: dict[str, str], cwd: Path, **kw: float | None) -> Proc:
        return self.finish(self.start(args, env, cwd), **kw)


def _shown(args: list[str]) -> str:
    if args[0] == PAPERROUND[0]:
        return "paperround " + " ".join(args[1:])
    return "dispatch_once" if "-c" in args else " ".join(args)


def _exception_line(stderr: str) -> str:
    """The line naming the exception of a traceback (its last "SomethingError: ..." line)."""
    lines = stderr.strip().splitlines()
    for line in reversed(lines):
        if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b", line):
            return line[:160]
    return lines[-1][:160] if lines else ""


def base_env(prefect_home: Path) -> dict[str, str]:
    """The environment every command gets: offline, quiet, no arXiv API, long fetch timeout
    (a held feed must outlast a concurrent digest), one warm Prefect home for all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERROUND_")}
    env.update(
        PAPERROUND_ENRICH="false",
        PAPERROUND_FETCH_TIMEOUT="600",
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PYTHONPATH=str(Path(__file__).resolve().parents[1]),
    )
    return env


@dataclass(frozen=True)
class Store:
    """One store a trial uses: its home (cwd of every command) and environment."""

    name: str
    home: Path
    env: dict[str, str]
    url: str


class Stores:
    """A template store and cheap clones of it, on SQLite or PostgreSQL."""

    def __init__(self, engine: str, root: Path, env: dict[str, str], pg_cluster=None) -> None:
        self.engine, self.root, self.env, self.pg = engine, root, env, pg_cluster
        self.template = self._make("template")

    def _admin(self):
        import psycopg

        url = f"postgresql://{self.pg.db_user}@127.0.0.1:{self.pg.port}/postgres"
        return psycopg.connect(url, autocommit=True)

    def _make(self, name: str, *, template: str | None = None) -> Store:
        home = self.root / name
        home.mkdir(parents=True)
        env = {**self.env, "PAPERROUND_HOME": str(home)}
        if self.engine == "sqlite":
            url = f"sqlite:///{home / 'paperround.db'}"
        else:
            with self._admin() as conn:
                suffix = f' TEMPLATE "{template}"' if template else ""
                conn.execute(f'CREATE DATABASE "{name}"{suffix}')
            url = f"postgresql+psycopg://{self.pg.db_user}@127.0.0.1:{self.pg.port}/{name}"
            env["PAPERROUND_DATABASE_URL"] = url
        return Store(name, home, env, url)

    def clone(self, name: str) -> Store:
        if self.engine == "postgresql":
            return self._make(name, template=self.template.name)
        store = self._make(name)
        for src in self.template.home.glob("paperround.db*"):
            shutil.copy2(src, store.home / src.name)
        return store

    def drop(self, store: Store) -> None:
        if self.engine == "postgresql":
            with self._admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{store.name}" WITH (FORCE)')
        shutil.rmtree(store.home, ignore_errors=True)

    def pending_deliveries(self, store: Store) -> int | None:
        """Deliveries the store still calls pending (None if it cannot be read)."""
        from sqlalchemy import create_engine, text

        eng = create_engine(store.url)
        try:
            with eng.connect() as conn:
                return conn.execute(
                    text("SELECT count(*) FROM deliveries WHERE status = 'pending'")
                ).scalar()
        except Exception:
            return None
        finally:
            eng.dispose()
