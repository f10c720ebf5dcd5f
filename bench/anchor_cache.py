"""The anchors' scores (LR, arxiv-sanity-lite's SVM; bench/rank_anchors.py) of one day's
tasks, kept beside the cached indexes: they depend only on the tasks and the anchors' code,
so a run that tunes our ranker reads them instead of refitting (~10 s a task)."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from pathlib import Path

from rank_anchors import K_SEED_ANCHORS, Database
from rank_tasks import with_k_seeds

REPO = Path(__file__).resolve().parents[1]
WINDOW_DAYS = 60  # listing days before a test day that make its window (rank_quality.py)


ANCHOR_CODE = hashlib.sha256((REPO / "bench/rank_anchors.py").read_bytes()).hexdigest()[:12]


def anchor_cache(cache: Path | None, day_tasks: list[dict], names: list[str]) -> Path | None:
    """Where one day's anchor scores are kept: they depend only on the tasks and the anchors'
    code, so tuning our ranker need not refit them (LR and the SVM: ~10 s a task)."""
    if cache is None or not names:
        return None
    what = json.dumps([names, [[t["category"], t["seed_ids"]] for t in day_tasks]])
    h = hashlib.sha256(what.encode()).hexdigest()[:16]
    return cache / f"anchors-{day_tasks[0]['day']}-{h}-{ANCHOR_CODE}.pickle"


def anchor_scores(day_tasks, anchors, cache, secs, window, cands, papers, db=None) -> dict:
    """The anchors' scores of one day's tasks, from the cache when a run computed them."""
    held = anchor_cache(cache, day_tasks, list(anchors))
    if held and held.exists():
        return pickle.loads(held.read_bytes())
    got = {}
    if anchors and db is None:
        t0 = time.perf_counter()
        db = Database(window, cands, papers)
        secs["database"] += time.perf_counter() - t0
    for name, run in anchors.items():
        t0 = time.perf_counter()
        got[name] = [run(t, db) for t in day_tasks]
        secs[name] = secs.get(name, 0.0) + time.perf_counter() - t0
    if held:
        part = held.with_suffix(f".{os.getpid()}.part")
        part.write_bytes(pickle.dumps(got))
        part.rename(held)
    return got


def prefill(ks: list[int], tasks, papers, by_day, args) -> None:
    """The K-seed anchors of every K computed day by day over one Database per day (its
    tf-idf fit is most of a day's cost), into the cache the --seeds K runs read."""
    days = sorted(by_day)
    kept = sorted({t["day"] for t in tasks})[:: args.every]
    secs: dict[str, float] = {"database": 0.0}
    for day in kept:
        i = days.index(day)
        window = [pid for d in days[max(0, i - WINDOW_DAYS) : i] for pid in by_day[d]]
        day_tasks = [t for t in tasks if t["day"] == day]
        db = None
        for k in ks:
            k_tasks = with_k_seeds(day_tasks, papers, by_day, k)
            held = anchor_cache(args.index_cache, k_tasks, list(K_SEED_ANCHORS))
            if held and held.exists():
                continue
            db = db or Database(window, by_day[day], papers)
            anchor_scores(k_tasks, K_SEED_ANCHORS, args.index_cache, secs, window, [], papers, db)
        print(day, {k: round(v) for k, v in secs.items()}, flush=True)
