"""What bench/cli.py and bench/cycle.py share: a 50,000-paper store built from real arXiv
records and the ledger reset between timed runs (what they measure with: bench/probes.py).

The store: the arxiv-category-bench papers (~34,000, ../shared/data) in listing-day order,
the last `day` of them first seen an hour ago (the day a digest reads: a new profile's first
digest looks back 3 days), the rest spread over the 60 days before (the ranker's window),
topped up to `total` with copies of the oldest under new keys (a DOI key: a copy adds rows
and document frequencies, not terms), as bench/rank_speed.py tops up its index.

Run as a script it builds a home with the code of another checkout (`--code PATH` first on
sys.path), so a baseline gets a store of its own schema:

    python bench/benchkit.py --code /work/wt-base --home H --total 50000 --profiles 1 \
        --channel 'mailto://...'
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "arxiv-category-bench"
HISTORY_DAYS = 60
STOP = {"towards", "between", "through", "without", "learning", "approach", "method"}
STOP |= {"methods", "using", "based"}
# What a timed run writes; emptied before the next one (children before parents).
LEDGER = ("sent_items", "digest_items", "deliveries", "digests", "run_claims")


def corpus() -> list[dict]:
    """Every benchmark paper, in listing-day order."""
    out = []
    for path in sorted((BENCH_DATA / "papers").glob("*.jsonl")):
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return out


def bench_profiles(n: int, papers: dict[str, dict] | None = None) -> list[dict]:
    """n profiles from the frozen tasks: each task's seed papers, keywords from their titles."""
    tasks = [json.loads(line) for line in (BENCH_DATA / "tasks_b.jsonl").open()]
    papers = papers if papers is not None else {p["id"]: p for p in corpus()}
    out = []
    for i in range(n):
        task = tasks[i % len(tasks)]
        seeds = [papers[s] for s in task["seed_ids"] if s in papers]
        words = Counter(
            w for s in seeds for w in re.findall(r"[a-z]{7,}", s["title"].lower()) if w not in STOP
        )
        kw = [[w, 1.0] for w, _ in words.most_common(4)]
        out.append({"name": f"p{i:04d}", "keywords": kw, "seeds": seeds})
    return out


def batches(papers: list[dict], *, total: int, day: int, now: datetime):
    """(first-seen time, PaperRecords) batches: history then the day, `total` papers in all."""
    from models.records import PaperRecord

    def record(p: dict, copy: int = 0) -> PaperRecord:
        common = dict(
            source="bench",
            title=p["title"],
            abstract=p.get("abstract", ""),
            authors=tuple(p["authors"]),
            categories=tuple(p["categories"]),
            announce_type="new",
        )
        if copy:
            doi = f"10.5555/bench-copy{copy}.{p['id']}"
            return PaperRecord(external_id=f"doi:{doi}", doi=doi, **common)
        return PaperRecord(
            external_id=f"oai:arXiv.org:{p['id']}v1",
            arxiv_id=p["id"],
            version=1,
            url=f"https://arxiv.org/abs/{p['id']}",
            **common,
        )

    today, older = papers[len(papers) - day :], papers[: len(papers) - day]
    history = [record(p) for p in older]
    copy = 0
    while len(history) + day < total:
        copy += 1
        history += [record(p, copy) for p in older[: total - day - len(history)]]
    per_day = -(-len(history) // HISTORY_DAYS)
    for k in range(HISTORY_DAYS):
        chunk = history[k * per_day : (k + 1) * per_day]
        if chunk:
            yield now - timedelta(days=4 + HISTORY_DAYS - k), chunk
    yield now - timedelta(hours=1), [record(p) for p in today]


def build(
    home: Path,
    *,
    total: int,
    day: int,
    profiles: int,
    channel: str | None,
    sources: list[tuple[str, str, str]] = (),
    enabled: int | None = None,
) -> dict:
    """Create the store under home: papers, sources, profiles (the first `enabled` enabled,
    all by default), each profile with one channel (channel.format(i=...), or none)."""
    os.environ["PAPERROUND_HOME"] = str(home)
    os.environ.pop("PAPERROUND_DATABASE_URL", None)
    from models.db import get_engine
    from models.store.papers import upsert_records
    from models.store.profiles import create_profile
    from models.store.sources import add_source
    from models.tables import Profile, Seed

    home.mkdir(parents=True, exist_ok=True)
    engine = get_engine()
    t0 = time.perf_counter()
    now = datetime.now(UTC)
    papers = corpus() if total else []
    for first_seen, recs in batches(papers, total=total, day=day, now=now) if total else ():
        upsert_records(recs, engine=engine, now=first_seen)
    for name, kind, url in sources:
        add_source(name, kind, url, engine=engine)
    created = now - timedelta(days=2)
    specs = bench_profiles(profiles, {p["id"]: p for p in papers} if papers else None)
    for i, spec in enumerate(specs):
        seeds = [
            Seed(
                key=s["id"], title=s["title"], abstract=s.get("abstract", ""), authors=s["authors"]
            )
            for s in spec["seeds"]
        ]
        prof = Profile(
            name=spec["name"],
            keywords=spec["keywords"],
            schedule="0 0 * * *",  # due since midnight UTC, never served: due at every tick
            created_at=created,
            enabled=enabled is None or i < enabled,
        )
        chans = [channel.format(i=i)] if channel else []
        create_profile(prof, engine=engine, seeds=seeds, channels=chans)
    engine.dispose()
    return {"seconds": round(time.perf_counter() - t0, 1), "papers": total, "profiles": profiles}


def db_path(home: Path) -> Path:
    return home / "paperround.db"


def reset_ledger(home: Path, *, enable: int | None = None) -> None:
    """Forget every digest, delivery, sent item and claim, as if nothing had been sent; with
    `enable`, enable exactly the profiles p0000..p<enable-1>. Plain SQL: any schema version."""
    with sqlite3.connect(db_path(home), timeout=60) as conn:
        for table in LEDGER:
            conn.execute(f"DELETE FROM {table}")
        if enable is not None:
            conn.execute("UPDATE profiles SET enabled = (name < ?)", (f"p{enable:04d}",))
    conn.close()


def fits(home: Path) -> int:
    """Index fits so far in this home (one line each in index/fits.log)."""
    log = home / "index" / "fits.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def main() -> None:
    ap = argparse.ArgumentParser(description="Build a benchmark home (see the module doc).")
    ap.add_argument("--code", type=Path, help="checkout whose code builds it (default: this)")
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--total", type=int, default=50_000)
    ap.add_argument("--day", type=int, default=6_000)
    ap.add_argument("--profiles", type=int, default=0)
    ap.add_argument("--enabled", type=int)
    ap.add_argument("--channel", help="Apprise URL; {i} is the profile's number")
    ap.add_argument("--source", action="append", default=[], help="name,kind,url")
    args = ap.parse_args()
    if args.code:
        sys.path.insert(0, str(args.code.resolve()))
    sources = [tuple(s.split(",", 2)) for s in args.source]
    got = build(
        args.home,
        total=args.total,
        day=args.day,
        profiles=args.profiles,
        channel=args.channel,
        sources=sources,
        enabled=args.enabled,
    )
    print(json.dumps(got))


if __name__ == "__main__":
    main()
