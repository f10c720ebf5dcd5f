"""reason_precision: is a paper shown "close to your seed" more often relevant than one not?

Over the tasks' top 10 papers (the `ours` ranker, seeds only): the share of relevant papers
(primary or cross-list in the task's category) among those whose reasons say "close to
your seed" or "very close to your seed", against the share among the same top-10 papers
without that reason. Before reasons had to earn their place every card said "close to your
seed paper ..." (at any cosine), so `every_top10` is the share the reason used to promise.
Used by rank_quality.py; the figure lands in its JSON line under "reason_precision".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from models.records import ScoredPaper

TOP = 10
SEED_REASON = re.compile(r"^(very )?close to your seed ")


def _share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


class ReasonPrecision:
    """Tallies, task by task, the relevance of top-10 papers with and without the reason."""

    def __init__(self) -> None:
        self.shown: list[bool] = []  # relevance of each top-10 paper that had the reason
        self.not_shown: list[bool] = []
        self.very: list[bool] = []
        self.per_task: list[tuple[float, float]] = []  # (with, without) where both exist

    def add(self, ranked: Sequence[ScoredPaper], rels: Sequence[int]) -> None:
        """One task: its ranked papers (paper_id = the candidate's position in `rels`)."""
        got: dict[bool, list[bool]] = {True: [], False: []}
        for s in ranked[:TOP]:
            relevant = rels[s.paper.paper_id] > 0
            seed = [r for r in s.reasons if SEED_REASON.match(r)]
            got[bool(seed)].append(relevant)
            if seed and seed[0].startswith("very "):
                self.very.append(relevant)
        self.shown += got[True]
        self.not_shown += got[False]
        if got[True] and got[False]:
            self.per_task.append(
                (sum(got[True]) / len(got[True]), sum(got[False]) / len(got[False]))
            )

    def report(self) -> dict:
        pairs = self.per_task
        return {
            "with_reason": _share(self.shown),
            "without_reason": _share(self.not_shown),
            "shown": len(self.shown),
            "not_shown": len(self.not_shown),
            "very_close": _share(self.very),
            "very_close_shown": len(self.very),
            "every_top10": _share(self.shown + self.not_shown),  # before: always shown
            "tasks_with_both": len(pairs),
            "tasks_with_both_mean": [
                round(sum(w for w, _ in pairs) / len(pairs), 4) if pairs else None,
                round(sum(o for _, o in pairs) / len(pairs), 4) if pairs else None,
            ],
        }
