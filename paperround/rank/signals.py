"""Per-candidate signal arrays, computed once per run and shared by every profile.

Why a class: a run scores hundreds of profiles against the same candidates, so the folded
texts, the tf-idf rows, the author keys and the category lists are worked out once here,
lazily, and each profile's signal is a numpy array over all candidates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property
from typing import cast

import numpy as np
import scipy.sparse as sp

from models.records import Candidate, SeedPaper
from paperround.rank.names import author_key, fold
from paperround.rank.text import TextIndex, paper_text, unit_rows


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _whole_phrase_at(text: str, phrase: str) -> list[int]:
    """Where `phrase` stands in `text` as whole words, as the regex \\bphrase\\b finds it;
    str.find scans a day's abstracts far faster than a regex that starts with \\b."""
    out: list[int] = []
    if not phrase:
        return out
    # \b holds where the word-ness of the two neighbouring characters differs.
    first, last = _is_word(phrase[0]), _is_word(phrase[-1])
    at = text.find(phrase)
    while at >= 0:
        end = at + len(phrase)
        before = at > 0 and _is_word(text[at - 1])
        after = end < len(text) and _is_word(text[end])
        if before != first and after != last:
            out.append(at)
        at = text.find(phrase, at + 1)
    return out


class PaperSignals:
    """The day's candidates as the ranker needs them; pure, no I/O."""

    def __init__(self, candidates: Sequence[Candidate], index: TextIndex) -> None:
        self.candidates = list(candidates)
        self.index = index
        self.vectors = index.vectors(paper_text(c.title, c.abstract) for c in self.candidates)
        self._rows = index.row_of()
        self._phrases: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._followed: dict[tuple[str, ...], tuple[np.ndarray, dict[int, str]]] = {}
        self.position = {c.key: i for i, c in enumerate(self.candidates)}
        self.title_words: dict[int, frozenset[str]] = {}  # filled by select.py as it goes

    # -- text -------------------------------------------------------------------------------

    def window_rows(self, papers: Sequence[SeedPaper]) -> list[int] | None:
        """The papers' rows in the index's window, or None when one of them is not there."""
        rows = [self._rows.get(p.key) for p in papers]
        return None if None in rows else cast("list[int]", rows)

    def paper_vectors(self, papers: Sequence[SeedPaper]) -> sp.csr_matrix:
        """tf-idf rows of seed or feedback papers; the window's own row when it holds them."""
        rows = self.window_rows(papers)
        if rows is not None:
            return self.index.background[rows]
        return self.index.vectors(paper_text(p.title, p.abstract) for p in papers)

    def paper_latent(
        self, papers: Sequence[SeedPaper], vectors: sp.csr_matrix | None = None
    ) -> np.ndarray:
        """`papers` in the latent space (not normalised): the window's own latent row where
        it holds the paper, a projection of its tf-idf row (from `vectors` when given) for
        the others. The window's rows were projected when the index was fitted; projecting
        ten thousand seeds again was a tenth of a daily run."""
        rows = [self._rows.get(p.key) for p in papers]
        missing = [n for n, r in enumerate(rows) if r is None]
        out = self.index.latent[[r if r is not None else 0 for r in rows]]
        if missing:
            vecs = (
                vectors[missing]
                if vectors is not None
                else self.index.vectors(
                    paper_text(papers[n].title, papers[n].abstract) for n in missing
                )
            )
            out[missing] = self.index.to_latent(vecs)
        return out

    def mean_vectors(
        self, groups: Sequence[Sequence[SeedPaper]]
    ) -> tuple[sp.csr_matrix, np.ndarray]:
        """One row per group: the mean of its papers' vectors (window rows where possible),
        as tf-idf and in the latent space."""
        rows, cols, vals, missing = [], [], [], []
        for j, group in enumerate(groups):
            for p in group:
                r = self._rows.get(p.key)
                if r is None:
                    missing.append((j, p, 1.0 / len(group)))
                else:
                    rows.append(j)
                    cols.append(r)
                    vals.append(1.0 / len(group))
        shape = (len(groups), len(self.index))
        pick = sp.csr_matrix((np.asarray(vals, np.float32), (rows, cols)), shape=shape)
        out, latent = pick @ self.index.background, pick @ self.index.latent
        if missing:
            vecs = self.index.vectors(paper_text(p.title, p.abstract) for _, p, _ in missing)
            w = np.asarray([w for _, _, w in missing], np.float32)
            at = ([j for j, _, _ in missing], np.arange(len(missing)))
            spread = sp.csr_matrix((w, at), shape=(len(groups), len(missing)))
            out = out + spread @ vecs
            latent = latent + spread @ self.index.to_latent(vecs)
        return sp.csr_matrix(out), np.asarray(latent, np.float32)

    @cached_property
    def key_order(self) -> np.ndarray:
        """Each candidate's place in key order: ties in score are broken by it."""
        n = len(self.candidates)
        order = np.empty(n, np.int64)
        order[sorted(range(n), key=lambda i: self.candidates[i].key)] = np.arange(n)
        return order

    @cached_property
    def latent(self) -> np.ndarray:
        """The candidates in the index's latent space, L2-normalised (rows x dims)."""
        x = self.index.to_latent(self.vectors)
        return unit_rows(x)

    def max_similarity(self, papers: Sequence[SeedPaper]) -> np.ndarray:
        sims = self.vectors @ self.paper_vectors(papers).T
        return np.asarray(sims.max(axis=1).todense(), np.float32).ravel()

    @cached_property
    def _texts(self) -> list[tuple[str, str]]:
        return [(fold(c.title), fold(f"{c.title} {c.abstract}")) for c in self.candidates]

    @cached_property
    def _joined(self) -> tuple[tuple[str, np.ndarray], tuple[str, np.ndarray]]:
        """All texts (and all titles) in one string each, with each paper's start offset:
        one regex scan per phrase instead of one search per paper."""
        out = []
        for part in (1, 0):
            texts = [t[part] for t in self._texts]
            starts = np.cumsum([0, *(len(t) + 1 for t in texts[:-1])]) if texts else np.zeros(0)
            out.append(("\x00".join(texts), starts))
        return out[0], out[1]

    def hits(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(in title or abstract, in title) per candidate, for one phrase."""
        if term not in self._phrases:
            phrase = fold(term)
            found = []
            for joined, starts in self._joined:
                hit = np.zeros(len(self.candidates), bool)
                at = _whole_phrase_at(joined, phrase)
                if at:
                    hit[np.searchsorted(starts, at, side="right") - 1] = True
                found.append(hit)
            self._phrases[term] = (found[0], found[1])
        return self._phrases[term]

    def keyword_share(self, keywords: Sequence[tuple[str, float]]) -> np.ndarray:
        """Share of the keyword weight matched, a title match counting double, capped at 1."""
        total = sum(w for _, w in keywords) or 1.0
        got = np.zeros(len(self.candidates), np.float32)
        for term, w in keywords:
            text, title = self.hits(term)
            got += w * text * np.where(title, 2.0, 1.0)
        return np.minimum(1.0, got / total)

    def excluded(self, terms: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(self.candidates), bool)
        for term in terms:
            out |= self.hits(term)[0]
        return out

    # -- people, categories, popularity -------------------------------------------------------

    @cached_property
    def _by_author(self) -> dict[tuple[str, str], list[int]]:
        found: dict[tuple[str, str], list[int]] = {}
        for i, c in enumerate(self.candidates):
            for key in {author_key(a) for a in c.authors}:
                found.setdefault(key, []).append(i)
        return found

    def followed(self, authors: Sequence[str]) -> tuple[np.ndarray, dict[int, str]]:
        """(1 where a followed author wrote the paper, the first such author's name by row)."""
        key = tuple(authors)
        if key not in self._followed:
            hit = np.zeros(len(self.candidates), np.float32)
            names: dict[int, str] = {}
            for name in authors:
                for i in self._by_author.get(author_key(name), ()):
                    hit[i] = 1.0
                    names.setdefault(i, name)
            self._followed[key] = (hit, names)
        return self._followed[key]

    def category_match(self, categories: Sequence[str]) -> np.ndarray:
        cats = set(categories)
        return np.array(
            [
                1.0 if c.categories[:1] and c.categories[0] in cats else
                0.5 if cats & set(c.categories) else 0.0
                for c in self.candidates
            ],
            np.float32,
        )  # fmt: skip

    @cached_property
    def popularity(self) -> np.ndarray:
        return np.array(
            [min(1.0, math.log1p(c.upvotes or 0) / 5) for c in self.candidates], np.float32
        )

    @cached_property
    def any_upvotes(self) -> bool:
        return any(c.upvotes for c in self.candidates)
