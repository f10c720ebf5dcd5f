"""Ranking speed: 1,000 profiles (200 with 50 feedback labels) x 5,000 real arXiv papers.

    .venv/bin/python bench/rank_speed.py [--profiles 1000] [--papers 5000] [--runs 3]

As deployed: this process fits the TextIndex on the 60 listing days before and saves it
(paperround/rank/store.py); a fresh process loads it from disk and ranks, as every flow run
does under `paperround serve` or a process worker.

`seconds` is a daily digest run after selecting candidates, in a fresh process: load the
profiles' expanded seed queries from the log beside the index (paperround/rank/query_log.py;
they change only with seeds, likes or the index), vectorise the day's papers with the
loaded index, then paperround.rank.rank_many for every profile, retraining all 200
feedback models (all their feedback changed since the last run, the worst case). Each
timed run is a process of its own (as a flow run is); best of --runs processes, as timeit
does on a shared machine. Reported apart:
  cold_seconds    the same with no query saved: every query expanded, every model trained
                  (the first run after an index refit); the first cold process then saves
                  its queries (queries_save_s) for the daily ones (queries_load_s);
  warm_seconds    nothing changed: the daily process's second run, all cached;
  index_seconds   fitting the TextIndex (weekly, not per run); save_seconds writing it;
  fit_peak_rss_mb the fitting process's peak (data set included);
  load_s          loading a saved index of --load-papers papers (default 50,000: the whole
                  corpus, topped up with copies under other keys) in a fresh process, as
                  that process times it (its imports apart; page cache warm); best of
                  --runs processes; index_load_papers_seconds is that index's fit;
  baseline_asl_svm_seconds_per_1000  arxiv-sanity-lite's one LinearSVC per profile over its
                  database (the window + the day's papers), timed on --baseline profiles
                  and scaled to 1,000; its tf-idf fit, once per run, is reported apart
                  (baseline_asl_tfidf_seconds).
Targets: seconds < 2 on 2 cores, peak_rss_mb < 1024 (the ranking process's peak, index
loaded from disk, data set included), load_s < 0.5; seeds200_daily_s - seeds5_daily_s < 0.05
(one 200-seed profile's daily run against a 5-seed one's, query and model cached; its
first run, query expanded and model trained, is seeds200_first_s). Last line: one JSON
object.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from rank_quality import Database, as_candidate, as_seed, asl_svm  # noqa: E402
from rank_tasks import load_papers  # noqa: E402

from models.records import ProfileSpec  # noqa: E402
from paperround.rank import build_index, profile_model, query_log, rank_many  # noqa: E402
from paperround.rank import store as index_store  # noqa: E402

START_DAY = "2025-07-01"


def peak_mb() -> int:
    """This process's peak RSS. Not getrusage's ru_maxrss: Linux carries a parent's peak
    into a child across fork + exec; VmHWM is the peak of this program's own memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def workload(args, papers, by_day):
    """(window ids, day ids, profiles, candidates): the same in every process."""
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
    return window, day_ids, profiles, candidates


def rank_run(args, folder: Path) -> dict:
    """In a fresh process, as a flow run: load the saved index, then one run.

    --cold: an empty cache; then its queries and profile models are saved beside the index
    (the first cold process does), as the pipeline saves them. Otherwise a daily run: the
    queries and models are loaded from that log (timed as part of the run), every likes
    model and the profile models of the profiles with feedback are trained again (all the
    feedback changed); then a second run with everything cached: the warm one.
    """
    papers, by_day = load_papers()
    _, _, profiles, candidates = workload(args, papers, by_day)
    now = datetime(2025, 7, 31, tzinfo=UTC)
    t0 = time.perf_counter()
    index, _ = index_store.load_index(folder)
    out = {"load_in_ranking_process_s": time.perf_counter() - t0}
    if args.cold:
        cache: dict = {}
        t0 = time.perf_counter()
        rank_many(candidates, profiles, now=now, index=index, cache=cache)
        out["cold_seconds"] = time.perf_counter() - t0
        if not (folder / query_log.LOG_NAME).exists():
            queries = {k: v for k, v in cache.items() if k.startswith(("q:", "m:"))}
            t0 = time.perf_counter()
            query_log.append_queries(folder, queries)
            out["queries_save_s"] = time.perf_counter() - t0
        return out | {"peak_rss_mb": peak_mb()}
    t0 = time.perf_counter()
    cache = query_log.load_queries(folder, n_terms=index.n_terms)
    out["queries_load_s"] = time.perf_counter() - t0
    assert sum(k.startswith("q:") for k in cache) == args.profiles  # every query from the log
    for prof in profiles[: args.with_feedback]:  # their feedback changed: models retrained
        cache.pop(profile_model.model_key(prof, index.fingerprint), None)
    ranked = rank_many(candidates, profiles, now=now, index=index, cache=cache)
    out["seconds"] = time.perf_counter() - t0
    assert sum(k.startswith("q:") for k in cache) == args.profiles  # none expanded here
    del cache["signals"]  # a new run vectorises its day's papers (kept only within a run)
    t0 = time.perf_counter()
    rank_many(candidates, profiles, now=now, index=index, cache=cache)
    out["warm_seconds"] = time.perf_counter() - t0
    out |= many_seeds(args, candidates, index, cache, papers, by_day, now)
    models = sum(k.startswith("f:") for k in cache)
    short = [n for n, r in enumerate(ranked) if len(r) < 10 and n >= args.with_feedback]
    assert models == args.with_feedback and not short, (models, short)
    return out | {"feedback_models": models, "peak_rss_mb": peak_mb()}


