"""Benchmark: one full cycle as plain functions and as Prefect flows against a local server.

Cycle: ingest a generated 6,000-entry arXiv RSS day from an HTTP server on 127.0.0.1,
then dispatch N due profiles (seed papers from ../shared/data/arxiv-category-bench):
rank, render, deliver by Apprise to an aiosmtpd sink on 127.0.0.1, record.
Each (mode, N) gets a fresh store with the same data; Prefect mode runs the `ingest` and
`dispatch` flows in-process against a `prefect server start` child (after one warm-up run).

    .venv/bin/python bench/cycle.py            # N = 10 and 1000
    .venv/bin/python bench/cycle.py --n 10     # quicker

Last line: one JSON object {"runs": {N: {plain_s, prefect_s, overhead_s, sent}},
"overhead_growth": overhead(1000) / overhead(10)}. Targets: overhead_growth <= 2 and
prefect_s <= 1.5 x plain_s + 5 at N = 1000.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BENCH = REPO.parent / "shared" / "data" / "arxiv-category-bench"
STOP = set(
    [
        "towards",
        "between",
        "through",
        "without",
        "learning",
        "approach",
        "method",
        "methods",
        "using",
        "based",
    ]
)


def load_profiles(n: int) -> list[dict]:
    """N profiles from benchmark tasks: each task's seed papers, keywords from their titles."""
    tasks = [json.loads(line) for line in (BENCH / "tasks_b.jsonl").open()]
    wanted = {sid for t in tasks for sid in t["seed_ids"]}
    papers = {}
    for f in sorted((BENCH / "papers").glob("*.jsonl")):
        for line in f.open():
            rec = json.loads(line)
            if rec["id"] in wanted:
                papers[rec["id"]] = rec
    out = []
    for i in range(n):
        task = tasks[i % len(tasks)]
        seeds = [papers[s] for s in task["seed_ids"] if s in papers]
        words = Counter(
            w for s in seeds for w in re.findall(r"[a-z]{7,}", s["title"].lower()) if w not in STOP
        )
        out.append(
            {
                "name": f"p{i:04d}-{task['category']}",
                "keywords": [[w, 1.0] for w, _ in words.most_common(4)],
                "seeds": seeds,
            }
        )
    return out


def use_home(home: Path) -> None:
    from models.db import reset_engines
    from models.settings import get_settings

    os.environ["PAPERROUND_HOME"] = str(home)
    get_settings.cache_clear()
    reset_engines()


def setup_store(home: Path, profiles: list[dict], feed_url: str, mailto) -> None:
    from models.db import get_engine
    from models.store.profiles import create_profile
    from models.store.sources import add_source
    from models.tables import Profile, Seed

    use_home(home)
    engine = get_engine()
    add_source("arxiv-cs.LG", "arxiv-rss", feed_url, engine=engine)
    created = datetime.now(UTC) - timedelta(days=2)
    for i, p in enumerate(profiles):
        seeds = [
            Seed(
                key=s["id"], title=s["title"], abstract=s.get("abstract", ""), authors=s["authors"]
            )
            for s in p["seeds"]
        ]
        prof = Profile(
            name=p["name"], keywords=p["keywords"], schedule="0 0 * * *", created_at=created
        )
        create_profile(prof, engine=engine, seeds=seeds, channels=[mailto(f"r{i}@example.org")])


def run_plain(now: datetime) -> tuple[int, int]:
    from models.db import get_engine
    from models.settings import get_settings
    from paperround.ingest.run import ingest_all
    from paperround.schedule.dispatch import dispatch_once

    engine = get_engine()
    ingested = ingest_all(engine=engine, now=now)
    result = dispatch_once(engine=engine, now=now, home=get_settings().home)
    assert not result.failed, result.failed
    return sum(o.new for o in ingested), len(result.claimed)


def run_prefect(now: datetime) -> tuple[int, int]:
    from flows.dispatch import dispatch
    from flows.ingest import ingest

    summary = ingest(now=now)
    sent = dispatch(now=now)
    return summary["new"], len(sent["claimed"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10, 1000])
    args = parser.parse_args()
    if not BENCH.exists():
        sys.exit(f"{BENCH} not found")
    tmp = Path(tempfile.mkdtemp(prefix="paperround-cycle-"))
    os.environ.update(
        PAPERROUND_HOME=str(tmp / "home"),
        PREFECT_HOME=str(tmp / "prefect-client"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    from paperround.server import PrefectServer
    from tests.feedgen import make_arxiv_rss_day
    from tests.servers import SmtpSink, StaticFeeds

    feed = make_arxiv_rss_day(6000, day=date(2026, 11, 23))
    server = PrefectServer(
        home=tmp / "prefect-server",
        extra_env={"PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false"},
    )
    t0 = time.perf_counter()
    server.start()
    print(f"prefect server ready in {time.perf_counter() - t0:.1f} s", flush=True)
    os.environ["PREFECT_API_URL"] = server.api_url
    runs: dict[int, dict] = {}
    try:
        with (
            StaticFeeds({"/rss/cs.LG": (feed, "application/rss+xml")}) as feeds,
            SmtpSink() as smtp,
        ):
            url = f"{feeds.base}/rss/cs.LG"
            setup_store(tmp / "warmup", [], url, smtp.mailto)
            run_prefect(datetime.now(UTC))  # import, client and flow registration, once
            for n in args.n:
                profiles = load_profiles(n)
                row = {}
                for mode, fn in (("plain", run_plain), ("prefect", run_prefect)):
                    setup_store(tmp / f"{mode}-{n}", profiles, url, smtp.mailto)
                    before = len(smtp.messages)
                    t0 = time.perf_counter()
                    new, claimed = fn(datetime.now(UTC))
                    row[f"{mode}_s"] = round(time.perf_counter() - t0, 2)
                    row[f"{mode}_sent"] = len(smtp.messages) - before
                    row["new_papers"], row["claimed"] = new, claimed
                    print(
                        f"N={n} {mode}: {row[f'{mode}_s']} s, {new} new papers, "
                        f"{claimed} profiles, {row[f'{mode}_sent']} emails",
                        flush=True,
                    )
                row["overhead_s"] = round(row["prefect_s"] - row["plain_s"], 2)
                runs[n] = row
    finally:
        server.stop()
    out = {"runs": runs}
    if 10 in runs and 1000 in runs:
        o10, o1000 = runs[10]["overhead_s"], runs[1000]["overhead_s"]
        out["overhead_growth"] = round(o1000 / o10, 2) if o10 > 0 else None
        out["target_prefect_le_1.5plain_plus_5"] = runs[1000]["prefect_s"] <= (
            1.5 * runs[1000]["plain_s"] + 5
        )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
