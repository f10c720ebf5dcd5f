"""Text vectors for ranking: a vocabulary and IDF fitted once over a recent window of papers.

Why a fitted index rather than a vectoriser per call: refitting tf-idf on each profile's
candidates costs seconds per thousand profiles and gives unstable IDF on a small pool. The
index is fitted on a bounded background window (the store's recent papers; the pipeline
caches it and refits only when stale), so a run vectorises the day's candidates once and
scores every profile with sparse products. The window's own vectors are kept: they supply
pseudo-relevance neighbours for a profile's seeds and the in-store negatives of the
feedback models.

Terms are sklearn's default tokens (two or more word characters, lower case, English stop
words removed) and the bigrams of neighbouring kept tokens; tf is sublinear (1 + log tf),
vectors are L2-normalised. The tokeniser is a plain loop because it is about twice as fast
as CountVectorizer.transform on a day's papers.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_TOKEN = re.compile(r"\b\w\w+\b")
_STOP = frozenset(ENGLISH_STOP_WORDS)


def terms(text: str) -> list[str]:
    """Unigrams and bigrams of one text, stop words removed before pairing."""
    words = [w for w in _TOKEN.findall(text.lower()) if w not in _STOP]
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def paper_text(title: str, abstract: str) -> str:
    return f"{title}. {abstract}"


@dataclass(frozen=True, eq=False)
class TextIndex:
    """Vocabulary, IDF and the background window's vectors (rows in `keys` order)."""

    vocabulary: dict[str, int]
    idf: np.ndarray  # float32, one per term
    background: sp.csr_matrix  # L2-normalised tf-idf rows of the window's papers
    keys: tuple[str, ...]  # paper key of each background row
    authors: tuple[tuple[str, ...], ...]  # author names of each background row
    mean: np.ndarray  # mean background vector: what every paper shares, subtracted
    fingerprint: str  # changes when the window does: feedback models keyed on it

    def __len__(self) -> int:
        return len(self.keys)

    def vectors(self, texts: Iterable[str]) -> sp.csr_matrix:
        """L2-normalised sublinear tf-idf rows; unknown terms are ignored."""
        vocab = self.vocabulary
        indptr, indices, data = [0], [], []
        for text in texts:
            counts = Counter(j for t in terms(text) if (j := vocab.get(t)) is not None)
            indices.extend(counts)
            data.extend(counts.values())
            indptr.append(len(indices))
        return _weigh(
            sp.csr_matrix(
                (np.asarray(data, np.float32), np.asarray(indices, np.int32), indptr),
                shape=(len(indptr) - 1, len(vocab)),
            ),
            self.idf,
        )

    def row_of(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.keys)}


def _weigh(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    m = counts.astype(np.float32, copy=True)
    m.data = (1.0 + np.log(m.data)) * idf[m.indices]
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).astype(np.float32) @ m)


def build_index(
    papers: Sequence,
    *,
    min_df: int = 2,
    max_df: float = 0.1,
    max_terms: int = 200_000,
) -> TextIndex:
    """Fit the vocabulary and IDF on `papers` (anything with key, title, abstract, authors).

    max_df drops terms in more than that share of papers: on a few weeks of arXiv such
    words ("model", "results") say nothing about a reader. On tiny windows (tests, a new
    store) the limits relax so that something is left.
    """
    docs = [terms(paper_text(p.title, p.abstract)) for p in papers]
    df: Counter[str] = Counter()
    for d in docs:
        df.update(set(d))
    n = len(docs)
    if n < 50:
        min_df, max_df = 1, 1.0
    ceiling = max_df * n
    kept = [t for t, c in df.items() if min_df <= c <= ceiling]
    if len(kept) > max_terms:
        kept = sorted(kept, key=lambda t: (-df[t], t))[:max_terms]
    kept.sort()
    vocab = {t: j for j, t in enumerate(kept)}
    idf = np.array([np.log((1 + n) / (1 + df[t])) + 1.0 for t in kept], np.float32)
    indptr, indices, data = [0], [], []
    for d in docs:
        counts = Counter(j for t in d if (j := vocab.get(t)) is not None)
        indices.extend(counts)
        data.extend(counts.values())
        indptr.append(len(indices))
    counts_m = sp.csr_matrix(
        (np.asarray(data, np.float32), np.asarray(indices, np.int32), indptr),
        shape=(n, len(vocab)),
    )
    background = _weigh(counts_m, idf)
    mean = (
        np.asarray(background.mean(axis=0), np.float32).ravel()
        if n
        else np.zeros(len(vocab), np.float32)
    )
    return TextIndex(
        vocabulary=vocab,
        idf=idf,
        background=background,
        keys=tuple(p.key for p in papers),
        authors=tuple(tuple(p.authors) for p in papers),
        mean=mean,
        fingerprint=hashlib.sha256("\x1f".join(p.key for p in papers).encode()).hexdigest()[:16],
    )
