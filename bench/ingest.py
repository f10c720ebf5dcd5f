"""Ingest throughput: a 6,000-entry arXiv RSS day, served on 127.0.0.1, into the store.

    .venv/bin/python bench/ingest.py [--engine sqlite|postgresql] [--items 6000] [--preload 1000000]

Measures (best of --runs, as timeit does on a shared machine; entries per second):
  parse_only_eps  feedparser alone on the same bytes;
  ingest_eps      paperround.ingest.run.ingest_source: HTTP fetch + parse + normalise + dedup
                  + store + source bookkeeping, into an empty store;
  eps_1m          the same into a store preloaded with --preload papers (and as many
                  occurrences), copied from a template for each run.
Targets: ingest_vs_parse >= 0.85, rate_1m_vs_empty >= 0.8. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NOW = datetime(2026, 4, 28, 4, 0, tzinfo=UTC)
_COLS = [
    "key", "arxiv_id", "title", "abstract", "authors", "categories", "url", "version",
    "version_dates", "keywords", "announced_at", "first_seen_at", "updated_at",
]  # fmt: skip


@contextmanager
def serve(body: bytes):
    """A loopback HTTP server answering every GET with the feed."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/rss/cs.LG"
    finally:
        server.shutdown()


def preload_rows(n: int):
    """n synthetic papers whose ids (10xx.nnnnn) never meet the generated day's real ones."""
    day = "2020-01-01 00:00:00.000000"
    for i in range(n):
        ident = f"{1000 + i // 100000:04d}.{i % 100000:05d}"
        yield (
            ident, ident, f"Synthetic paper number {i} on some learning problem",
            "An abstract of moderate length about methods, results and limitations. " * 3,
            '["Ada Lovelace", "Alan Turing"]', '["cs.LG", "stat.ML"]',
            f"https://arxiv.org/abs/{ident}", 1, '{"1": "2020-01-01"}', "[]", day, day, day,
        )  # fmt: skip


def preload_sqlite(path: Path, n: int) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA journal_mode=WAL")
    marks = ",".join("?" * len(_COLS))
    db.executemany(f"INSERT INTO papers ({','.join(_COLS)}) VALUES ({marks})", preload_rows(n))
    db.execute(
        "INSERT INTO paper_occurrences (paper_id, source, external_id, first_seen_at, "
        "last_seen_at) SELECT id, 'arxiv-cs.LG', 'oai:arXiv.org:' || key || 'v1', "
        "first_seen_at, first_seen_at FROM papers"
    )
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def preload_postgres(url: str, n: int) -> None:
    import psycopg

    with (
        psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn,
        conn.cursor() as cur,
    ):
        with cur.copy(f"COPY papers ({','.join(_COLS)}) FROM STDIN") as copy:
            for row in preload_rows(n):
                copy.write_row(row[:10] + tuple(d + "+00" for d in row[10:]))
        cur.execute(
            "INSERT INTO paper_occurrences (paper_id, source, external_id, first_seen_at, "
            "last_seen_at) SELECT id, 'arxiv-cs.LG', 'oai:arXiv.org:' || key || 'v1', "
            "first_seen_at, first_seen_at FROM papers"
        )
        cur.execute("ANALYZE")


def time_ingest(url: str, feed_url: str) -> float:
    """Seconds for one ingest_source of the feed into the store at url."""
    from models.db import make_engine, upgrade
    from models.store.sources import add_source
    from paperround.ingest.run import ingest_source

    engine = make_engine(url)
    upgrade(engine)
    src = add_source("arxiv-cs.LG-bench", "arxiv-rss", feed_url, engine=engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM papers").scalar()  # warm the cache
    start = time.perf_counter()
    outcome = ingest_source(src, engine=engine, now=NOW)
    elapsed = time.perf_counter() - start
    engine.dispose()
    assert outcome.status == "ok", outcome
    return elapsed


def time_parse(body: bytes, items: int) -> float:
    """Seconds for feedparser alone, with the very call the arXiv RSS parser makes
    (paperround/ingest/sources/_common.py). The result is dropped on return, so the ingest timed
    next does not run (and collect garbage) with another parsed day on the heap."""
    import feedparser

    start = time.perf_counter()
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    elapsed = time.perf_counter() - start
    assert len(parsed.entries) == items
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--items", type=int, default=6000)
    ap.add_argument("--preload", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    from tests.feedgen import make_arxiv_rss_day

    body = make_arxiv_rss_day(args.items, day=date(2026, 4, 28), seed=1)
    from paperround.ingest.sources import parse

    n = len(parse("arxiv-rss", body, source="x").records)
    parse_times = []
    tmp = Path(tempfile.mkdtemp(prefix="paperround-bench-"))
    empty_t, full_t, preload_s = [], [], 0.0
    try:
        with serve(body) as feed_url, _stores(args, tmp) as (new_empty, new_full, preload_s):
            time_ingest(new_empty(), feed_url)  # warm-up: first-use imports are not ingest
            for _ in range(args.runs):  # interleaved, so load on a shared machine hits all alike
                parse_times.append(time_parse(body, args.items))
                empty_t.append(time_ingest(new_empty(), feed_url))
                full_t.append(time_ingest(new_full(), feed_url))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    parse_eps = n / min(parse_times)
    eps_empty = n / min(empty_t)
    eps_1m = n / min(full_t)
    print(f"entries: {n}  feedparser: {min(parse_times):.2f} s  "
          f"ingest empty: {min(empty_t):.2f} s  "
          f"ingest into {args.preload:,}: {min(full_t):.2f} s")  # fmt: skip
    print(json.dumps({
        "engine": args.engine, "entries": n, "preload": args.preload,
        "parse_only_eps": round(parse_eps), "ingest_eps": round(eps_empty),
        "ingest_vs_parse": round(eps_empty / parse_eps, 3), "eps_empty": round(eps_empty),
        "eps_1m": round(eps_1m), "rate_1m_vs_empty": round(eps_1m / eps_empty, 3),
        "preload_seconds": round(preload_s, 1),
    }))  # fmt: skip


@contextmanager
def _stores(args, tmp: Path):
    """Factories of fresh store URLs (empty / preloaded), and the preload time."""
    from models.db import make_engine, upgrade

    counter = iter(range(1000))
    if args.engine == "sqlite":
        template = tmp / "template.db"
        engine = make_engine(f"sqlite:///{template}")
        upgrade(engine)
        engine.dispose()
        start = time.perf_counter()
        preload_sqlite(template, args.preload)
        preload_s = time.perf_counter() - start

        def new_empty() -> str:
            return f"sqlite:///{tmp / f'empty{next(counter)}.db'}"

        def new_full() -> str:
            path = tmp / f"full{next(counter)}.db"
            shutil.copyfile(template, path)
            return f"sqlite:///{path}"

        yield new_empty, new_full, preload_s
        return
    from tests.pg import running_cluster

    with running_cluster() as cluster:
        url = cluster.create_database("template1m")
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        start = time.perf_counter()
        preload_postgres(url, args.preload)
        preload_s = time.perf_counter() - start

        def new_empty() -> str:
            return cluster.create_database(f"empty{next(counter)}")

        def new_full() -> str:
            name = f"full{next(counter)}"
            cluster._check(
                "createdb",
                cluster._run(
                    cluster.bindir / "createdb", "-h", "127.0.0.1", "-p", cluster.port,
                    "-U", cluster.db_user, "-T", "template1m", name,
                ),
            )  # fmt: skip
            return url.rsplit("/", 1)[0] + f"/{name}"

        yield new_empty, new_full, preload_s


if __name__ == "__main__":
    main()
