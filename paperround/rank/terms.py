"""The words behind a sparse cosine: which of the index's terms made a paper match a query.

Why: "shares: score matching, Wasserstein gradient flow" tells a reader what the seed
signal saw, where a cosine of 0.31 tells nothing. The terms are those of the elementwise
product of the paper's tf-idf row and the profile's centred query, heaviest first, named
from the index's vocabulary and written as the paper writes them (its own casing).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import MutableMapping, Sequence
from functools import lru_cache
from typing import cast

import numpy as np
import scipy.sparse as sp

from models.records import ProfileSpec
from paperround.rank.query import BACKGROUND_WEIGHT, query_key
from paperround.rank.signals import PaperSignals, _whole_phrase_at
from paperround.rank.text import TextIndex

MAX_TERMS = 3
MAX_WORDS = 4  # overlapping bigrams joined into a phrase of at most this many words
MIN_SHARE = 1 / 3  # a term lighter than this share of the heaviest one is not named
KEEP = 4 * MAX_TERMS * MAX_WORDS  # summands looked at per paper: enough to name and join terms
_READABLE = re.compile(r"^(?=.*[^\W\d_])[^\W_]{2,24}$")  # a word, with a letter, not a code


class Vocabulary:
    """Column -> term ("score matching") for one index, inverted once per run."""

    def __init__(self, index: TextIndex) -> None:
        self._index = index
        self._words: list[str] = [""] * (max(index.tokens.values(), default=0) + 1)
        for word, i in index.tokens.items():
            if i > 0:
                self._words[i] = word
        cols = index.unigram_col
        self._token_of = np.full(index.n_terms, -1, np.int64)
        self._token_of[cols[cols >= 0]] = np.flatnonzero(cols >= 0)
        self._first_bigram = int(index.bigram_cols[0]) if len(index.bigram_cols) else -1
        self._width = len(index.tokens) + 1  # as in TextIndex._counts
        self._terms: dict[int, tuple[tuple[str, ...], bool, frozenset[str]]] = {}

    def words(self, col: int) -> tuple[str, ...]:
        token = self._token_of[col]
        if token >= 0:
            return (self._words[token],)
        key = int(self._index.bigram_keys[col - self._first_bigram])
        a, b = divmod(key, self._width)
        return self._words[a], self._words[b]

    def term(self, col: int) -> tuple[tuple[str, ...], bool, frozenset[str]]:
        """(words, whether all are readable, their stems) of a column, worked out once per
        index: the same few thousand columns are named for ten thousand picks a run."""
        held = self._terms.get(col)
        if held is None:
            words = self.words(col)
            readable = all(_READABLE.match(w) for w in words)
            held = self._terms[col] = (words, readable, frozenset(map(_stem, words)))
        return held


def vocabulary(index: TextIndex, cache: MutableMapping[str, object]) -> Vocabulary:
    """The index's vocabulary, kept in the run's cache while the index is the same."""
    held = cache.get("vocabulary")
    if isinstance(held, tuple) and held[0] is index:
        return held[1]
    vocab = Vocabulary(index)
    cache["vocabulary"] = (index, vocab)
    return vocab


def query_row(
    profile: ProfileSpec, signals: PaperSignals, cache: MutableMapping[str, object]
) -> tuple[np.ndarray, np.ndarray]:
    """The columns and weights of the profile's expanded query (not centred)."""
    held = cache.get(query_key(profile, signals.index.fingerprint))
    if isinstance(held, tuple) and held and sp.issparse(held[0]):
        row = sp.csr_matrix(cast(sp.csr_matrix, held[0]))
    else:  # seed_similarities left no query: the seeds' and likes' mean
        row = signals.mean_vectors([(*profile.seeds, *profile.liked)])[0]
    return row.indices, row.data


def background_weight(index: TextIndex) -> float:
    """How much of the window's mean a centred query subtracts (none in a tiny window)."""
    return BACKGROUND_WEIGHT if len(index) >= 50 else 0.0


