"""Ranking quality on arxiv-category-bench: the product's ranker against the anchor recipes.

    .venv/bin/python bench/rank_quality.py                 # the 229 frozen tasks (report)
    .venv/bin/python bench/rank_quality.py --draw dev      # a fresh draw, to tune on
    .venv/bin/python bench/rank_quality.py --tasks F.jsonl # any task file (same format)

Each task: a profile of 5 seed papers of one arXiv category from the previous 60 listing
days; the candidates are every paper of a later day; relevance 2 if the category is the
paper's primary, 1 if a cross-list. Categories are the label, so no ranker sees them: the
candidates and seeds are built without. Variants:
  ours            paperround.rank.rank_many, seeds only, with the TextIndex fitted on the
                  60 listing days before the test day (what the store would hold);
  ours_fb         the same profile plus the task's 10 neg_ids as thumbs-down ("B+fb");
  tfidf_centroid  TfidfVectorizer (1-2 grams, sublinear) fitted on candidates + seeds,
                  cosine to the mean seed vector;
  asl_svm         arxiv-sanity-lite: TfidfVectorizer(20k 1-2 grams, sublinear, min_df 5,
                  max_df 0.1) and LinearSVC(C=0.01, balanced), both fitted per profile on
                  the candidates + seeds, seeds positive and every other paper negative;
  lr_fb           logistic regression on the same tf-idf, seeds vs neg_ids (B+fb anchor).
Metrics per task, then averaged: nDCG@10 (gain 2^rel - 1), P@10, AUC (relevant = rel > 0).
Candidates the ranker leaves out (no signal) share the lowest score. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import pickle
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from rank_tasks import evaluate, frozen_tasks, load_papers, relevance, tuning_tasks  # noqa: E402

from models.records import Candidate, ProfileSpec, SeedPaper  # noqa: E402
from paperround.rank import build_index, rank_many  # noqa: E402

WINDOW_DAYS = 60
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


def text(p: dict) -> str:
    return f"{p['title']}. {p['abstract']}"


def ours(day_tasks, cands, index, papers, *, feedback: bool) -> list[list[float]]:
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
        scores = [-1e9] * len(cands)
        for rank, s in enumerate(ranked):  # the product's order (scores are rounded)
            scores[s.paper.paper_id] = -rank
        out.append(scores)
    return out


def tfidf_centroid(task, cands, papers) -> list[float]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [text(papers[i]) for i in cands] + [text(papers[i]) for i in task["seed_ids"]]
    m = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words="english").fit_transform(
        docs
    )
    q = np.asarray(m[len(cands) :].mean(axis=0)).ravel()
    return list(map(float, m[: len(cands)] @ q))


def _asl_matrix(ids: list[str], papers):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(
        max_features=20000, ngram_range=(1, 2), sublinear_tf=True, min_df=5, max_df=0.1,
        stop_words="english", dtype=np.float32,
    )  # fmt: skip
    return vec.fit_transform([text(papers[i]) for i in ids])


def asl_svm(seed_ids: list[str], cands: list[str], papers) -> list[float]:
    """arxiv-sanity-lite's recipe, one fit per profile: tf-idf on candidates + seeds, then a
    LinearSVC with the seeds positive and every other paper negative."""
    from sklearn.svm import LinearSVC

    x = _asl_matrix(list(cands) + list(seed_ids), papers)
    y = np.r_[np.zeros(len(cands)), np.ones(len(seed_ids))]
    clf = LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=0.01).fit(x, y)
    return list(map(float, clf.decision_function(x[: len(cands)])))


def lr_fb(task, cands, papers) -> list[float]:
    """Logistic regression on tf-idf (fitted on candidates + labels), seeds vs neg_ids."""
    from sklearn.linear_model import LogisticRegression

    labelled = task["seed_ids"] + task["neg_ids"]
    x = _asl_matrix(list(cands) + labelled, papers)
    y = [1] * len(task["seed_ids"]) + [0] * len(task["neg_ids"])
    clf = LogisticRegression(C=10.0, max_iter=1000).fit(x[len(cands) :], y)
    return list(map(float, clf.decision_function(x[: len(cands)])))


def summary(results: list[dict]) -> dict[str, float]:
    out = {k: round(float(np.mean([r[k] for r in results])), 4) for k in results[0]}
    sd = float(np.std([r["ndcg10"] for r in results]))
    out["ndcg10_ci95"] = round(1.96 * sd / np.sqrt(len(results)), 4)
    return out


def paired(a: list[dict], b: list[dict]) -> dict[str, float]:
    """Per-task nDCG@10 of `a` against `b`: wins/ties/losses and the mean difference with
    its standard error (tasks share days and categories, so read it as a rough guide)."""
    diff = np.array([x["ndcg10"] - y["ndcg10"] for x, y in zip(a, b, strict=True)])
    wins, losses = int((diff > 1e-9).sum()), int((diff < -1e-9).sum())
    se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0
    return {
        "wins": wins,
        "ties": len(diff) - wins - losses,
        "losses": losses,
        "mean_delta": round(float(diff.mean()), 4),
        "se": round(se, 4),
    }


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
    by_test_day: dict[str, list[dict]] = {}
    for t in tasks:
        by_test_day.setdefault(t["day"], []).append(t)
    names = ["ours", "ours_fb"] + (
        [] if args.no_anchors else ["tfidf_centroid", "asl_svm", "lr_fb"]
    )
    res: dict[str, list[dict]] = {n: [] for n in names}
    secs: dict[str, float] = dict.fromkeys([*names, "index"], 0.0)
    for day, day_tasks in sorted(by_test_day.items()):
        i = days.index(day)
        window = [pid for d in days[max(0, i - WINDOW_DAYS) : i] for pid in by_day[d]]
        cands = by_day[day]
        got: dict[str, list[list[float]]] = {}
        t0 = time.perf_counter()
        cached = args.index_cache / f"{day}-{INDEX_CODE}.pickle" if args.index_cache else None
        if cached and cached.exists():
            index = pickle.loads(cached.read_bytes())
        else:
            index = build_index([as_candidate(0, papers[i]) for i in window])
            if cached:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_bytes(pickle.dumps(index))
        secs["index"] += time.perf_counter() - t0
        for name, fb in (("ours", False), ("ours_fb", True)):
            t0 = time.perf_counter()
            got[name] = ours(day_tasks, cands, index, papers, feedback=fb)
            secs[name] += time.perf_counter() - t0
        if not args.no_anchors:
            t0 = time.perf_counter()
            got["tfidf_centroid"] = [tfidf_centroid(t, cands, papers) for t in day_tasks]
            secs["tfidf_centroid"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            got["asl_svm"] = [asl_svm(t["seed_ids"], cands, papers) for t in day_tasks]
            secs["asl_svm"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            got["lr_fb"] = [lr_fb(t, cands, papers) for t in day_tasks]
            secs["lr_fb"] += time.perf_counter() - t0
        for j, t in enumerate(day_tasks):
            rels = [relevance(papers[c], t["category"]) for c in cands]
            for name in names:
                res[name].append(evaluate(got[name][j], rels))
    report: dict = {
        "draw": str(args.tasks) if args.tasks else args.draw,
        "set": args.set,
        "tasks": len(tasks),
        "index_seconds": round(secs["index"]),
    }
    for name in names:
        report[name] = summary(res[name]) | {"seconds": round(secs[name], 1)}
    if not args.no_anchors:
        report["paired_wins_vs_asl_svm"] = paired(res["ours"], res["asl_svm"])
        report["paired_fb_wins_vs_asl_svm"] = paired(res["ours_fb"], res["asl_svm"])
    print(json.dumps(report))


if __name__ == "__main__":
    main()
