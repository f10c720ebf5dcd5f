"""The reasons' shared terms named one pick at a time: how the product named them before
rank/shares.py did it for every pick of a run at once. The tests hold the batch to this
reference, pick for pick (tests/test_shares.py), and check its meaning on hand-built days
(tests/test_reasons.py)."""

from __future__ import annotations

from collections.abc import MutableMapping

import numpy as np
import scipy.sparse as sp

from models.records import ProfileSpec
from paperround.rank.signals import PaperSignals
from paperround.rank.terms import (
    MIN_SHARE,
    Vocabulary,
    Words,
    as_written,
    background_weight,
    heaviest_parts,
    pick_terms,
    query_row,
)


class CentredQuery:
    """The profile's centred query (expanded query minus the window's mean), read only at
    the columns asked."""

    def __init__(
        self, profile: ProfileSpec, signals: PaperSignals, cache: MutableMapping[str, object]
    ) -> None:
        cols, weights = query_row(profile, signals, cache)
        order = np.argsort(cols)
        self.cols, self.weights = cols[order], weights[order]
        self.mean = signals.index.mean
        self.m = background_weight(signals.index)

    def at(self, cols: np.ndarray) -> np.ndarray:
        if not len(self.cols):
            return -self.m * self.mean[cols]
        pos = np.minimum(np.searchsorted(self.cols, cols), len(self.cols) - 1)
        held = np.where(self.cols[pos] == cols, self.weights[pos], 0.0)
        return held - self.m * self.mean[cols]


def contributions(cols: np.ndarray, data: np.ndarray, query: np.ndarray) -> list[tuple[int, float]]:
    """(column, weight x query weight) for a tf-idf row's terms (its columns, weights and
    the query's weights at those columns) that pull it towards the query, heaviest first:
    the summands of the cosine's numerator."""
    return heaviest_parts(cols, data * query)


def row_terms(vectors: sp.csr_matrix, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Row i's columns and weights, read from the CSR arrays."""
    start, end = vectors.indptr[i], vectors.indptr[i + 1]
    return vectors.indices[start:end], vectors.data[start:end]


def top_terms(
    row: tuple[np.ndarray, np.ndarray], query: np.ndarray, vocab: Vocabulary, text: Words
) -> tuple[str, ...]:
    """Up to MAX_TERMS readable terms of a tf-idf row (columns, weights) that contributed
    most to its product with the query (`query`: its weights at the row's columns), as the
    paper's `text` writes them."""
    found = contributions(*row, query)
    if not found:
        return ()
    heaviest = found[0][1]
    cols = [col for col, part in found if not part < MIN_SHARE * heaviest]  # heaviest first
    return tuple(as_written(term, text) for term in pick_terms(cols, vocab))
