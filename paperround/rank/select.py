"""The last step of ranking: near-duplicate titles collapsed, optional MMR diversity, the cut.

Why here and not in the scorer: both look at the papers already picked, so they run on
the short list (a few times max_items), not on every candidate.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

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


def near_duplicate_pairs(titles: Sequence[frozenset[str]]) -> dict[int, set[int]]:
    """Row -> the other rows whose titles are near duplicates of its own, all at once.

    Why once per run: checking each profile's short list pair by pair cost 0.4 s for a
    thousand profiles. Prefix filtering finds every pair: with the words of each title in
    one global order (rarest first), two titles with Jaccard >= TITLE_OVERLAP share a word
    among the first len - ceil(TITLE_OVERLAP * len) + 1 of either; those few pairs are then
    checked with near_duplicate itself.
    """
    df = Counter(w for t in titles for w in t)
    seen: dict[str, list[int]] = {}
    out: dict[int, set[int]] = {}
    empty = [i for i, t in enumerate(titles) if not t]
    for i, t in enumerate(titles):
        if not t:
            continue
        order = sorted(t, key=lambda w: (df[w], w))
        keep = len(order) - math.ceil(TITLE_OVERLAP * len(order) - 1e-9) + 2  # one to spare
        tried: set[int] = set()
        for w in order[:keep]:
            for j in seen.get(w, ()):
                if j not in tried:
                    tried.add(j)
                    if near_duplicate(t, titles[j]):
                        out.setdefault(i, set()).add(j)
                        out.setdefault(j, set()).add(i)
            seen.setdefault(w, []).append(i)
    for i in empty:
        out[i] = set(empty) - {i}
    return out


def collapse_and_cut(
    scored: Sequence[ScoredPaper], signals, *, max_items: int, diversity: float = 0.0
) -> list[ScoredPaper]:
    """Best first without near-duplicates; with diversity > 0, maximal marginal relevance.

    MMR picks, at each step, the paper maximising score - diversity * (its largest cosine
    to a paper already picked), so five versions of one idea do not fill a digest.
    """
    kept: list[ScoredPaper] = []
    taken: set[int] = set()
    dups = signals.near_duplicates
    for s in scored:
        i = signals.position[s.paper.key]
        if taken.isdisjoint(dups.get(i, ())):
            kept.append(s)
            taken.add(i)
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
