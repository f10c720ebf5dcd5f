"""The batch forms of the reasons' work (rank/shares.py, the day's closeness cuts) give what
the one-pick forms give: a run names thousands of picks at once, and the reader must see
the same words as the per-pick code would show."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from models.records import ProfileSpec, SeedPaper
from paperround.rank import build_index
from paperround.rank.day import Day, _order_stats
from paperround.rank.query import query_key, seed_similarities
from paperround.rank.shares import shared_terms
from paperround.rank.signals import PaperSignals
from paperround.rank.terms import (
    KEEP,
    MIN_SHARE,
    Words,
    vocabulary,
)
from paperround.rank.text import TextIndex
from tests.records import BACKGROUND_TOPICS, background
from tests.records import candidate as cand
from tests.terms_reference import CentredQuery, row_terms, top_terms

EVERY_TOPIC_WORD = " ".join(f"t{t}w{j}" for t in range(30) for j in range(8))


@cache
def index() -> TextIndex:
    return build_index(background())


def a_day() -> list:
    """Papers mixing the window's topics (one title says a topic in capitals, so the
    written form differs from the vocabulary's), and one with every small topic's words."""
    topics = list(BACKGROUND_TOPICS.values())
    out = [
        cand(
            k + 1,
            f"Paper {k}: {topics[k % 4].split()[0].title()} study",
            f"{topics[k % 4]}. We also use {topics[(k + 1) % 4]}. Graph Neural Network.",
        )
        for k in range(12)
    ]
    return [*out, cand(99, "Everything", EVERY_TOPIC_WORD)]


def heavy(signals: PaperSignals, query: CentredQuery, i: int) -> int:
    """How many summands of candidate i's product with the query weigh enough to name."""
    cols, weights = row_terms(signals.vectors, i)
    parts = (weights * query.at(cols)).tolist()
    return sum(p > 0 and not p < MIN_SHARE * max(parts) for p in parts)


def test_shared_terms_are_top_terms_pick_for_pick():
    idx, papers = index(), a_day()
    signals = PaperSignals(papers, idx)
    seeds = {
        topic: SeedPaper(f"s-{topic}", topic, words) for topic, words in BACKGROUND_TOPICS.items()
    }
    profiles = [
        ProfileSpec("kernels", seeds=(seeds["kernels"],)),
        ProfileSpec("two", seeds=(seeds["graphs"], seeds["proteins"])),
        ProfileSpec("none", seeds=(seeds["vision"],)),  # no picks to explain
        ProfileSpec("all", seeds=(SeedPaper("s-all", "All", EVERY_TOPIC_WORD),)),
    ]
    cache: dict = {}
    seed_similarities(profiles, signals, cache)  # the expanded queries, as a run keeps them
    # "all": a query as heavy on every term of the "Everything" paper: more of its summands
    # weigh than top_terms looks at (KEEP), so the batch must take top_terms's own cut
    flat = signals.vectors[len(papers) - 1].copy()
    flat.data[:] = 1.0
    cache[query_key(profiles[3], idx.fingerprint)] = (flat, np.zeros(idx.latent_dims))
    everyone = list(range(len(papers)))
    rows = [everyone, everyone[::-2], [], everyone]
    day = Day(signals, (0.02,))
    got = shared_terms(profiles, signals, rows, day, cache)

    vocab = vocabulary(idx, {})
    want = []
    for profile, picks in zip(profiles, rows, strict=True):
        query = CentredQuery(profile, signals, cache)
        terms = []
        for i in picks:
            cols, weights = row_terms(signals.vectors, i)
            c = papers[i]
            terms.append(
                top_terms((cols, weights), query.at(cols), vocab, Words(c.abstract, c.title))
            )
        want.append(terms)
    assert got == want
    assert sum(bool(t) for picks in got for t in picks) > 15  # most picks name terms
    assert any(t != t.lower() for picks in got for terms in picks for t in terms)  # as written
    assert heavy(signals, CentredQuery(profiles[3], signals, cache), len(papers) - 1) > KEEP
    assert got[3][-1]


def test_shared_terms_of_no_picks():
    signals = PaperSignals(a_day(), index())
    profile = ProfileSpec("p", seeds=(SeedPaper("s", "s", BACKGROUND_TOPICS["kernels"]),))
    assert shared_terms([profile], signals, [[]], Day(signals, (0.02,)), {}) == [[]]


@pytest.mark.parametrize("shape", [(1024, 300), (5, 7), (1, 3)])
def test_closeness_cuts_are_the_order_statistics_a_partition_gives(shape):
    rng = np.random.default_rng(0)
    sims = rng.integers(0, 20, shape).astype(np.float32)  # many ties
    size = shape[0]
    for shares in [(0.02, 0.005, 0.05), (0.5,), (0.05, 0.02)]:
        places = [size - max(1, int(np.ceil(q * size))) for q in shares]
        want = np.partition(sims, places, axis=0)[places]
        assert np.array_equal(_order_stats(sims.copy(), places), want)
