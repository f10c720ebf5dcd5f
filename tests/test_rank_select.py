"""Near-duplicate titles: the fast test agrees with the Jaccard definition everywhere."""

from __future__ import annotations

import random

from paperround.rank.select import TITLE_OVERLAP, near_duplicate, title_words


def test_near_duplicate_is_word_jaccard_at_least_the_threshold():
    rng = random.Random(1)
    words = [f"w{i}" for i in range(30)]
    hits = 0
    for _ in range(20_000):  # random pairs, many of them overlapping, boundaries included
        a = frozenset(rng.sample(words, rng.randint(0, 12)))
        b = frozenset([*list(a)[: rng.randint(0, len(a))], *rng.sample(words, rng.randint(0, 3))])
        expected = a == b if not a or not b else len(a & b) / len(a | b) >= TITLE_OVERLAP
        assert near_duplicate(a, b) == expected, (sorted(a), sorted(b))
        hits += expected
    assert 0 < hits < 20_000  # both outcomes were exercised


def test_exact_threshold_counts_as_duplicate():
    a = title_words("alpha beta gamma delta")
    b = title_words("Alpha, beta, gamma, delta, epsilon")  # 4 of 5 words: Jaccard 0.8
    assert near_duplicate(a, b) and near_duplicate(b, a)
    assert not near_duplicate(a, title_words("alpha beta gamma zeta eta"))
