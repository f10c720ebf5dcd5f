"""Reasons a reader can trust, on hand-built days: a reason only where the signal set the
paper apart from the day's other candidates, in words."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

import numpy as np
import pytest

from models.records import ProfileSpec, SeedPaper
from paperround.rank import build_index, rank
from paperround.rank.reasons import short_title
from paperround.rank.signals import PaperSignals
from paperround.rank.terms import (
    Words,
    as_written,
    vocabulary,
)
from paperround.rank.text import TextIndex
from tests.records import BACKGROUND_TOPICS, background
from tests.records import candidate as cand
from tests.terms_reference import contributions, row_terms, top_terms

NOW = datetime(2026, 11, 23, tzinfo=UTC)
KERNEL_SEED = SeedPaper(
    "s1",
    "Tensor Programs IV: Feature Learning in Infinite-Width Neural Networks",
    "neural tangent kernel infinite width gradient descent training dynamics",
)


@cache
def index() -> TextIndex:
    return build_index(background())


def day(n: int = 30, **fields) -> list:
    """A day of n papers on the window's small topics (none on kernels), all in cs.LG."""
    out = []
    for k in range(n):
        words = " ".join(f"t{k % 30}w{j}" for j in range(6))
        out.append(cand(k + 1, f"Paper {k} on topic {k % 30}", f"We study {words}.", **fields))
    return out


def reasons_of(result, title: str) -> tuple[str, ...]:
    return next(s.reasons for s in result if s.paper.title == title)


def test_a_category_every_candidate_shares_gives_no_category_reason():
    odd = cand(99, "Odd one", "We study t1w0 t1w1.", categories=("cs.LG", "q-bio.NC"))
    papers = [*day(categories=("cs.LG",)), odd]
    spec = ProfileSpec(name="p", categories=("cs.LG",), max_items=40)
    result = rank(papers, spec, now=NOW, index=index())
    assert len(result) == len(papers)
    assert all("in your category cs.LG" not in s.reasons for s in result)
    assert all(len(s.reasons) == 1 for s in result)  # one generic reason, said as such
    assert result[0].reasons == ("in your category cs.LG, like most of today's papers",)
    rare = rank(papers, ProfileSpec(name="q", categories=("q-bio.NC",)), now=NOW, index=index())
    assert rare[0].reasons == ("cross-listed in your category q-bio.NC",)
    spec = ProfileSpec(name="b", categories=("cs.LG", "q-bio.NC"), max_items=40)
    both = rank(papers, spec, now=NOW, index=index())  # its rare category, not the common one
    assert reasons_of(both, "Odd one") == ("cross-listed in your category q-bio.NC",)


def test_top_decile_seed_similarity_names_the_seed_by_a_short_title():
    kernel = cand(
        50, "Wide networks", "gradient descent training dynamics of the neural tangent kernel"
    )
    papers = [*day(), kernel]
    result = rank(papers, ProfileSpec(name="p", seeds=(KERNEL_SEED,)), now=NOW, index=index())
    assert result[0].paper.title == "Wide networks"
    first = result[0].why[0]
    assert first.text == "very close to your seed “Tensor Programs IV”"
    assert first.detail == KERNEL_SEED.title  # the full title, for the hover
    assert result[0].reasons[1].startswith("shares: ")


def test_low_seed_similarity_gives_no_seed_reason():
    protein = cand(
        51, "Folding", "protein structure prediction folding", authors=("Cengiz Pehlevan",)
    )
    kernel = cand(
        50, "Wide networks", "gradient descent training dynamics of the neural tangent kernel"
    )
    spec = ProfileSpec(name="p", seeds=(KERNEL_SEED,), authors=("C. Pehlevan",), max_items=40)
    result = rank([*day(), kernel, protein], spec, now=NOW, index=index())
    assert reasons_of(result, "Folding") == ("by C. Pehlevan (followed)",)
    # papers below the day's top tenth of seed similarity: the generic reason, no cosine
    tail = [s.reasons for s in result[10:]]
    assert all(r == ("ranked by overall similarity to your profile",) for r in tail)
    assert not any("seed" in r or "shares" in r for rs in tail for r in rs)


