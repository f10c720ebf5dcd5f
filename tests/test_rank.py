"""Each ranking signal and its reason, on hand-built papers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from models.records import Candidate, ProfileSpec, SeedPaper
from paperround.rank import author_key, rank

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def cand(n: int, title: str, abstract: str = "", **kw) -> Candidate:
    return Candidate(paper_id=n, key=f"2611.{n:05d}", title=title, abstract=abstract, **kw)


def titles(result) -> list[str]:
    return [s.paper.title for s in result]


def test_keyword_phrase_match_with_reason_and_exclusion():
    papers = [
        cand(1, "The neural tangent kernel at finite width"),
        cand(2, "Tangent spaces of neural manifolds"),  # words, not the phrase
        cand(3, "Neural tangent kernel for medical imaging"),
    ]
    spec = ProfileSpec(name="p", keywords=(("neural tangent kernel", 2.0),), excluded=("medical",))
    result = rank(papers, spec, now=NOW)
    assert titles(result) == ["The neural tangent kernel at finite width"]
    assert result[0].reasons == ("matches 'neural tangent kernel'",)


def test_seed_similarity_ranks_the_closer_paper_first_and_names_the_seed():
    seed = SeedPaper(
        "s1",
        "Feature learning in infinite-width networks",
        "Tensor programs show feature learning in the maximal update parametrization "
        "of infinite width neural networks trained by gradient descent.",
    )
    papers = [
        cand(1, "Protein folding with transformers", "We predict protein structures."),
        cand(
            2,
            "Maximal update parametrization and feature learning",
            "Feature learning at infinite width under the maximal update parametrization.",
        ),
    ]
    result = rank(papers, ProfileSpec(name="p", seeds=(seed,)), now=NOW)
    assert titles(result)[0] == "Maximal update parametrization and feature learning"
    assert (
        result[0]
        .reasons[0]
        .startswith("close to your seed paper Feature learning in infinite-width networks (0.")
    )


def test_followed_authors_match_across_name_forms():
    assert author_key("Smith, John") == author_key("J. Smith") == author_key("John Smith")
    assert author_key("Zoë Müller") == author_key("Z. Muller")
    papers = [
        cand(1, "Anything", authors=("Lénaïc Chizat", "F. Bach")),
        cand(2, "Other", authors=("Someone Else",)),
    ]
    result = rank(papers, ProfileSpec(name="p", authors=("Francis Bach",)), now=NOW)
    assert titles(result) == ["Anything"]
    assert result[0].reasons == ("by Francis Bach, whom you follow",)


def test_primary_category_above_cross_list_and_small_popularity_prior():
    papers = [
        cand(1, "Cross-listed", categories=("math.OC", "cs.LG")),
        cand(2, "Primary", categories=("cs.LG", "stat.ML")),
        cand(3, "Popular but elsewhere", categories=("cs.CV",), upvotes=200),
    ]
    result = rank(papers, ProfileSpec(name="p", categories=("cs.LG",)), now=NOW)
    assert titles(result)[:2] == ["Primary", "Cross-listed"]
    assert result[0].reasons[0] == "in your category cs.LG"
    assert "200 upvotes on Hugging Face" in result[2].reasons


def test_dislikes_pull_similar_papers_down():
    disliked = SeedPaper(
        "d", "Large language model agents for web browsing", "LLM agents browse the web."
    )
    papers = [
        cand(1, "Web browsing agents with large language models", "LLM agents browse"),
        cand(2, "Gradient descent on wide networks", "Gradient descent dynamics."),
    ]
    spec = ProfileSpec(name="p", keywords=(("agents", 1.0), ("gradient descent", 1.0)))
    plain = {s.paper.paper_id: s.score for s in rank(papers, spec, now=NOW)}
    with_dislike = rank(papers, replace(spec, disliked=(disliked,)), now=NOW)
    scores = {s.paper.paper_id: s.score for s in with_dislike}
    assert plain[1] == plain[2]  # one keyword each
    assert scores.get(1, 0) < plain[1] and scores[2] == plain[2]


def test_near_duplicates_collapse_and_limits_apply():
    papers = [
        cand(1, "Grokking, revisited", "grokking"),
        cand(2, "Grokking revisited", "grokking"),
        cand(3, "Grokking in the wild", "grokking"),
    ]
    spec = ProfileSpec(name="p", keywords=(("grokking", 1.0),), max_items=5)
    assert len(rank(papers, spec, now=NOW)) == 2
    assert (
        len(
            rank(papers, ProfileSpec(name="p", keywords=(("grokking", 1.0),), max_items=1), now=NOW)
        )
        == 1
    )
    assert (
        rank(papers, ProfileSpec(name="p", keywords=(("grokking", 1.0),), min_score=5), now=NOW)
        == []
    )