def many_seeds(args, candidates, index, cache, papers, by_day, now) -> dict:
    """What one profile with --many-seeds seeds adds to a daily run, against one with 5:
    its first run (query expanded, discriminative model trained) and its daily run (both
    cached, as after a query-log load), the day's candidates already vectorised."""
    window, _, _, _ = workload(args, papers, by_day)
    picks = random.Random(1).sample(window, args.many_seeds)
    big = ProfileSpec("many", seeds=tuple(as_seed(papers[p]) for p in picks))
    small = ProfileSpec("few", seeds=big.seeds[:5])
    out = {}
    for name, prof in (("seeds5", small), (f"seeds{args.many_seeds}", big)):
        for run in ("first", "daily"):
            t0 = time.perf_counter()
            rank_many(candidates, [prof], now=now, index=index, cache=cache)
            out[f"{name}_{run}_s"] = time.perf_counter() - t0
    return out


def load_only(folder: Path) -> dict:
    """In a fresh process, imports done: the time to load the saved index."""
    t0 = time.perf_counter()
    loaded = index_store.load_index(folder)
    assert loaded is not None
    return {"load_s": time.perf_counter() - t0, "rss_after_load_mb": peak_mb()}


def in_fresh_process(mode: str, folder: Path, argv: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, mode, str(folder), *argv], capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"{mode} process failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def padded(papers: dict, by_day: dict, n: int) -> list:
    """n papers: the whole corpus, then copies of it under other keys (the corpus holds
    about 34,000 papers; a copy adds rows and document frequencies, not terms)."""
    ids = [p for d in sorted(by_day) for p in by_day[d]]
    out = [as_candidate(0, papers[p]) for p in ids[:n]]
    copy = 0
    while len(out) < n:
        copy += 1
        out += [
            replace(as_candidate(0, papers[p]), key=f"{p}#copy{copy}") for p in ids[: n - len(out)]
        ]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profiles", type=int, default=1000)
    ap.add_argument("--with-feedback", type=int, default=200)
    ap.add_argument("--labels", type=int, default=50)
    ap.add_argument("--papers", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--many-seeds", type=int, default=200, help="the many-seed profile's seeds")
    ap.add_argument("--baseline", type=int, default=5, help="profiles to time the SVM on")
    ap.add_argument("--load-papers", type=int, default=50_000, help="0: no load_s")
    ap.add_argument("--rank-from", type=Path, help=argparse.SUPPRESS)  # the fresh processes
    ap.add_argument("--load-from", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--cold", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rank_from or args.load_from:
        got = rank_run(args, args.rank_from) if args.rank_from else load_only(args.load_from)
        print(json.dumps(got))
        return
    argv = [
        f"--{name}={getattr(args, name.replace('-', '_'))}"
        for name in ("profiles", "with-feedback", "labels", "papers", "many-seeds")
    ]
    papers, by_day = load_papers()
    window, day_ids, profiles, candidates = workload(args, papers, by_day)
    home = Path(tempfile.mkdtemp(prefix="rank-speed-"))

    t0 = time.perf_counter()
    index = build_index([as_candidate(0, papers[p]) for p in window])
    index_seconds = time.perf_counter() - t0
    fit_peak = peak_mb()
    t0 = time.perf_counter()
    folder = index_store.save_index(index, home / "window", meta={})
    save_seconds = time.perf_counter() - t0
    runs = [in_fresh_process("--rank-from", folder, [*argv, "--cold"]) for _ in range(args.runs)]
    runs += [in_fresh_process("--rank-from", folder, argv) for _ in range(args.runs)]
    ranked = {k: min(r[k] for r in runs if k in r) for k in runs[-1] | runs[0]}
    ranked = {k: v if isinstance(v, int) else round(v, 3) for k, v in ranked.items()}
    ranked["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)

    load_s = big_fit = None
    if args.load_papers:
        t0 = time.perf_counter()
        big = build_index(padded(papers, by_day, args.load_papers))
        big_fit = time.perf_counter() - t0
        big_folder = index_store.save_index(big, home / "big", meta={})
        del big
        loads = [in_fresh_process("--load-from", big_folder, []) for _ in range(args.runs)]
        load_s = min(r["load_s"] for r in loads)

    per_profile = db_seconds = None  # --baseline 0: not measured
    if args.baseline:
        t0 = time.perf_counter()
        db = Database(window, day_ids, papers)
        db_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        for prof in profiles[: args.baseline]:
            asl_svm({"seed_ids": [s.key for s in prof.seeds]}, db)
        per_profile = (time.perf_counter() - t0) / args.baseline
    shutil.rmtree(home)
    print(
        json.dumps(
            {
                "profiles": args.profiles,
                "papers": len(candidates),
                "window_papers": len(index),
                "terms": index.n_terms,
                **ranked,
                "index_seconds": round(index_seconds, 2),
                "save_seconds": round(save_seconds, 2),
                "fit_peak_rss_mb": fit_peak,
                "load_papers": args.load_papers,
                "load_s": load_s and round(load_s, 3),
                "index_load_papers_seconds": big_fit and round(big_fit, 1),
                "baseline_asl_svm_seconds_per_1000": per_profile and round(per_profile * 1000, 1),
                "baseline_asl_tfidf_seconds": db_seconds and round(db_seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
