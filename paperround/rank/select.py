"""The last step of ranking: near-duplicate titles collapsed, optional MMR diversity, the cut.

Why here and not in the scorer: both look at the papers already picked, so they run on
the short list (a few times max_items), not on every candidate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from models.records import ScoredPaper
from paperround.rank.names import fold

TITLE_OVERLAP = 0.8  # Jaccard of title words above which two titles are one paper


def title_words(title: str) -> frozenset[str]:
    return frozenset(re.sub(r"[^a-z0-9]+", " ", fold(title)).split())


def near_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    """Same words, or nearly: "Grokking, revisited" and "Grokking Revisited" are one paper."""
    if not a or not b:
        return a == b
    small, large = (len(a), len(b)) if len(a) <= len(b) else (len(b), len(a))
    if small < TITLE_OVERLAP * large:  # Jaccard <= small / large: most pairs stop here
        return False
    common = len(a & b)
    return common >= TITLE_OVERLAP * (small + large - common)


def collapse_and_cut(
    scored: Iterable[ScoredPaper], signals, *, max_items: int, diversity: float = 0.0
) -> list[ScoredPaper]:
    """Best first without near-duplicates; with diversity > 0, maximal marginal relevance.

    `scored` is best first and may be lazy: without diversity it is read only until
    max_items distinct titles are found. MMR picks, at each step, the paper maximising
    score - diversity * (its largest cosine to a paper already picked), so five versions of
    one idea do not fill a digest.
    """
    kept: list[ScoredPaper] = []
    words: list[frozenset[str]] = []
    known = signals.title_words
    for s in scored:  # a short list: a few dozen cheap set tests per profile
        w = known.get(s.paper.paper_id)
        if w is None:
            w = known[s.paper.paper_id] = title_words(s.paper.title)
        for o in words:
            if near_duplicate(w, o):
                break
        else:
            kept.append(s)
            words.append(w)
            if diversity <= 0 and len(kept) == max_items:
                break
    if diversity <= 0 or len(kept) <= 1:
        return kept[:max_items]
    rows = signals.vectors[[signals.position[s.paper.key] for s in kept]]
    sims = np.asarray((rows @ rows.T).todense())
    scores = np.array([s.score for s in kept])
    chosen: list[int] = []
    left = list(range(len(kept)))
    while left and len(chosen) < max_items:
        penalty = sims[np.ix_(left, chosen)].max(axis=1) if chosen else np.zeros(len(left))
        best = left[int(np.argmax(scores[left] - diversity * penalty))]
        chosen.append(best)
        left.remove(best)
    return [kept[i] for i in chosen]