def test_keyword_says_whether_it_matched_in_the_title_or_the_abstract():
    papers = [
        *day(),
        cand(60, "Score matching for diffusion", "We train a model."),
        cand(61, "A sampler", "We use score matching to train it."),
    ]
    spec = ProfileSpec(name="p", keywords=(("score matching", 1.0),))
    result = rank(papers, spec, now=NOW, index=index())
    assert reasons_of(result, "Score matching for diffusion") == (
        "keyword 'score matching' in the title",
    )
    assert reasons_of(result, "A sampler") == ("keyword 'score matching' in the abstract",)


def test_shares_names_the_terms_that_made_the_cosine():
    idx = index()
    seed = SeedPaper("s", "kernels", BACKGROUND_TOPICS["kernels"])
    paper = cand(70, "Mixed", BACKGROUND_TOPICS["kernels"] + " " + BACKGROUND_TOPICS["proteins"])
    signals = PaperSignals([paper], idx)
    query = np.asarray(signals.paper_vectors([seed]).toarray()).ravel()
    row = row_terms(signals.vectors, 0)
    vocab = vocabulary(idx, {})
    named = top_terms(row, query[row[0]], vocab, Words(paper.abstract))
    parts = dict(contributions(*row, query[row[0]]))
    full = signals.vectors[0].multiply(query).toarray().ravel()  # the elementwise product
    assert parts == {c: pytest.approx(float(full[c])) for c in np.flatnonzero(full > 0)}
    assert named and len(named) <= 3
    heaviest = max(parts.values())
    for term in named:  # each named term is in the seed and the paper, and weighs
        assert term in BACKGROUND_TOPICS["kernels"] and term in paper.abstract
    words = {w for t in named for w in t.split()}
    assert not words & set(BACKGROUND_TOPICS["proteins"].split())  # in the paper, not the seed
    top_col = max(parts, key=parts.get)
    assert set(vocab.words(top_col)) <= words  # the heaviest summand is named
    assert all(p <= heaviest for p in parts.values())


def test_liked_papers_close_to_a_paper_are_counted():
    graphs = BACKGROUND_TOPICS["graphs"]
    liked = tuple(SeedPaper(f"l{k}", f"Liked {k}: on graphs", graphs) for k in range(3))
    disliked = (SeedPaper("d", "Disliked", BACKGROUND_TOPICS["vision"]),)
    papers = [*day(), cand(80, "Message passing", graphs)]
    spec = ProfileSpec(name="p", liked=liked, disliked=disliked)
    [top, *_] = rank(papers, spec, now=NOW, index=index())
    assert top.paper.title == "Message passing"
    likes = next(r for r in top.why if r.text.startswith("you liked"))
    assert likes.text == "you liked 3 similar papers"
    assert likes.detail == "Liked 0; Liked 1; Liked 2"


def test_trending_only_well_above_the_days_typical_upvotes():
    hot = cand(90, "Hot", "We study t3w0.", upvotes=31)
    quiet = [cand(k + 1, f"Paper {k}", "We study t4w1.", upvotes=2) for k in range(20)]
    spec = ProfileSpec(name="p", keywords=(("t3w0", 1.0),))
    [top, *_] = rank([*quiet, hot], spec, now=NOW, index=index())
    assert top.reasons == (
        "keyword 't3w0' in the abstract",
        "trending: 31 upvotes on Hugging Face",
    )
    busy = [cand(k + 1, f"Paper {k}", "We study t4w1.", upvotes=25) for k in range(20)]
    [top, *_] = rank([*busy, hot], spec, now=NOW, index=index())
    assert top.reasons == ("keyword 't3w0' in the abstract",)  # 31 is a usual day there


