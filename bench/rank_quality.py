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
from reason_precision import ReasonPrecision  # noqa: E402

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


ASL_VECTORISER = dict(
    max_features=20000, ngram_range=(1, 2), sublinear_tf=True, min_df=5, max_df=0.1,
    stop_words="english", dtype=np.float32,
)  # fmt: skip
CENTROID_VECTORISER = dict(
    ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=2, dtype=np.float32
)


class Database:
    """One test day as arxiv-sanity-lite would hold it: the window's papers and the day's,
    with its tf-idf fitted once over all of them (not per profile)."""

    def __init__(self, window: list[str], cands: list[str], papers: dict) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        ids = [*window, *cands]
        texts = [text(papers[i]) for i in ids]
        self.cands, self.papers = cands, papers
        self.row = {pid: n for n, pid in enumerate(ids)}
        self.cand_rows = np.arange(len(window), len(ids))
        self.asl = TfidfVectorizer(**ASL_VECTORISER).fit_transform(texts)
        self.tfidf = TfidfVectorizer(**CENTROID_VECTORISER).fit_transform(texts)

    def rows(self, ids: list[str]) -> list[int]:
        return [self.row[i] for i in ids]


def tfidf_centroid(task: dict, db: Database) -> list[float]:
    q = np.asarray(db.tfidf[db.rows(task["seed_ids"])].mean(axis=0)).ravel()
    return list(map(float, db.tfidf[db.cand_rows] @ q))


def asl_svm(task: dict, db: Database) -> list[float]:
    """arxiv-sanity-lite's recipe: one LinearSVC per profile over the whole database."""
    from sklearn.svm import LinearSVC

    y = np.zeros(db.asl.shape[0])
    y[db.rows(task["seed_ids"])] = 1
    clf = LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=0.01).fit(db.asl, y)
    return list(map(float, clf.decision_function(db.asl[db.cand_rows])))


def lr_fb(task: dict, db: Database) -> list[float]:
    """Logistic regression on the database's tf-idf, seeds vs neg_ids."""
    from sklearn.linear_model import LogisticRegression

    x = db.asl[db.rows(task["seed_ids"] + task["neg_ids"])]
    y = [1] * len(task["seed_ids"]) + [0] * len(task["neg_ids"])
    clf = LogisticRegression(C=10.0, max_iter=1000).fit(x, y)
    return list(map(float, clf.decision_function(db.asl[db.cand_rows])))


def tfidf_centroid_pool(task: dict, db: Database) -> list[float]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    cands, papers = db.cands, db.papers

    docs = [text(papers[i]) for i in cands] + [text(papers[i]) for i in task["seed_ids"]]
    m = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words="english").fit_transform(
        docs
    )
    q = np.asarray(m[len(cands) :].mean(axis=0)).ravel()
    return list(map(float, m[: len(cands)] @ q))


def asl_svm_pool(task: dict, db: Database) -> list[float]:
    """The same SVM with the tf-idf fitted per profile on the candidates + seeds only."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    cands, papers, seed_ids = db.cands, db.papers, task["seed_ids"]
    ids = list(cands) + list(seed_ids)
    x = TfidfVectorizer(**ASL_VECTORISER).fit_transform([text(papers[i]) for i in ids])
    y = np.r_[np.zeros(len(cands)), np.ones(len(seed_ids))]
    clf = LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=0.01).fit(x, y)
    return list(map(float, clf.decision_function(x[: len(cands)])))


ANCHORS = {
    "tfidf_centroid": tfidf_centroid,
    "asl_svm": asl_svm,
    "lr_fb": lr_fb,
    "tfidf_centroid_pool": tfidf_centroid_pool,
    "asl_svm_pool": asl_svm_pool,
}


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
    names = ["ours", "ours_fb"] + ([] if args.no_anchors else list(ANCHORS))
    res: dict[str, list[dict]] = {n: [] for n in names}
    secs: dict[str, float] = dict.fromkeys([*names, "index", "database"], 0.0)
    reasons = ReasonPrecision()
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
        kept: list = []
        for name, fb in (("ours", False), ("ours_fb", True)):
            t0 = time.perf_counter()
            keep = kept if name == "ours" else None
            got[name] = ours(day_tasks, cands, index, papers, feedback=fb, keep=keep)
            secs[name] += time.perf_counter() - t0
        if not args.no_anchors:
            t0 = time.perf_counter()
            db = Database(window, cands, papers)
            secs["database"] += time.perf_counter() - t0
            for name, run in ANCHORS.items():
                t0 = time.perf_counter()
                got[name] = [run(t, db) for t in day_tasks]
                secs[name] += time.perf_counter() - t0
        for j, t in enumerate(day_tasks):
            rels = [relevance(papers[c], t["category"]) for c in cands]
            reasons.add(kept[j], rels)
            for name in names:
                res[name].append(evaluate(got[name][j], rels))
    report: dict = {
        "draw": str(args.tasks) if args.tasks else args.draw,
        "set": args.set,
        "tasks": len(tasks),
        "index_seconds": round(secs["index"]),
        "anchor_database_seconds": round(secs["database"]),
    }
    for name in names:
        report[name] = summary(res[name]) | {"seconds": round(secs[name], 1)}
    report["reason_precision"] = reasons.report()
    if not args.no_anchors:
        report["paired_wins_vs_asl_svm"] = paired(res["ours"], res["asl_svm"])
        report["paired_fb_wins_vs_asl_svm"] = paired(res["ours_fb"], res["asl_svm"])
        report["paired_wins_vs_asl_svm_pool"] = paired(res["ours"], res["asl_svm_pool"])
    print(json.dumps(report))


if __name__ == "__main__":
    main()
