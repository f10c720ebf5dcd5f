"""The simulated reader: does the ranker learn from a reader's clicks, day after day?

    nice -n 5 .venv/bin/python bench/rank_loop.py --index-cache /work/cache/loopidx
    nice -n 5 .venv/bin/python bench/rank_loop.py --tasks-limit 20 --no-plot   # quick look
    nice -n 5 .venv/bin/python bench/rank_loop.py --weight feedback=0.6        # an experiment

Each task of arxiv-category-bench (the public 229 by default) becomes a reader of its
category for 5 listing days: the task's day, then the next 4 listing days of the test period
(to 2025-07-31) on which at least 3 papers carry the category, as a task day must (days
between are skipped: the reader would have nothing to like; 161 of the 229 tasks have 5).
Day 1 ranks from the 5 seeds. The reader sees the top 10 of our ranking and clicks like on
each relevant paper (the category primary or cross-listed) and dislike on the others, through
`set_feedback` into a temporary SQLite store (loop_reader.py); each next day's profile is read
back from the store, so it ranks with all clicks so far. Per day, nDCG@10 (gain 2^rel - 1) of:
  ours                paperround.rank.rank_many on the profile read back from the store, with
                      the day's TextIndex fitted on the 60 listing days before it;
  seeds_only          the same ranker, the same day, without the clicks;
  asl_svm             arxiv-sanity-lite's tag SVM (bench/rank_quality.py's recipe: tf-idf over
                      the database, LinearSVC C=0.01 balanced), seeds + likes positive, every
                      other database paper negative, retrained each day on the same clicks;
  asl_svm_seeds_only  that SVM without the clicks (its own baseline for what clicks add),
                      fitted on the first and last day only (null on the others).
The database of a day is its 60-day window, the day's papers, and the readers' seeds and
clicked papers that fell out of the window. Costs are ranking seconds per profile and day.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from loop_reader import ReaderStore  # noqa: E402
from loop_report import plot, report, table  # noqa: E402
from rank_quality import (  # noqa: E402
    ASL_VECTORISER,
    WINDOW_DAYS,
    Database,
    as_candidate,
    asl_svm,
    day_index,
)
from rank_tasks import evaluate, frozen_tasks, load_papers, relevance, tuning_tasks  # noqa: E402

from models.records import ProfileSpec  # noqa: E402
from paperround.rank import rank_many  # noqa: E402

DAYS = 5
SHOWN = 10  # a digest's length: what the reader sees and clicks
LAST_DAY = "2025-07-31"  # the end of the test period (tasks_b's construction)
MIN_RELEVANT = 3  # a task day needs >= 3 papers of the category; so does a loop day
SYSTEMS = ("ours", "seeds_only", "asl_svm", "asl_svm_seeds_only")


def loop_days(task: dict, by_day: dict[str, list[str]], papers: dict, days: list[str]) -> list:
    """The task's day and the next DAYS - 1 qualifying listing days, or [] if too few."""
    cat, i = task["category"], days.index(task["day"])
    out = [task["day"]]
    for day in days[i + 1 :]:
        if len(out) == DAYS or day > LAST_DAY:
            break
        if sum(1 for pid in by_day[day] if relevance(papers[pid], cat)) >= MIN_RELEVANT:
            out.append(day)
    return out if len(out) == DAYS else []


class SvmDatabase(Database):
    """rank_quality's Database without its second (centroid) tf-idf, which asl_svm does not
    read; `ids` are the window's papers plus any seed or clicked paper not in it."""

    def __init__(self, ids: list[str], cands: list[str], papers: dict) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        ids = [*ids, *cands]
        self.cands, self.papers = cands, papers
        self.row = {pid: n for n, pid in enumerate(ids)}
        self.cand_rows = np.arange(len(ids) - len(cands), len(ids))
        texts = [f"{papers[i]['title']}. {papers[i]['abstract']}" for i in ids]
        self.asl = TfidfVectorizer(**ASL_VECTORISER).fit_transform(texts)