def test_at_most_three_reasons_strongest_first():
    kernel = cand(
        50,
        "Wide networks",
        "gradient descent training dynamics of the neural tangent kernel",
        authors=("Greg Yang",),
        categories=("math.PR",),
    )
    papers = [*day(categories=("cs.LG",)), kernel]
    spec = ProfileSpec(
        name="p",
        seeds=(KERNEL_SEED,),
        keywords=(("neural tangent kernel", 1.0),),
        authors=("G. Yang",),
        categories=("math.PR",),
    )
    [top, *_] = rank(papers, spec, now=NOW, index=index())
    assert len(top.reasons) == 3  # of five that apply, the three that weigh most
    assert top.reasons[0] == "very close to your seed “Tensor Programs IV”"  # seeds 1.5
    assert set(top.reasons[1:]) <= {
        "shares: neural tangent kernel, gradient descent training dynamics",
        "keyword 'neural tangent kernel' in the abstract",
        "by G. Yang (followed)",
    }
    assert "in your category math.PR" not in top.reasons  # weighs 0.4: the fourth


@pytest.mark.parametrize(
    "title,short",
    [
        ("Tensor Programs IV: Feature Learning in Infinite-Width Networks", "Tensor Programs IV"),
        ("Grokking - a second look at weight decay", "Grokking"),
        ("One two three four five six seven eight", "One two three four five six…"),
        ("Attention is all you need", "Attention is all you need"),
    ],
)
def test_short_title(title, short):
    assert short_title(title) == short


def test_terms_are_written_as_the_abstract_writes_them():
    text = Words("Score matching is used. We use Wasserstein gradient flow and score matching.")
    assert as_written("score matching", text) == "score matching"
    assert as_written("wasserstein gradient flow", text) == "Wasserstein gradient flow"
    assert as_written("absent term", text) == "absent term"
    titled = Words("We study it.", "Sparse Attention for LLMs")
    assert as_written("sparse attention", titled) == "sparse attention"  # title case: not kept
    assert as_written("llms", titled) == "LLMs"  # an acronym is


def test_the_seed_named_is_the_one_close_to_the_paper():
    protein_seed = SeedPaper("s2", "Folding at scale", BACKGROUND_TOPICS["proteins"])
    papers = [
        *day(),
        cand(
            50, "Wide networks", "gradient descent training dynamics of the neural tangent kernel"
        ),
        cand(51, "Folding", "protein structure prediction from amino acid sequence"),
    ]
    spec = ProfileSpec(name="p", seeds=(KERNEL_SEED, protein_seed))
    result = rank(papers, spec, now=NOW, index=index())
    assert reasons_of(result, "Wide networks")[0].endswith("to your seed “Tensor Programs IV”")
    assert reasons_of(result, "Folding")[0].endswith("to your seed “Folding at scale”")


def test_reason_precision_counts_the_top_ten_with_and_without_the_seed_reason():
    import importlib.util
    from pathlib import Path

    from models.records import ScoredPaper

    path = Path(__file__).resolve().parents[1] / "bench" / "reason_precision.py"
    spec = importlib.util.spec_from_file_location("reason_precision", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tally = module.ReasonPrecision()
    why = {0: "very close to your seed “A”", 1: "close to your seed “B”", 2: "shares: x"}
    ranked = [
        ScoredPaper(cand(n, f"P{n}"), 1.0, (why.get(n % 4, "by X (followed)"),)) for n in range(12)
    ]
    rels = [1, 1, 0, 0] * 3  # papers 10 and 11 are past the top ten: not counted
    tally.add(ranked, rels)
    got = tally.report()
    assert (got["shown"], got["not_shown"]) == (6, 4)  # n % 4 in (0, 1) among 0..9
    assert got["with_reason"] == 1.0 and got["without_reason"] == 0.0
    assert got["every_top10"] == 0.6 and got["very_close_shown"] == 3