def heaviest_parts(cols: np.ndarray, parts: np.ndarray) -> list[tuple[int, float]]:
    """(column, summand) for the summands `parts` at `cols` of a tf-idf row's product with
    a query that pull it towards the query: the positive ones among the KEEP heaviest,
    heaviest first (ties by column)."""
    keep = min(len(parts), KEEP)
    if not keep:
        return []
    top = np.argpartition(-parts, keep - 1)[:keep]
    top = top[np.lexsort((cols[top], -parts[top]))]
    top = top[parts[top] > 0]
    return list(zip(cols[top].tolist(), parts[top].tolist(), strict=True))


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A plural's singular, roughly: enough to see "attacks" repeat "attack"."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _join(terms: list[list[str]]) -> list[list[str]]:
    """Overlapping terms as one: "neural" into "neural tangent", "neural tangent" and
    "tangent kernel" into "neural tangent kernel" (at most MAX_WORDS words); first place kept.
    "attack" and "attacks" are one term (_stem); each term's stems are computed once (this
    runs for every shown paper of every profile: 0.75 s of a 1,000-profile run before)."""
    items = [(list(t), [_stem(w) for w in t]) for t in terms]
    changed = True
    while changed:
        changed = False
        for a in range(len(items)):
            x, stx = items[a]
            sx = set(stx)
            for b in range(a + 1, len(items)):
                y, sty = items[b]
                sy = set(sty)
                if sy <= sx:
                    joined = (x, stx)
                elif sx <= sy:
                    joined = (y, sty)
                elif stx[-1] == sty[0] and len(x) + len(y) - 1 <= MAX_WORDS:
                    joined = (x + y[1:], stx + sty[1:])
                elif sty[-1] == stx[0] and len(x) + len(y) - 1 <= MAX_WORDS:
                    joined = (y + x[1:], sty + stx[1:])
                else:
                    continue
                items[a] = joined
                del items[b]
                changed = True
                break
            if changed:
                break
    return [t for t, _ in items]


def pick_terms(cols: Sequence[int], vocab: Vocabulary) -> tuple[str, ...]:
    """The terms named for the columns `cols` (heaviest first, each weighing at least
    MIN_SHARE of the heaviest): readable ones, overlapping ones joined, at most MAX_TERMS;
    in the vocabulary's lower case."""
    picked: tuple[tuple[str, ...], ...] = ()
    held: set[str] = set()  # the stems of the picked terms
    for col in cols:
        words, readable, stems = vocab.term(col)
        if not readable:
            continue
        if held.isdisjoint(stems):  # nothing to join: _join would append
            if len(picked) < MAX_TERMS:
                picked = (*picked, words)
                held.update(stems)
            continue
        joined = _joined(picked, words)
        # a lighter term may still join a named one ("neural" + "neural tangent") when full
        if len(joined) <= MAX_TERMS:
            picked = joined
            held.update(stems)
    return tuple(" ".join(t) for t in picked)


@lru_cache(maxsize=1 << 16)
def _joined(
    picked: tuple[tuple[str, ...], ...], words: tuple[str, ...]
) -> tuple[tuple[str, ...], ...]:
    """_join of the picked terms and one more, kept: the same terms meet again in the picks
    of other profiles (13,000 joins a 1,000-profile run, a third of them distinct)."""
    return tuple(tuple(t) for t in _join([*map(list, picked), list(words)]))


class Words:
    """A paper's abstract and title with their lower-case forms, kept while a run names
    its terms."""

    def __init__(self, abstract: str, title: str = "") -> None:
        self.written: dict[str, str] = {}  # as_written's answers: profiles share papers
        self.texts = []
        for text in (abstract, title):
            low = text.lower()
            self.texts.append((text, low if len(low) == len(text) else ""))  # offsets line up


def _capital(word: str) -> bool:
    return word[:1].isupper() and word[1:] == word[1:].lower()


def as_written(term: str, words: Words) -> str:
    """The term in the casing the abstract uses most ("Wasserstein gradient flow", "score
    matching"; a capital that only starts a sentence is not kept), else as the title has it
    without its title-case capitals ("LLM" stays); a term neither holds as such (words apart,
    or hyphenated) stays as the vocabulary has it, in lower case."""
    held = words.written.get(term)
    if held is None:
        held = words.written[term] = _as_written(term, words)
    return held


def _as_written(term: str, words: Words) -> str:
    for n, (text, low) in enumerate(words.texts):
        seen: Counter[str] = Counter()
        for at in _whole_phrase_at(low, term):
            found = text[at : at + len(term)]
            if n == 1:  # the title: capitals of title case say nothing
                found = " ".join(w.lower() if _capital(w) else w for w in found.split(" "))
            elif _capital(found.split(" ")[0]) and _sentence_starts(text, at):
                found = found[:1].lower() + found[1:]  # a sentence starts here
            seen[found] += 1
        if seen:
            return max(seen.items(), key=lambda kv: (kv[1], kv[0] == term))[0]
    return term


def _sentence_starts(text: str, at: int) -> bool:
    """Whether `at` starts `text` or follows .!?: and spaces (as text[:at].rstrip()[-1:]
    tells, without copying the text before `at` for every occurrence)."""
    while at > 0 and text[at - 1].isspace():
        at -= 1
    return at == 0 or text[at - 1] in ".!?:"
