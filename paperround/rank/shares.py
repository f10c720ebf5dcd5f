"""The "shares: ..." terms of every pick of every profile in a run, named at once. Pure.

Why a batch: a run names the terms of about 10,000 picks (1,000 profiles x 10), and named
one pick at a time (top_terms, kept as the tests' reference in tests/terms_reference.py)
that was about 0.65 s of bench/rank_speed.py's daily run: a few numpy calls and a Python
walk per pick. Here the summands of all picks are
taken in one gather of their tf-idf rows and one product per profile, the terms heavy
enough to name are cut and ordered for all picks in a few array operations, and the words
are picked once per distinct list of columns (three picks in ten repeat one: a paper is
shown to many profiles). 0.2-0.25 s now. The result is top_terms's, pick for pick: the
same summands, the same order (heaviest first, ties by column), the same cut
(tests/test_shares.py; the benchmark's 10,000 reason lists are byte-identical).
"""

from __future__ import annotations

import itertools
from collections.abc import MutableMapping, Sequence

import numpy as np
import scipy.sparse as sp

from models.records import ProfileSpec
from paperround.rank.day import Day
from paperround.rank.signals import PaperSignals
from paperround.rank.terms import (
    KEEP,
    MIN_SHARE,
    as_written,
    background_weight,
    heaviest_parts,
    pick_terms,
    query_row,
    vocabulary,
)


def shared_terms(
    profiles: Sequence[ProfileSpec],
    signals: PaperSignals,
    rows: Sequence[Sequence[int]],
    day: Day,
    cache: MutableMapping[str, object],
) -> list[list[tuple[str, ...]]]:
    """Per profile, per candidate row in `rows` (that profile's picks to explain): the
    terms its tf-idf row shares with the profile's centred query, as top_terms names them
    (as the paper writes them; empty when none is readable or weighs)."""
    flat = [i for got in rows for i in got]
    if not flat:
        return [[] for _ in rows]
    picked = signals.vectors[flat]  # every pick's tf-idf row, in the order of `flat`
    parts = _summands(profiles, signals, rows, picked, cache)
    cols, ptr = picked.indices, picked.indptr
    kept, counts = _heavy(parts, cols, ptr)
    bounds = [0, *itertools.accumulate(counts)]
    vocab = vocabulary(signals.index, cache)
    named: dict[tuple[int, ...], tuple[str, ...]] = {}
    terms = []
    for k, i in enumerate(flat):
        if counts[k] > KEEP:  # more weigh than top_terms looks at: its cut, as it takes it
            found = heaviest_parts(cols[ptr[k] : ptr[k + 1]], parts[ptr[k] : ptr[k + 1]])
            seq = tuple(c for c, p in found if not p < MIN_SHARE * found[0][1])
        else:
            seq = tuple(kept[bounds[k] : bounds[k + 1]])
        words = named.get(seq)
        if words is None:
            words = named[seq] = pick_terms(seq, vocab)
        text = day.words(i)
        terms.append(tuple(as_written(term, text) for term in words))
    out, at = [], 0
    for got in rows:
        out.append(terms[at : at + len(got)])
        at += len(got)
    return out


def _summands(
    profiles: Sequence[ProfileSpec],
    signals: PaperSignals,
    rows: Sequence[Sequence[int]],
    picked: sp.csr_matrix,
    cache: MutableMapping[str, object],
) -> np.ndarray:
    """Each pick's row weights times its profile's centred query at the row's columns
    (CentredQuery.at's values, the same float operations): the query's weights scattered
    into one vocabulary-long buffer and gathered back, profile after profile, instead of
    a sort and a search per profile (0.06 -> 0.03 s a 1,000-profile run)."""
    cols, ptr = picked.indices, picked.indptr
    mean = background_weight(signals.index) * signals.index.mean[cols]
    buffers: dict[np.dtype, np.ndarray] = {}  # by the queries' dtype: held as they are
    products, at = [], 0
    for profile, got in zip(profiles, rows, strict=True):
        if got:
            start, end = ptr[at], ptr[at + len(got)]
            at += len(got)
            qcols, weights = query_row(profile, signals, cache)
            held = buffers.get(weights.dtype)
            if held is None:
                held = buffers[weights.dtype] = np.zeros(signals.index.n_terms, weights.dtype)
            held[qcols] = weights
            centred = held[cols[start:end]] - mean[start:end]
            held[qcols] = 0
            products.append(picked.data[start:end] * centred)
    return np.concatenate(products)


def _heavy(parts: np.ndarray, cols: np.ndarray, ptr: np.ndarray) -> tuple[list[int], list[int]]:
    """The columns of the summands worth naming (positive and at least MIN_SHARE of their
    pick's heaviest), pick after pick, each pick's heaviest first (ties by column); and
    how many each pick has. Compared in float64, as top_terms compares Python floats."""
    sizes = np.diff(ptr)
    pick = np.repeat(np.arange(len(sizes)), sizes)
    heaviest = np.zeros(len(sizes), np.float64)  # a pick without summands keeps none
    full = sizes > 0
    if full.any():
        heaviest[full] = np.maximum.reduceat(parts, ptr[:-1][full])
    wide = parts.astype(np.float64)
    idx = np.flatnonzero((wide > 0) & ~(wide < MIN_SHARE * heaviest[pick]))
    idx = idx[np.lexsort((cols[idx], -parts[idx], pick[idx]))]
    return cols[idx].tolist(), np.bincount(pick[idx], minlength=len(sizes)).tolist()
