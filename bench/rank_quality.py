"""Ranking quality on arxiv-category-bench: the product's ranker against the anchor recipes.

    .venv/bin/python bench/rank_quality.py                 # the 229 frozen tasks (report)
    .venv/bin/python bench/rank_quality.py --draw dev      # a fresh draw, to tune on
    .venv/bin/python bench/rank_quality.py --tasks F.jsonl # any task file (same format)
    .venv/bin/python bench/rank_quality.py --seeds 20      # K-seed variant (issue 17)

Each task: a profile of 5 seed papers of one arXiv category from the previous 60 listing
days; the candidates are every paper of a later day; relevance 2 if the category is the
paper's primary, 1 if a cross-list. Categories are the label, so no ranker sees them: the
candidates and seeds are built without. Variants:
  ours            paperround.rank.rank_many, seeds only, with the TextIndex fitted on the
                  60 listing days before the test day (what the store would hold);
  ours_fb         the same profile plus the task's 10 neg_ids as thumbs-down ("B+fb");
  tfidf_centroid  TfidfVectorizer (1-2 grams, sublinear, min_df 2) fitted on the day's
                  "database" (the same 60 days + the test day), cosine to the mean seed;
  asl_svm         arxiv-sanity-lite as it runs: TfidfVectorizer(20k 1-2 grams, sublinear,
                  min_df 5, max_df 0.1) fitted once on the database, then one
                  LinearSVC(C=0.01, balanced) per profile over every database paper, the
                  seeds positive and every other paper negative;
  lr_fb           logistic regression on that tf-idf, seeds vs neg_ids (B+fb anchor);
  *_pool          the same recipes fitted on the test day's candidates + seeds only (how this
                  file ran them until stop 12: weaker, as their vocabulary and IDF come from
                  a few hundred papers).
The issue quoted tfidf_centroid 0.337 / AUC 0.800 and asl_svm 0.350 / 0.811; the database
fit comes close to those, the pool fit gave 0.284 / 0.762 and 0.314 / 0.800.
With --seeds K (issue 17) each task keeps its (category, day) and gets K seeds drawn at
random (fixed seed) from the target's papers in the window, and the variants are ours, lr
(logistic regression, seeds vs the window) and asl_svm; the last line is then the K-seed
acceptance object. Anchor scores are cached beside the indexes (--index-cache).
Metrics per task, then averaged: nDCG@10 (gain 2^rel - 1), P@10, AUC (relevant = rel > 0).
Candidates the ranker leaves out (no signal) share the lowest score. Last line: one JSON object,
with "reason_precision" (bench/reason_precision.py): how often a top-10 paper shown "close
to your seed" is relevant, against the top-10 papers without that reason.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import pickle
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from anchor_cache import WINDOW_DAYS, anchor_scores, prefill  # noqa: E402
from rank_anchors import (  # noqa: E402, F401  (re-exported for rank_speed and rank_loop)
    ANCHORS,
    ASL_VECTORISER,
    K_SEED_ANCHORS,
    Database,
    asl_svm,
)
from rank_stats import k_seed_line, k_seed_pairs, paired, summary  # noqa: E402
from rank_tasks import (  # noqa: E402
    evaluate,
    frozen_tasks,
    load_papers,
    relevance,
    tuning_tasks,
    with_k_seeds,
)
from reason_precision import ReasonPrecision  # noqa: E402

from models.records import Candidate, ProfileSpec, SeedPaper  # noqa: E402
from paperround.rank import TextIndex, build_index, rank_many  # noqa: E402

# What a cached index depends on: the code that fits it.
INDEX_CODE = hashlib.sha256((REPO / "paperround/rank/text.py").read_bytes()).hexdigest()[:12]


def as_candidate(n: int, p: dict) -> Candidate:
    """The ranker's view of a paper: no categories (they are the label)."""
    return Candidate(
        paper_id=n,
        key=p["id"],
        title=p["title"],
        abstract=p["abstract"],
        authors=tuple(p["authors"]),
    )


def as_seed(p: dict) -> SeedPaper:
    return SeedPaper(
        key=p["id"], title=p["title"], abstract=p["abstract"], authors=tuple(p["authors"])
    )


def ours(
    day_tasks, cands, index, papers, *, feedback: bool, keep: list | None = None
) -> list[list[float]]:
    profiles = [
        ProfileSpec(
            name=f"{t['category']}@{t['day']}",
            seeds=tuple(as_seed(papers[i]) for i in t["seed_ids"]),
            disliked=tuple(as_seed(papers[i]) for i in t["neg_ids"]) if feedback else (),
            max_items=len(cands),
            min_score=float("-inf"),  # every candidate ranked, for AUC
        )
        for t in day_tasks
    ]
    cand_records = [as_candidate(n, papers[i]) for n, i in enumerate(cands)]
    now = datetime.fromisoformat(day_tasks[0]["day"]).replace(tzinfo=UTC)
    out = []
    for ranked in rank_many(cand_records, profiles, now=now, index=index, cache={}):
        if keep is not None:  # the ranked papers themselves, for reason_precision
            keep.append(ranked)
        scores = [-1e9] * len(cands)
        for rank, s in enumerate(ranked):  # the product's order (scores are rounded)
            scores[s.paper.paper_id] = -rank
        out.append(scores)
    return out


