"""The day's candidates as the reasons see them: what "set apart from the others" means.

Per run (one day's candidates, every profile): how many papers carry each category, and
where a paper stands among the day's papers nearest a seed or a liked paper. Closeness is
the cosine in the index's latent space (tf-idf in a store too young for one); the cut for
"among the top 2% nearest this seed" is taken on a sample of the day (a quantile needs no
sort of every candidate), for every profile's seeds and likes in one product.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import MutableMapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

from models.records import SeedPaper
from paperround.rank.signals import PaperSignals
from paperround.rank.terms import Words
from paperround.rank.text import unit_rows

SAMPLE = 1024  # candidates the cuts are taken on


def top_cut(values: np.ndarray, share: float) -> float:
    """The smallest value inside the top `share` of `values` (at least the best one)."""
    k = max(1, math.floor(share * len(values)))
    return float(np.partition(values, len(values) - k)[len(values) - k])


class Day:
    """What "the day's other candidates" look like, once per run: each category's share of
    them, their upvotes, each paper's words, and the cuts that place a paper among the
    papers nearest a seed or a liked paper (`shares`: the top shares asked for)."""

    def __init__(self, signals: PaperSignals, shares: Sequence[float]) -> None:
        self.signals = signals
        self.shares = tuple(shares)
        n = len(signals.candidates)
        self.n = n
        step = max(1, math.ceil(n / SAMPLE))
        self.sample = np.argsort(signals.key_order)[::step]  # every step-th, in key order
        self._words: dict[int, Words] = {}
        self._ref_at: dict[str, tuple[np.ndarray | sp.csr_matrix, np.ndarray]] = {}
        self.space = "latent" if signals.index.latent_dims else "tfidf"
        self.upvotes = np.array([c.upvotes or 0 for c in signals.candidates], np.float64)

    def words(self, i: int) -> Words:
        """Candidate i's abstract and title as words, read once per run."""
        if i not in self._words:
            c = self.signals.candidates[i]
            self._words[i] = Words(c.abstract, c.title)
        return self._words[i]

    @cached_property
    def sample_rows(self) -> np.ndarray | sp.csr_matrix:
        return self.rows(self.sample)

    @cached_property
    def category_share(self) -> dict[str, float]:
        seen = Counter(cat for c in self.signals.candidates for cat in set(c.categories))
        return {cat: k / self.n for cat, k in seen.items()}

    def rows(self, rows: Sequence[int] | np.ndarray) -> np.ndarray | sp.csr_matrix:
        s = self.signals
        return s.latent[rows] if s.index.latent_dims else s.vectors[rows]

    def prepare(self, papers: Sequence[SeedPaper]) -> None:
        """Vectors and closeness cuts of seeds and likes not yet seen today, all at once."""
        new = list({p.key: p for p in papers if p.key not in self._ref_at}.values())
        if not new:
            return
        s = self.signals
        vecs = unit_rows(s.paper_latent(new)) if s.index.latent_dims else s.paper_vectors(new)
        sims = _dense(self.sample_rows @ vecs.T)
        size = len(sims)
        places = [size - max(1, math.ceil(q * size)) for q in self.shares]
        cuts = _order_stats(sims, places) if size else np.zeros((len(self.shares), len(new)))
        for n, p in enumerate(new):
            self._ref_at[p.key] = (vecs[n], cuts[:, n])

    def refs(self, papers: Sequence[SeedPaper]) -> tuple[np.ndarray | sp.csr_matrix, np.ndarray]:
        """The papers' vectors and, per paper (column), the cosines that put a candidate in
        the day's top `shares` nearest it (one row per share)."""
        self.prepare(papers)
        held = [self._ref_at[p.key] for p in papers]
        vecs: list[Any] = [v for v, _ in held]
        stacked = sp.vstack(vecs).tocsr() if sp.issparse(vecs[0]) else np.vstack(vecs)
        return stacked, np.stack([c for _, c in held], axis=1)

    def cosines(
        self, rows: Sequence[int] | np.ndarray, refs: np.ndarray | sp.csr_matrix
    ) -> np.ndarray:
        return _dense(self.rows(rows) @ refs.T)


def _order_stats(sims: np.ndarray, places: Sequence[int]) -> np.ndarray:
    """np.partition(sims, places, axis=0)[places]: one partition at the lowest place, then
    a sort of the few rows above it. With three places a partition walks the columns three
    times: 0.18-0.22 s against 0.10 s for 1,024 x 15,000 cosines (the day's sample against
    a 1,000-profile run's seeds and likes); the values are the same order statistics.
    Reorders each column of `sims` in place (prepare's own product: a copy was 30 MB)."""
    low = min(places)
    sims.partition(low, axis=0)
    top = sims[low:]
    top.sort(axis=0)
    return top[[p - low for p in places]]


def _dense(product: Any) -> np.ndarray:
    """A product of rows as a dense array, whether the rows were sparse or dense."""
    if isinstance(product, sp.csr_matrix | sp.csc_matrix | sp.coo_matrix):
        return product.toarray()
    return np.asarray(product)


def day_for(
    signals: PaperSignals, cache: MutableMapping[str, object], shares: Sequence[float]
) -> Day:
    """The day of these signals, kept in the run's cache while they are the same."""
    held = cache.get("reasons_day")
    if isinstance(held, Day) and held.signals is signals and held.shares == tuple(shares):
        return held
    day = Day(signals, shares)
    cache["reasons_day"] = day
    return day
