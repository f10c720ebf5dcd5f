"""One line per paper: the abstract sentence that states what the paper contributes.

The rule (docs/digest.md shows it on real abstracts):
1. the first sentence where the authors say what they did: "we propose / introduce /
   present / show / prove / ...", or "this paper proposes ...";
2. else the first where they say what they studied: "we study / investigate / evaluate...";
3. else the sentence closest to the abstract's centroid in a tf-idf space of its own
   sentences (each sentence a document, so a word every sentence repeats weighs little):
   the sentence that best sums the abstract up;
then start it at "We" when a lead-in or another clause comes before ", we <verb>", and cut
it at a word boundary near 30 words (at a clause break when one is close).

Pure and deterministic: a paper's line depends on its abstract only, never on the other
papers of the digest, so every channel and every rerun shows the same line. Give it the
display text (paperround/digest/mathtext.py), so the line reads as the card does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

WORDS = 30  # about one line on a phone, two on a desktop
_MIN_WORDS = 6  # "Code is available." says nothing about the paper

_VERBS = (
    "propos|introduc|present|show|prov|demonstrat|develop|establish|deriv|design|construct|"
    "provid|obtain|identif|find|found|reveal|releas|achiev|characteri[sz]|formulat|giv|offer|"
    "report|creat|buil|curat|put forward|unveil|discover|certif|resolv|settl"
)
# Verbs that name what a paper is about rather than what it found: the second choice.
_TOPIC_VERBS = (
    "stud|investigat|explor|examin|analy[sz]|evaluat|assess|consider|address|tackl|focus|"
    "revisit|measur|quantif|compar|audit|survey|benchmark|model"
)
_SUBJECT = (
    r"\b(?:we|this (?:\w+ )?(?:paper|work|article|study|note|letter|thesis|report|survey)|"
    r"our (?:work|paper|results?|analysis))\s+"
    r"(?:(?:\w+ly|also|further|then|first|here|now|and|thus|therefore|instead|finally),?\s+){0,3}"
)
_CUE = re.compile(rf"{_SUBJECT}(?:{_VERBS})\w*\b", re.IGNORECASE)
_TOPIC = re.compile(rf"{_SUBJECT}(?:{_TOPIC_VERBS})\w*\b", re.IGNORECASE)
# What comes before ", we <verb>" (a lead-in such as "In this paper," or "Focusing on X,",
# or a first clause: "We study X, and we develop Y") is dropped: the line starts at "We".
_CLAUSE_END = re.compile(r"[,;:]\s+(?:and\s+|but\s+|so\s+|then\s+|here\s+)?$", re.IGNORECASE)
# After the stop: closing quotes and brackets, and citation marks ("models.^(1-3) We").
_BOUNDARY = re.compile(
    r"([.!?\n])((?:[\"”’')\]⁰¹²³⁴⁵⁶⁷⁸⁹⁻]|\^\([\d,\-– ]{1,20}\)|\^\d{1,3})*)(\s*)"
)
_ABBREVIATIONS = frozenset({
    "e.g", "i.e", "al", "etc", "vs", "fig", "figs", "eq", "eqs", "cf", "resp", "approx", "ref",
    "refs", "sec", "no", "nos", "dr", "prof", "st", "mr", "ms", "thm", "def", "prop", "lem",
    "ch", "vol", "pp", "ca", "viz", "incl", "est", "dept", "univ", "inc", "ltd", "co", "corp",
})  # fmt: skip


def split_sentences(text: str) -> list[str]:
    """Sentences of an abstract: cut after . ! ? before a capital or digit, and at line
    breaks, but not after "e.g.", "et al.", "Fig." or an initial ("J. Smith")."""
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[str]:
    start = 0
    for m in _BOUNDARY.finditer(text):
        mark, closers, space = m.groups()
        if mark == "\n":
            end = m.start()
        else:
            nxt = text[m.end() : m.end() + 2].lstrip('"“‘([')[:1]
            if not space or not (nxt.isupper() or nxt.isdigit()):
                continue
            before = text[max(start, m.start() - 40) : m.start()].split()
            word = before[-1].rstrip(".") if before else ""
            if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
                continue
            end = m.start() + 1 + len(closers)
        sentence = " ".join(text[start:end].split())
        if sentence:
            yield sentence
        start = m.end()
    tail = " ".join(text[start:].split())
    if tail:
        yield tail


def cut_words(sentence: str, limit: int = WORDS) -> str:
    """At most about `limit` words, cut at a word boundary (and at a clause break when one
    falls in the last third), ending with "…" when cut."""
    words = sentence.split()
    if len(words) <= limit + limit // 8:  # do not cut off the last three words
        return " ".join(words)
    head = words[:limit]
    for i in range(limit - 1, (2 * limit) // 3 - 1, -1):
        if head[i][-1] in ",;:":
            head = head[: i + 1]
            break
    return " ".join(head).rstrip(",;:—–-") + " …"


def _tidy(sentence: str) -> str:
    cue = _CUE.search(sentence) or _TOPIC.search(sentence)
    if cue is None:
        return sentence
    if sentence[cue.start() : cue.start() + 3].lower() != "we ":
        return sentence
    if cue.start() == 0 or not _CLAUSE_END.search(sentence, 0, cue.start()):
        return sentence
    return "We " + sentence[cue.start() + 3 :]


def extractive_tldrs(abstracts: Sequence[str], *, limit: int = WORDS) -> list[str]:
    """One line for each abstract ("" for an empty one), by the rule in the module doc.

    A batch, so the tf-idf step runs once for all the abstracts that need it: 0.4 s for a
    6,000-paper day (bench/tldr.py); a 50-paper digest takes a few milliseconds.
    """
    picked: list[str | None] = []
    pending: dict[int, list[str]] = {}
    for i, abstract in enumerate(abstracts):
        sentences: list[str] = []
        cue = topic = None
        for sentence in iter_sentences(abstract or ""):
            sentences.append(sentence)
            if len(sentence.split()) < _MIN_WORDS:
                continue
            if _CUE.search(sentence):
                cue = sentence
                break
            if topic is None and _TOPIC.search(sentence):
                topic = sentence
        cue = cue or topic
        if not sentences:
            picked.append("")
            continue
        if cue is None and len(sentences) > 2:
            pending[i] = sentences
        picked.append(cue if cue is not None else (None if i in pending else sentences[0]))
    if pending:
        for i, sentence in _central_sentences(pending).items():
            picked[i] = sentence
    return [cut_words(_tidy(s), limit) if s else "" for s in picked]


def extractive_tldr(abstract: str, *, limit: int = WORDS) -> str:
    return extractive_tldrs([abstract], limit=limit)[0]


def _central_sentences(groups: dict[int, list[str]]) -> dict[int, str]:
    """For each abstract, its sentence closest (cosine) to the mean of its sentences'
    tf-idf vectors, where idf counts the abstract's own sentences. One CountVectorizer
    for the batch only tokenises; the weighting is per abstract."""
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer

    flat = [s for sentences in groups.values() for s in sentences]
    try:
        counts = CountVectorizer(stop_words="english", dtype=np.float32).fit_transform(flat)
    except ValueError:  # nothing but stop words
        return {i: sentences[0] for i, sentences in groups.items()}
    counts = counts.tocsr()
    out, row = {}, 0
    for i, sentences in groups.items():
        block = counts[row : row + len(sentences)]
        row += len(sentences)
        out[i] = sentences[_central_index(block, sentences, np)]
    return out


def _central_index(block, sentences: list[str], np) -> int:
    cols = np.unique(block.indices)
    if cols.size == 0:
        return 0
    tf = block[:, cols].toarray()
    n = tf.shape[0]
    idf = np.log((1 + n) / (1 + (tf > 0).sum(axis=0))) + 1.0
    weights = tf * idf
    norms = np.linalg.norm(weights, axis=1, keepdims=True)
    weights = np.divide(weights, norms, out=np.zeros_like(weights), where=norms > 0)
    scores = weights @ weights.mean(axis=0)
    long_enough = np.array([len(s.split()) >= _MIN_WORDS for s in sentences])
    if long_enough.any():
        scores = np.where(long_enough, scores, -1.0)
    return int(np.argmax(scores))  # the first of equals: earlier sentences win ties