def day_index(day: str, window: list[str], papers: dict, cache: Path | None) -> TextIndex:
    """The TextIndex of the window before `day`, from `cache` when an earlier run fitted it."""
    cached = cache / f"{day}-{INDEX_CODE}.pickle" if cache else None
    if cached and cached.exists():
        return pickle.loads(cached.read_bytes())
    index = build_index([as_candidate(0, papers[i]) for i in window])
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        part = cached.with_suffix(f".{os.getpid()}.part")  # whole or absent to a reader
        part.write_bytes(pickle.dumps(index))
        part.rename(cached)
    return index


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draw", default="frozen", help="frozen (report), dev (tune), or a seed")
    ap.add_argument(
        "--tasks", type=Path, help="a task file in tasks_b.jsonl's format (overrides --draw)"
    )
    ap.add_argument("--no-anchors", action="store_true", help="only our ranker (fast tuning)")
    ap.add_argument(
        "--index-cache",
        type=Path,
        help="keep each day's fitted index here (named by a hash of rank/text.py, so an "
        "index built by older code is never loaded)",
    )
    ap.add_argument(
        "--seeds",
        type=int,
        help="K: the same pairs with K seeds drawn at random from the "
        "target's window papers; ours against lr and asl_svm (the K-seed variants)",
    )
    ap.add_argument("--prefill", help="K,K,...: only compute the K-seed anchors into the cache")
    ap.add_argument("--every", type=int, default=1, help="every Nth test day (while tuning)")
    ap.add_argument("--set", action="append", default=[], help="NAME=VALUE: a ranker constant")
    args = ap.parse_args()
    for item in args.set:  # tuning on the dev draw: e.g. --set query.QUERY_TERMS=800
        name, value = item.split("=")
        module, attr = name.rsplit(".", 1)
        number = int(value) if value.lstrip("-").isdigit() else float(value)
        if module == "weights":
            importlib.import_module("paperround.rank").DEFAULT_WEIGHTS[attr] = float(value)
        else:
            setattr(importlib.import_module(f"paperround.rank.{module}"), attr, number)
    papers, by_day = load_papers()
    days = sorted(by_day)
    if args.tasks:
        tasks = [json.loads(line) for line in args.tasks.read_text().splitlines() if line]
    elif args.draw == "frozen":
        tasks = frozen_tasks()
    else:
        tasks = tuning_tasks(papers, by_day, args.draw)
    if args.prefill:
        return prefill([int(k) for k in args.prefill.split(",")], tasks, papers, by_day, args)
    if args.seeds:
        tasks = with_k_seeds(tasks, papers, by_day, args.seeds)
    by_test_day: dict[str, list[dict]] = {}
    for t in tasks:
        by_test_day.setdefault(t["day"], []).append(t)
    kept = sorted(by_test_day)[:: args.every]
    tasks = [t for t in tasks if t["day"] in kept]
    variants = [("ours", False)] if args.seeds else [("ours", False), ("ours_fb", True)]
    anchors = {} if args.no_anchors else K_SEED_ANCHORS if args.seeds else ANCHORS
    names = [n for n, _ in variants] + list(anchors)
    res: dict[str, list[dict]] = {n: [] for n in names}
    secs: dict[str, float] = dict.fromkeys([*names, "index", "database"], 0.0)
    reasons = ReasonPrecision()
    for day in kept:
        day_tasks = by_test_day[day]
        i = days.index(day)
        window = [pid for d in days[max(0, i - WINDOW_DAYS) : i] for pid in by_day[d]]
        cands = by_day[day]
        got: dict[str, list[list[float]]] = {}
        t0 = time.perf_counter()
        index = day_index(day, window, papers, args.index_cache)
        secs["index"] += time.perf_counter() - t0
        shown: list = []  # ours's ranked lists, for reason_precision
        for name, fb in variants:
            t0 = time.perf_counter()
            keep = shown if name == "ours" else None
            got[name] = ours(day_tasks, cands, index, papers, feedback=fb, keep=keep)
            secs[name] += time.perf_counter() - t0
        got |= anchor_scores(day_tasks, anchors, args.index_cache, secs, window, cands, papers)
        for j, t in enumerate(day_tasks):
            rels = [relevance(papers[c], t["category"]) for c in cands]
            reasons.add(shown[j], rels)
            for name in names:
                res[name].append(evaluate(got[name][j], rels))
    report: dict = {
        "draw": str(args.tasks) if args.tasks else args.draw,
        "set": args.set,
        "seeds": args.seeds or 5,
        "every": args.every,
        "tasks": len(tasks),
        "index_seconds": round(secs["index"]),
        "anchor_database_seconds": round(secs["database"]),
    }
    for name in names:
        report[name] = summary(res[name]) | {"seconds": round(secs[name], 1)}
    report["reason_precision"] = reasons.report()
    if args.seeds:
        print(json.dumps(report | k_seed_pairs(res)))
        print(json.dumps(k_seed_line(args.seeds, res)))
        return
    if not args.no_anchors:
        report["paired_wins_vs_asl_svm"] = paired(res["ours"], res["asl_svm"])
        report["paired_fb_wins_vs_asl_svm"] = paired(res["ours_fb"], res["asl_svm"])
        report["paired_wins_vs_asl_svm_pool"] = paired(res["ours"], res["asl_svm_pool"])
    print(json.dumps(report))


if __name__ == "__main__":
    main()
