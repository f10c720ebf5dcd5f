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
vectors are L2-normalised. Tokens become integer ids in one regex pass over a whole batch
and bigrams are looked up as integer pairs with numpy, which is about five times faster
than CountVectorizer: vectorising a day of 5,000 papers must fit in a fraction of a second.

The index also holds a dense latent space (LSA: a truncated SVD of the window's tf-idf
rows, 256 dimensions), fitted with it. Five seeds and a day's abstracts often name one
topic in different words; in the latent space terms that occur in the same papers of the
window point the same way, so a paper can be close to the seeds without sharing their
exact terms. Blended with the sparse cosine it lifted nDCG@10 on both dev draws (query.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import scipy.sparse as sp

# sklearn is imported only where an index is fitted: its import (scipy.stats with it) cost
# every ranking process 0.7-1.5 s, though the index is loaded from disk. bench/cli.py, same
# run: `digest send` of one profile over a 6,000-paper day 3.34 -> 2.46 s.

_TOKEN = re.compile(r"\w\w+")  # sklearn's \b\w\w+\b: a run of 2+ word chars is whole
_BREAK = "qqdocbreakqq"  # a token between documents, so no bigram spans two papers
_UNKNOWN, _STOP, _MARK = -1, 0, -2
LATENT_DIMS = 256  # 128 scored lower on the dev draw
LATENT_MIN_DF = 5  # terms in fewer window papers stay out of the latent space: a quarter of
# the terms, as good on the dev draw, and the SVD's peak memory 645 MB -> about 170 MB
LATENT_MIN_PAPERS = 50  # below this (tests, a new store) there is no latent space
_FLOATS = (np.float64, np.float32, np.float16)  # kept by unit_rows, as by normalize


def paper_text(title: str, abstract: str) -> str:
    return f"{title}. {abstract}"


def unit_rows(x: np.ndarray) -> np.ndarray:
    """A copy of dense rows scaled to unit length, near-zero rows left as they are: sklearn's
    normalize(x), the same arithmetic, without importing sklearn where nothing is fitted."""
    x = np.array(x, dtype=x.dtype if x.dtype in _FLOATS else np.float64)
    norms = np.sqrt(np.einsum("ij,ij->i", x, x))
    norms[norms < 10 * np.finfo(norms.dtype).eps] = 1.0
    x /= norms[:, None]
    return x


@dataclass(frozen=True, eq=False)
class TextIndex:
    """Vocabulary, IDF and the background window's vectors (rows in `keys` order)."""

    tokens: dict[str, int]  # every token seen in the window -> id >= 1; stop words -> 0
    unigram_col: np.ndarray  # token id -> column, -1 when the token is not a term
    bigram_keys: np.ndarray  # sorted int64 pair keys (a * width + b) of the bigram terms
    bigram_cols: np.ndarray  # their columns
    idf: np.ndarray  # float32, one per column
    background: sp.csr_matrix  # L2-normalised tf-idf rows of the window's papers
    keys: tuple[str, ...]  # paper key of each background row
    mean: np.ndarray  # mean background vector: what every paper shares, subtracted
    fingerprint: str  # changes when the window does: feedback models keyed on it
    latent_terms: np.ndarray  # the columns (terms) the latent space is fitted on
    components: np.ndarray  # len(latent_terms) x dims (float32): tf-idf -> latent row
    latent: np.ndarray  # the background rows in the latent space (papers x dims)
    latent_mean: np.ndarray  # `mean` in the latent space

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def n_terms(self) -> int:
        return len(self.idf)

    def row_of(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.keys)}

    def vectors(self, texts: Iterable[str]) -> sp.csr_matrix:
        """L2-normalised sublinear tf-idf rows; unknown terms are ignored."""
        ids = _token_ids(list(texts), self.tokens)
        return _weigh(self._counts(ids), self.idf)

    @property
    def latent_dims(self) -> int:
        return self.components.shape[1]

    def to_latent(self, vectors: sp.csr_matrix) -> np.ndarray:
        """tf-idf rows projected into the latent space (zero columns without one)."""
        return np.asarray(vectors[:, self.latent_terms] @ self.components, np.float32)

    def _counts(self, ids: np.ndarray) -> sp.csr_matrix:
        doc, uni, pair_key, pair_doc = _stream(ids, len(self.tokens) + 1)
        n_docs = int((ids == _MARK).sum()) + 1 if ids.size else 0
        ucol = np.where(uni >= 0, self.unigram_col[np.maximum(uni, 0)], -1)
        order = np.argsort(pair_key)  # sorted probes walk the sorted keys in step: faster
        pos = np.empty_like(order)
        pos[order] = np.searchsorted(self.bigram_keys, pair_key[order])
        pos = np.minimum(pos, max(len(self.bigram_keys) - 1, 0))
        hit = (
            self.bigram_keys[pos] == pair_key
            if len(self.bigram_keys)
            else np.zeros(len(pair_key), bool)
        )
        rows = np.concatenate([doc[ucol >= 0], pair_doc[hit]])
        cols = np.concatenate([ucol[ucol >= 0], self.bigram_cols[pos[hit]]])
        m = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)), shape=(n_docs, self.n_terms)
        )
        m.sum_duplicates()
        return m


