"""A per-profile linear model of the reader's thumbs up and down, cached by its feedback.

Why ridge in the dual: a profile has a few dozen labels, so the kernel system is at most a
few hundred rows and solves in about a millisecond, where an SVM or logistic regression fit
costs ten or more; a thousand profiles would otherwise dominate a run. Likes alone say
little about what a reader does not want, so each model also sees in-store negatives:
background papers drawn with a seed fixed by the feedback, so a retrain is reproducible.
The weights are kept in a cache keyed by a hash of the feedback and of the index, so a
model is retrained only when the reader's feedback changes (or the vocabulary does).
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from models.records import SeedPaper
from paperround.rank.signals import PaperSignals
from paperround.rank.text import TextIndex

IN_STORE_NEGATIVES = 50
RIDGE = 1.0
NEGATIVE_WEIGHT = 0.5  # the in-store negatives are probably, not surely, uninteresting


@dataclass(frozen=True, eq=False)
class FeedbackModel:
    """w . x is about +1 for a paper like the likes, -1 like the dislikes."""

    weights: sp.csr_matrix  # 1 x terms

    def decision(self, vectors: sp.csr_matrix) -> np.ndarray:
        dense = np.zeros(self.weights.shape[1], np.float32)
        dense[self.weights.indices] = self.weights.data
        return vectors @ dense


def feedback_key(positives: list[str], negatives: list[str], index: TextIndex) -> str:
    """Same likes, dislikes and index: same model."""
    h = hashlib.sha256()
    for part in (sorted(positives), sorted(negatives), [index.fingerprint]):
        h.update("\x1f".join(part).encode())
        h.update(b"\x1e")
    return h.hexdigest()[:24]


def train(
    positives: sp.csr_matrix, negatives: sp.csr_matrix, index: TextIndex, *, seed: int
) -> FeedbackModel:
    """Ridge regression in dual form on likes (+1), dislikes (-1) and in-store negatives."""
    rng = np.random.default_rng(seed)
    n_bg = min(IN_STORE_NEGATIVES, len(index))
    parts = [positives, negatives]
    targets = [np.ones(positives.shape[0]), -np.ones(negatives.shape[0])]
    if n_bg:
        rows = rng.choice(len(index), n_bg, replace=False)
        parts.append(index.background[rows])
        targets.append(-NEGATIVE_WEIGHT * np.ones(n_bg))
    x = sp.vstack(parts).tocsr()
    y = np.concatenate(targets)
    gram = (x @ x.T).toarray()
    alpha = np.linalg.solve(gram + RIDGE * np.eye(len(y)), y)
    weights = sp.csr_matrix(sp.csr_matrix(alpha.astype(np.float32)) @ x)
    return FeedbackModel(weights=weights)


def model_for(
    positives: Sequence[SeedPaper],
    negatives: Sequence[SeedPaper],
    signals: PaperSignals,
    cache: MutableMapping[str, object] | None,
) -> FeedbackModel:
    """The cached model for this feedback, trained now if the feedback changed."""
    index = signals.index
    key = "f:" + feedback_key([p.key for p in positives], [p.key for p in negatives], index)
    if cache is not None and isinstance(found := cache.get(key), FeedbackModel):
        return found
    empty = sp.csr_matrix((0, index.n_terms), dtype=np.float32)
    pos = signals.paper_vectors(positives) if positives else empty
    neg = signals.paper_vectors(negatives) if negatives else empty
    model = train(pos, neg, index, seed=int(key[2:10], 16))
    if cache is not None:
        cache[key] = model
    return model
