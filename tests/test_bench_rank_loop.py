"""bench/rank_loop.py, the simulated reader, on a hand-built corpus of ten listing days.

What is tested is the bench's own logic: which days a reader lives, and that the reader's
clicks go through the product's store (set_feedback) and come back in the next day's profile.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from loop_reader import ReaderStore
from rank_loop import DAYS, SHOWN, loop_days, reader_name, simulate

from models.errors import NotFoundError

DAYS_LISTED = [
    "2025-07-21",
    "2025-07-22",
    "2025-07-23",
    "2025-07-24",  # two papers carry the category: not a reader's day
    "2025-07-25",
    "2025-07-28",
    "2025-07-29",
    "2025-07-30",
    "2025-07-31",
    "2025-08-01",  # after the test period
]
TARGET = "math.XX"
TOPICS = {
    TARGET: "kernel operator spectrum hilbert space eigenvalue bound",
    "cs.CV": "image segmentation pixel camera detection scene",
    "cs.CL": "language translation token corpus sentence parser",
    "cs.RO": "robot grasp manipulation arm trajectory planning",
}


def corpus() -> tuple[dict[str, dict], dict[str, list[str]]]:
    papers: dict[str, dict] = {}
    by_day: dict[str, list[str]] = {}
    n = 0
    for d, day in enumerate(DAYS_LISTED):
        by_day[day] = []
        # one paper a day is cross-listed into the target: relevant too (relevance 1)
        plan = [[TARGET]] * (1 if day == "2025-07-24" else 4) + [["cs.RO", TARGET]]
        plan += [["cs.CV"], ["cs.CL"], ["cs.RO"]] * 3
        for i, cats in enumerate(plan):
            n += 1
            words = TOPICS[cats[0]].split()
            text = " ".join(words[(i + j + d) % len(words)] for j in range(5))
            pid = f"2507.{n:05d}"
            papers[pid] = {
                "id": pid,
                "date": day,
                "title": f"{cats[0]} study {n}: {text}",
                "abstract": f"We study {text}. Results on {words[d % len(words)]} follow.",
                "authors": [f"Author {n}"],
                "categories": cats,
            }
            by_day[day].append(pid)
    return papers, by_day


def task_on(day: str, papers, by_day) -> dict:
    seeds = [p for d in DAYS_LISTED[:2] for p in by_day[d] if papers[p]["categories"][0] == TARGET]
    return {"category": TARGET, "day": day, "seed_ids": seeds[:5], "neg_ids": []}


def test_a_reader_lives_the_qualifying_days_of_the_test_period():
    papers, by_day = corpus()
    days = sorted(by_day)
    got = loop_days(task_on("2025-07-23", papers, by_day), by_day, papers, days)
    assert got == ["2025-07-23", "2025-07-25", "2025-07-28", "2025-07-29", "2025-07-30"]
    # from the 28th only four days are left before the test period ends: no reader
    assert loop_days(task_on("2025-07-28", papers, by_day), by_day, papers, days) == []


@pytest.mark.parametrize("clicks", ["both", "likes"])
def test_clicks_on_the_top_ten_reach_the_next_days_profile_through_the_store(tmp_path, clicks):
    papers, by_day = corpus()
    task = task_on("2025-07-23", papers, by_day)
    task["days"] = loop_days(task, by_day, papers, sorted(by_day))
    store = ReaderStore(tmp_path)
    try:
        store.add_reader(reader_name(task), (papers[p] for p in task["seed_ids"]), weights={})
        res, _, profile_days = simulate([task], papers, by_day, store, clicks=clicks, svm=False)
        spec = store.spec(reader_name(task))
        with pytest.raises(NotFoundError):  # the store holds what was listed, nothing else
            store.click(reader_name(task), "2599.99999", 1)
    finally:
        store.close()
    assert profile_days == DAYS
    assert [len(res["ours"][d]) for d in range(DAYS)] == [1] * DAYS
    liked = {p.key for p in spec.liked}
    disliked = {p.key for p in spec.disliked}
    assert liked and all(TARGET in papers[k]["categories"] for k in liked)
    assert all(TARGET not in papers[k]["categories"] for k in disliked)
    if clicks == "both":
        assert len(liked) + len(disliked) == DAYS * SHOWN  # every shown paper clicked once
    else:
        assert not disliked
    # the store gave back the listing's text, not the label
    assert {p.title for p in spec.liked} == {papers[k]["title"] for k in liked}