def _token_ids(texts: list[str], tokens: dict[str, int]) -> np.ndarray:
    """One id per token of all texts in order, documents separated by _MARK."""
    words = _words(texts)
    return np.fromiter(map(tokens.get, words, repeat(_UNKNOWN)), np.int64, len(words))


# the ASCII characters that are not word characters (to re, a word character is "_" or
# one that str.isalnum() accepts)
_NOT_WORD = str.maketrans({c: " " for c in map(chr, range(128)) if not (c.isalnum() or c == "_")})


def _words(texts: Sequence[str]) -> list[str]:
    """The tokens of the texts in lower case, _BREAK between two texts: what _TOKEN finds
    in f" {_BREAK} ".join(texts).lower(). An ASCII text (all but 16 of a day's 5,000) is
    split at the characters that are not word characters instead, which gives the same
    runs of word characters: the tokens of a day 0.21 -> 0.12 s."""
    out: list[str] = []
    for n, text in enumerate(texts):
        if n:
            out.append(_BREAK)
        low = text.lower()
        if low.isascii():
            out += [w for w in low.translate(_NOT_WORD).split() if len(w) > 1]
        else:
            out += _TOKEN.findall(low)
    return out


def _stream(ids: np.ndarray, width: int):
    """(doc of each kept token, token id or -1, adjacent pair keys, doc of each pair)."""
    doc_all = np.cumsum(ids == _MARK)
    keep = ids != _STOP
    ids, doc_all = ids[keep], doc_all[keep]
    tok = ids != _MARK
    doc, uni = doc_all[tok], ids[tok]
    a, b = ids[:-1], ids[1:]
    ok = (a > 0) & (b > 0)
    return doc, uni, a[ok] * width + b[ok], doc_all[:-1][ok]


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
    max_terms: int = 400_000,
    latent_dims: int = LATENT_DIMS,
) -> TextIndex:
    """Fit the vocabulary and IDF on `papers` (anything with key, title and abstract).

    max_df drops terms in more than that share of papers: on a few weeks of arXiv such
    words ("model", "results") say nothing about a reader. On tiny windows (tests, a new
    store) the limits relax so that something is left.
    """
    texts = [paper_text(p.title, p.abstract) for p in papers]
    words = _words(texts)
    tokens = {w: i for i, w in enumerate(dict.fromkeys(words), 1)}
    tokens[_BREAK] = _MARK
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    for w in ENGLISH_STOP_WORDS:
        if w in tokens:
            tokens[w] = _STOP
    width = len(tokens) + 1
    ids = np.fromiter(map(tokens.get, words), np.int64, len(words))
    doc, uni, pair_key, pair_doc = _stream(ids, width)
    n = len(texts)
    if n < 50:
        min_df, max_df = 1, 1.0
    uni_terms, uni_df = _doc_freq(uni, doc, width)
    bi_terms, bi_df = _doc_freq(pair_key, pair_doc, width * width)
    keep_u = (uni_df >= min_df) & (uni_df <= max_df * n)
    keep_b = (bi_df >= min_df) & (bi_df <= max_df * n)
    uni_terms, uni_df, bi_terms, bi_df = (
        uni_terms[keep_u], uni_df[keep_u], bi_terms[keep_b], bi_df[keep_b]
    )  # fmt: skip
    if len(uni_terms) + len(bi_terms) > max_terms:  # keep the most frequent terms
        cut = np.sort(np.concatenate([uni_df, bi_df]))[-max_terms]
        keep_u, keep_b = uni_df >= cut, bi_df >= cut
        uni_terms, uni_df, bi_terms, bi_df = (
            uni_terms[keep_u], uni_df[keep_u], bi_terms[keep_b], bi_df[keep_b]
        )  # fmt: skip
    unigram_col = np.full(width, -1, np.int64)
    unigram_col[uni_terms] = np.arange(len(uni_terms))
    bigram_cols = np.arange(len(uni_terms), len(uni_terms) + len(bi_terms))
    df = np.concatenate([uni_df, bi_df]).astype(np.float64)
    idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
    index = TextIndex(
        tokens=tokens,
        unigram_col=unigram_col,
        bigram_keys=bi_terms.astype(np.int64),
        bigram_cols=bigram_cols,
        idf=idf,
        # scipy-stubs 1.17 types an empty (M, N) matrix for the float64, int, bool dtypes only
        background=sp.csr_matrix((0, len(idf)), dtype=np.float32),  # type: ignore[arg-type]
        keys=(),
        mean=np.zeros(len(idf), np.float32),
        fingerprint="",
        latent_terms=np.zeros(0, np.int64),
        components=np.zeros((0, 0), np.float32),
        latent=np.zeros((0, 0), np.float32),
        latent_mean=np.zeros(0, np.float32),
    )
    background = _weigh(index._counts(ids), idf) if n else index.background
    mean = np.asarray(background.mean(axis=0), np.float32).ravel() if n else index.mean
    fingerprint = hashlib.sha256("\x1f".join(p.key for p in papers).encode()).hexdigest()[:16]
    latent_terms, components, latent = _latent_space(background, latent_dims)
    return TextIndex(
        tokens=tokens,
        unigram_col=unigram_col,
        bigram_keys=index.bigram_keys,
        bigram_cols=bigram_cols,
        idf=idf,
        background=background,
        keys=tuple(p.key for p in papers),
        mean=mean,
        fingerprint=fingerprint,
        latent_terms=latent_terms,
        components=components,
        latent=latent,
        latent_mean=latent.mean(axis=0) if len(latent) else np.zeros(latent.shape[1], np.float32),
    )