def product_order(ranked, n: int) -> list[float]:
    """Scores from the product's order (its scores are rounded), unranked papers last."""
    scores = [-1e9] * n
    for rank, s in enumerate(ranked):
        scores[s.paper.paper_id] = -rank
    return scores


def seeds_only(spec: ProfileSpec) -> ProfileSpec:
    return replace(spec, liked=(), disliked=())


def select_tasks(args, papers, by_day) -> list[dict]:
    if args.tasks:
        tasks = [json.loads(line) for line in args.tasks.read_text().splitlines() if line]
    elif args.draw == "frozen":
        tasks = frozen_tasks()
    else:
        tasks = tuning_tasks(papers, by_day, args.draw)
    days = sorted(by_day)
    looped = [t | {"days": d} for t in tasks if (d := loop_days(t, by_day, papers, days))]
    if args.tasks_limit and args.tasks_limit < len(looped):  # spread over days and categories
        picks = np.linspace(0, len(looped) - 1, args.tasks_limit).round().astype(int)
        looped = [looped[i] for i in sorted(set(picks.tolist()))]
    return looped


def reader_name(task: dict) -> str:
    return f"{task['category']}-{task['day']}"


def simulate(
    tasks: list[dict],
    papers: dict,
    by_day: dict[str, list[str]],
    store: ReaderStore,
    *,
    clicks: str = "both",
    svm: bool = True,
    index_cache: Path | None = None,
) -> tuple[dict[str, list[dict[int, dict]]], dict[str, float], int]:
    """Every task's reader through its days (task["days"]), listing day by listing day.

    Returns (per system, per reader's day: task number -> evaluation; seconds by part;
    profile-days ranked). The readers must be in `store` already (reader_name)."""
    days = sorted(by_day)
    res: dict[str, list[dict[int, dict]]] = {s: [{} for _ in range(DAYS)] for s in SYSTEMS}
    secs: dict[str, float] = dict.fromkeys([*SYSTEMS, "index", "database", "store", "clicks"], 0.0)
    profile_days = 0
    for day in sorted({d for t in tasks for d in t["days"]}):
        active = [(n, t, t["days"].index(day)) for n, t in enumerate(tasks) if day in t["days"]]
        i = days.index(day)
        window = [pid for d in days[max(0, i - WINDOW_DAYS) : i] for pid in by_day[d]]
        cands = by_day[day]
        rels = {n: [relevance(papers[c], t["category"]) for c in cands] for n, t, _ in active}
        t0 = time.perf_counter()
        index = day_index(day, window, papers, index_cache)
        secs["index"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        store.add_listing(day, (papers[c] for c in cands))
        specs = [
            replace(store.spec(reader_name(t)), max_items=len(cands), min_score=float("-inf"))
            for _, t, _ in active
        ]
        secs["store"] += time.perf_counter() - t0
        profile_days += len(active)
        records = [as_candidate(n, papers[c]) for n, c in enumerate(cands)]
        now = datetime.fromisoformat(day).replace(tzinfo=UTC)
        ranked: dict[str, list] = {}
        for system, profiles in (("ours", specs), ("seeds_only", [seeds_only(s) for s in specs])):
            t0 = time.perf_counter()  # a fresh cache: the day's papers vectorised in the time
            ranked[system] = rank_many(records, profiles, now=now, index=index, cache={})
            secs[system] += time.perf_counter() - t0
        for system in ranked:
            for (n, _, step), got in zip(active, ranked[system], strict=True):
                res[system][step][n] = evaluate(product_order(got, len(cands)), rels[n])
        if svm:
            pairs = zip(active, specs, strict=True)
            liked = {n: [p.key for p in spec.liked] for (n, _, _), spec in pairs}
            svm_day(active, window, cands, papers, liked, rels, res, secs)
        t0 = time.perf_counter()
        for (_, t, _), got in zip(active, ranked["ours"], strict=True):
            for s in got[:SHOWN]:  # the digest the reader sees
                good = relevance(papers[s.paper.key], t["category"]) > 0
                if good or clicks == "both":
                    store.click(reader_name(t), s.paper.key, 1 if good else -1)
        secs["clicks"] += time.perf_counter() - t0
        print(f"{day}: {len(active)} readers, {len(cands)} papers", file=sys.stderr)
    return res, secs, profile_days


def run(args) -> dict:
    papers, by_day = load_papers()
    tasks = select_tasks(args, papers, by_day)
    weights = dict(args.weight)
    store = ReaderStore()
    try:
        for t in tasks:
            store.add_reader(reader_name(t), (papers[i] for i in t["seed_ids"]), weights=weights)
        res, secs, profile_days = simulate(
            tasks,
            papers,
            by_day,
            store,
            clicks=args.clicks,
            svm=not args.no_svm,
            index_cache=args.index_cache,
        )
    finally:
        store.close()
    per_task = {
        s: [[d[n] for n in range(len(tasks))] if d else None for d in res[s]]
        for s in SYSTEMS
        if res[s][0]
    }
    return report(per_task, secs, profile_days, tasks=len(tasks), weights=weights, args=args)


def svm_day(active, window, cands, papers, liked, rels, res, secs) -> None:
    """asl_svm with and without the reader's likes (read back from the store), each reader's
    SVM over the day's database."""
    t0 = time.perf_counter()
    held = set(window)
    extra = {p for n, t, _ in active for p in (*t["seed_ids"], *liked[n]) if p not in held}
    db = SvmDatabase([*window, *sorted(extra)], cands, papers)
    secs["database"] += time.perf_counter() - t0
    for n, t, step in active:
        for system, positives in (
            ("asl_svm", [*t["seed_ids"], *liked[n]]),
            ("asl_svm_seeds_only", t["seed_ids"]),
        ):
            if system == "asl_svm_seeds_only" and step == 0:  # no clicks yet: the same fit
                res[system][0][n] = res["asl_svm"][0][n]
                continue
            if system == "asl_svm_seeds_only" and step < DAYS - 1:
                continue  # its baseline is read on the last day only: a third of the fits
            t0 = time.perf_counter()
            scores = asl_svm({"seed_ids": positives}, db)
            secs[system] += time.perf_counter() - t0
            res[system][step][n] = evaluate(scores, rels[n])


def weight(item: str) -> tuple[str, float]:
    name, _, value = item.partition("=")
    return name, float(value)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draw", default="frozen", help="frozen (public tasks), dev, or a seed")
    ap.add_argument("--tasks", type=Path, help="a task file in tasks_b.jsonl's format")
    ap.add_argument("--tasks-limit", type=int, help="N tasks spread evenly (quick runs)")
    ap.add_argument("--index-cache", type=Path, help="keep each day's fitted index here")
    ap.add_argument(
        "--weight",
        type=weight,
        action="append",
        default=[],
        help="NAME=VALUE stored in each profile's weights (e.g. feedback=0.6)",
    )
    ap.add_argument(
        "--clicks", choices=("both", "likes"), default="both", help="likes: never dislike"
    )
    ap.add_argument(
        "--set",
        type=weight,
        action="append",
        default=[],
        help="module.NAME=VALUE: a ranker constant for this run (e.g. feedback.LATENT_RIDGE=1)",
    )
    ap.add_argument("--no-svm", action="store_true", help="skip arxiv-sanity-lite's SVM")
    ap.add_argument("--plot", type=Path, default=REPO / "docs/rank-loop.png")
    ap.add_argument("--no-plot", action="store_true")
    args = ap.parse_args()
    for name, value in args.set:  # experiments without editing the ranker, as rank_quality
        module, attr = name.rsplit(".", 1)
        target = importlib.import_module(f"paperround.rank.{module}")
        setattr(target, attr, type(getattr(target, attr))(value))
    out = run(args)
    print(table(out))
    if not args.no_plot:
        try:
            plot(out, args.plot)
        except ImportError as exc:  # a venv without the dev extra: the figures still print
            print(f"no plot: {exc} (make install puts matplotlib in .venv)", file=sys.stderr)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
