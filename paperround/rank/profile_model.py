"""A per-profile discriminative model: the reader's seeds and likes against the window.

Why: five seeds say too little for a classifier, so the seed signal is a centroid expanded
with the window's neighbours (query.py); but a reader who imports a library of 50 or 200
papers gives enough examples to learn what separates their papers from the rest of the
field, and there plain logistic regression on tf-idf beat the expanded centroid (issue 17:
K = 50 seeds, nDCG@10 0.444 against 0.406). This model learns that direction; rank/ blends
it with the seed signal by a weight that grows with the evidence (`blend_weight`).

What it is: class-balanced ridge regression in the index's latent space (LSA rows,
L2-normalised, plus a bias): the seeds and likes are +1 (together weighing as much as the
whole window), every window paper 0, the dislikes 0 as hard negatives, each weighing
DISLIKE_WEIGHT times a like (0 as shipped: measured, see the constant). Its normal
equations need the window's second moments only once per index (`window_moments`,
257 x 257), so a model trains in a millisecond or two
whatever the number of seeds (an SVM or logistic regression over the window took 1 to 6 s
a profile here). Its weights (257 floats) are cached like the queries, under a hash of the
seeds, likes, dislikes and index, and saved in the query log (query_log.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping

import numpy as np
import scipy.sparse as sp

from models.records import ProfileSpec
from paperround.rank.signals import PaperSignals
from paperround.rank.text import TextIndex, unit_rows

RIDGE = 3.0  # x the mean eigenvalue of the window's second moment (1/dims: unit rows)
# A reader's dislikes are the day's near misses, which the latent space cannot tell from the
# likes: as hard negatives (weight 1) they cost 0.038 nDCG@10 on the simulated reader's day 5
# (dev draw, 24 tasks: 0.401 against 0.439 without them). The likes model (feedback.py) and
# the dislike penalty still use them.
DISLIKE_WEIGHT = 0.0
FEW = 5  # evidence (seeds + likes + dislikes) at or below which the model has no share
RAMP = 15  # evidence beyond FEW at which the share reaches MAX_WEIGHT
MAX_WEIGHT = 0.7  # the seed signal always keeps a share
_BLOCK = 8192  # window rows per block when summing the moments (bounds the temporaries)


def blend_weight(profile: ProfileSpec) -> float:
    """The model's share of the seed signal: 0 up to FEW pieces of evidence (seeds, likes,
    dislikes), then growing linearly to MAX_WEIGHT at FEW + RAMP. Tuned on the dev draws
    (docs/ranking.md): with 20 and 50 random seeds a share of 0.5 to 0.8 beat none by
    0.01 to 0.05 nDCG@10, but with the 5 seeds of the dev tasks 0.7 cost 0.025."""
    # Dislikes count although the model does not learn from them (DISLIKE_WEIGHT): a reader
    # who clicks is telling us about their field either way. Simulated reader, dev draw, 24
    # tasks, day 5: 0.439 counting them, 0.413 not, 0.415 with no model (noisy: SE ~0.03).
    n = len(profile.seeds) + len(profile.liked) + len(profile.disliked)
    return MAX_WEIGHT * min(1.0, max(0, n - FEW) / RAMP)


def model_key(profile: ProfileSpec, fingerprint: str) -> str:
    h = hashlib.sha256()
    for part in (
        sorted(p.key for p in (*profile.seeds, *profile.liked)),
        sorted(p.key for p in profile.disliked),
        [fingerprint],
    ):
        h.update("\x1f".join(part).encode())
        h.update(b"\x1e")
    return "m:" + h.hexdigest()[:24]


def window_moments(index: TextIndex, cache: MutableMapping[str, object]) -> np.ndarray:
    """The window's mean outer product of its [unit latent row, 1]: (dims + 1) squared,
    computed once per index and process (13,747 papers: about 30 ms)."""
    key = "w:" + index.fingerprint
    held = cache.get(key)
    if isinstance(held, np.ndarray):
        return held
    dims = index.latent_dims
    out = np.zeros((dims + 1, dims + 1))
    for start in range(0, len(index), _BLOCK):
        z = unit_rows(np.asarray(index.latent[start : start + _BLOCK], np.float64))
        out[:dims, :dims] += z.T @ z
        out[:dims, dims] += z.sum(axis=0)
    out[dims, :dims] = out[:dims, dims]
    out[dims, dims] = len(index)
    out /= max(len(index), 1)
    cache[key] = out
    return out


def train(
    profile: ProfileSpec, signals: PaperSignals, cache: MutableMapping[str, object]
) -> np.ndarray:
    """The model's weights (dims latent weights, then the bias)."""
    index = signals.index
    positives = (*profile.seeds, *profile.liked)
    a = window_moments(index, cache).copy()
    dims = index.latent_dims
    pos = np.hstack([unit_rows(signals.paper_latent(positives)), np.ones((len(positives), 1))])
    a += pos.T @ pos / len(positives)
    b = pos.mean(axis=0)
    if profile.disliked:
        neg = unit_rows(signals.paper_latent(profile.disliked))
        neg = np.hstack([neg, np.ones((len(neg), 1))])
        a += DISLIKE_WEIGHT * neg.T @ neg / len(positives)
    a[np.arange(dims), np.arange(dims)] += RIDGE / dims
    return np.linalg.solve(a, b).astype(np.float32)


def model_scores(
    profile: ProfileSpec, signals: PaperSignals, cache: MutableMapping[str, object]
) -> np.ndarray:
    """The model's decision for every candidate: about 1 for papers like the positives,
    0 for the window's. Cached (as a query log record: an empty row and the weights)."""
    key = model_key(profile, signals.index.fingerprint)
    held = cache.get(key)
    if isinstance(held, tuple):
        weights = held[1]
    else:
        weights = train(profile, signals, cache)
        empty = (np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros(2, np.int32))
        cache[key] = (sp.csr_matrix(empty, shape=(1, signals.index.n_terms)), weights)
    return signals.latent @ weights[:-1] + weights[-1]


def blend(seed_sim: np.ndarray, scores: np.ndarray, share: float) -> np.ndarray:
    """The model's scores mapped onto the seed signal's scale over the day's candidates
    (same mean and spread), and mixed in: (1 - share) x seeds + share x mapped model."""
    sd_seed, sd_model = float(seed_sim.std()), float(scores.std())
    if share <= 0 or sd_seed <= 0 or sd_model <= 0:
        return seed_sim
    mapped = seed_sim.mean() + sd_seed * (scores - scores.mean()) / sd_model
    return ((1 - share) * seed_sim + share * mapped).astype(np.float32)
