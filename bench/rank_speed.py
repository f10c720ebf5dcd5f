"""Ranking speed: 1,000 profiles (200 with 50 feedback labels) x 5,000 real arXiv papers.

    .venv/bin/python bench/rank_speed.py [--profiles 1000] [--papers 5000] [--runs 3]

`seconds` is a daily digest run after selecting candidates: vectorise the day's papers with
the cached TextIndex, then paperround.rank.rank_many for every profile, retraining all 200
feedback models (all their feedback changed since the last run, the worst case); the
profiles' expanded seed queries come from the cache, as they do between index refits
(weekly in the pipeline) while seeds do not change. Best of --runs, as timeit does on a
shared machine. Reported apart:
  cold_seconds    the same with an empty cache: every query expanded, every model trained
                  (the run after an index refit);
  warm_seconds    nothing changed: queries and models cached;
  index_seconds   fitting the TextIndex on the 60 listing days before (weekly, not per run);
  baseline_asl_svm_seconds_per_1000  arxiv-sanity-lite's one LinearSVC per profile over its
                  database (the window + the day's papers), timed on --baseline profiles
                  and scaled to 1,000; its tf-idf fit, once per run, is reported apart
                  (baseline_asl_tfidf_seconds).
Target: seconds < 2 on 2 cores, peak_rss_mb < 1024 (the process peak after our runs,
before the baseline, including the loaded data set). Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from rank_quality import Database, as_candidate, as_seed, asl_svm  # noqa: E402
from rank_tasks import load_papers  # noqa: E402

from models.records import ProfileSpec  # noqa: E402
from paperround.rank import build_index, rank_many  # noqa: E402

START_DAY = "2025-07-01"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profiles", type=int, default=1000)
    ap.add_argument("--with-feedback", type=int, default=200)
    ap.add_argument("--labels", type=int, default=50)
    ap.add_argument("--papers", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline", type=int, default=5, help="profiles to time the SVM on")
    args = ap.parse_args()
    papers, by_day = load_papers()
    days = sorted(by_day)
    start = days.index(START_DAY)
    window = [p for d in days[max(0, start - 60) : start] for p in by_day[d]]
    day_ids = [p for d in days[start:] for p in by_day[d]][: args.papers]
    rng = random.Random(0)
    profiles = []
    for n in range(args.profiles):
        seeds = tuple(as_seed(papers[p]) for p in rng.sample(window, 5))
        liked = disliked = ()
        if n < args.with_feedback:
            labels = [as_seed(papers[p]) for p in rng.sample(window, args.labels)]
            liked, disliked = tuple(labels[: args.labels // 2]), tuple(labels[args.labels // 2 :])
        profiles.append(ProfileSpec(f"p{n}", seeds=seeds, liked=liked, disliked=disliked))
    candidates = [as_candidate(n, papers[p]) for n, p in enumerate(day_ids)]
    now = datetime(2025, 7, 31, tzinfo=UTC)

    t0 = time.perf_counter()
    index = build_index([as_candidate(0, papers[p]) for p in window])
    index_seconds = time.perf_counter() - t0

    cold = daily = warm = float("inf")
    for _ in range(args.runs):
        cache: dict = {}
        t0 = time.perf_counter()
        rank_many(candidates, profiles, now=now, index=index, cache=cache)
        cold = min(cold, time.perf_counter() - t0)
        for key in [k for k in cache if k.startswith("f:")]:
            del cache[key]  # every reader with feedback gave new feedback since the last run
        del cache["signals"]  # a new run vectorises its day's papers (kept only within a run)
        t0 = time.perf_counter()
        ranked = rank_many(candidates, profiles, now=now, index=index, cache=cache)
        daily = min(daily, time.perf_counter() - t0)
        del cache["signals"]
        t0 = time.perf_counter()
        rank_many(candidates, profiles, now=now, index=index, cache=cache)
        warm = min(warm, time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    models = sum(k.startswith("f:") for k in cache)
    short = [n for n, r in enumerate(ranked) if len(r) < 10 and n >= args.with_feedback]
    assert models == args.with_feedback and not short, (models, short)

    per_profile = db_seconds = None  # --baseline 0: not measured
    if args.baseline:
        t0 = time.perf_counter()
        db = Database(window, day_ids, papers)
        db_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        for prof in profiles[: args.baseline]:
            asl_svm({"seed_ids": [s.key for s in prof.seeds]}, db)
        per_profile = (time.perf_counter() - t0) / args.baseline
    print(
        json.dumps(
            {
                "profiles": args.profiles,
                "papers": len(candidates),
                "feedback_models": models,
                "window_papers": len(index),
                "terms": index.n_terms,
                "seconds": round(daily, 3),
                "cold_seconds": round(cold, 3),
                "warm_seconds": round(warm, 3),
                "index_seconds": round(index_seconds, 2),
                "peak_rss_mb": round(peak),
                "baseline_asl_svm_seconds_per_1000": per_profile and round(per_profile * 1000, 1),
                "baseline_asl_tfidf_seconds": db_seconds and round(db_seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