def _latent_space(
    background: sp.csr_matrix, dims: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(its terms, their projection, background rows projected): a truncated SVD of the
    window's rows restricted to terms in at least LATENT_MIN_DF papers.

    Randomised with a fixed seed, so one window always gives one space; single-threaded
    like the rest of the ranker, it costs about 5 s on 14,000 papers, once a week.
    """
    n = background.shape[0]
    df = np.bincount(background.indices, minlength=background.shape[1])
    terms = np.flatnonzero(df >= LATENT_MIN_DF)
    dims = min(dims, n - 1, len(terms) - 1)
    if n < LATENT_MIN_PAPERS or dims < 1:
        return np.zeros(0, np.int64), np.zeros((0, 0), np.float32), np.zeros((n, 0), np.float32)
    from sklearn.utils.extmath import randomized_svd

    u, s, vt = randomized_svd(background[:, terms], dims, n_iter=4, random_state=0)
    components = np.ascontiguousarray(vt.T, dtype=np.float32)
    return terms, components, (u * s).astype(np.float32)


def _doc_freq(terms: np.ndarray, docs: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(distinct terms, number of documents holding each)."""
    if not len(terms):
        return terms, terms
    if width * (int(docs.max()) + 1) < 2**62:
        pairs = np.unique(docs.astype(np.int64) * width + terms)
    else:  # keys would overflow int64: deduplicate (doc, term) rows instead
        uniq = np.unique(np.stack([docs.astype(np.int64), terms]), axis=1)
        return np.unique(uniq[1], return_counts=True)
    return np.unique(pairs % width, return_counts=True)
