"""Two ingests of the same day at once (threads, then processes) on SQLite and PostgreSQL:
no error, no duplicate, and every paper reported new by exactly one of them."""

from __future__ import annotations

import json
import sys
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.store import papers
from models.tables import Paper, PaperOccurrence
from paperround.ingest.sources import parse
from tests import feedgen
from tests.racers import READY, start_racers

NOW = datetime(2026, 4, 28, 4, 0, tzinfo=UTC)
SCRIPT = (
    """
import json, sys
from datetime import UTC, datetime
from pathlib import Path
from models.db import make_engine
from models.store import papers
from paperround.ingest.sources import parse
papers.CHUNK = int(sys.argv[3])
engine = make_engine(sys.argv[1])
records = parse("arxiv-rss", Path(sys.argv[2]).read_bytes(), source="arxiv-cs.LG").records
"""
    + READY  # parsed: the two start their upserts together
    + """
out = papers.upsert_records(records, engine=engine, now=datetime(2026, 4, 28, 4, tzinfo=UTC))
print(json.dumps({"new": len(out.new), "revised": len(out.revised)}))
"""
)


@pytest.fixture(scope="module")
def day_feed(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("feed") / "cs.LG.xml"
    path.write_bytes(feedgen.make_arxiv_rss_day(1500, day=date(2026, 4, 28), seed=11))
    return path


def _distinct_ids(feed: Path) -> set[str]:
    records = parse("arxiv-rss", feed.read_bytes(), source="arxiv-cs.LG").records
    return {r.arxiv_id for r in records}


def _check_store(engine, expected: set[str]) -> None:
    with engine.connect() as conn:
        keys = conn.execute(select(Paper.key)).scalars().all()
        occ = conn.execute(select(func.count()).select_from(PaperOccurrence)).scalar()
    assert len(keys) == len(set(keys)) == len(expected) and set(keys) == expected
    assert occ == len(expected)


def test_two_threads_ingesting_the_same_day(any_engine, day_feed, monkeypatch):
    monkeypatch.setattr(papers, "CHUNK", 100)  # many small transactions interleave
    records = parse("arxiv-rss", day_feed.read_bytes(), source="arxiv-cs.LG").records
    barrier = threading.Barrier(2)
    results, errors = [], []

    def ingest() -> None:
        try:
            barrier.wait()
            results.append(papers.upsert_records(records, engine=any_engine, now=NOW))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=ingest) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    expected = _distinct_ids(day_feed)
    _check_store(any_engine, expected)
    first, second = (set(r.new) for r in results)
    assert first.isdisjoint(second) and len(first | second) == len(expected)


def test_two_processes_ingesting_the_same_day(any_engine, day_feed):
    url = any_engine.url.render_as_string(hide_password=False)
    argv = [sys.executable, "-c", SCRIPT, url, str(day_feed), "100"]
    procs = start_racers(argv, argv)
    outputs = [p.communicate(timeout=180) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    expected = _distinct_ids(day_feed)
    _check_store(any_engine, expected)
    news = [json.loads(out.strip().splitlines()[-1])["new"] for out, _ in outputs]
    assert sum(news) == len(expected)
