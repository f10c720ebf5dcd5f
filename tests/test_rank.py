"""Each ranking signal and its reason, on hand-built papers."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import scipy.sparse as sp

from models.records import ProfileSpec, SeedPaper
from paperround.rank import author_key, rank
from tests.records import background
from tests.records import candidate as cand

NOW = datetime(2026, 11, 23, tzinfo=UTC)


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
    assert result[0].reasons == ("keyword 'neural tangent kernel' in the title",)


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
        result[0].reasons[0]
        == "very close to your seed “Feature learning in infinite-width networks”"
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
    assert result[0].reasons == ("by Francis Bach (followed)",)


def test_primary_category_above_cross_list_and_small_popularity_prior():
    papers = [
        cand(1, "Cross-listed", categories=("math.OC", "cs.LG")),
        cand(2, "Primary", categories=("cs.LG", "stat.ML")),
        cand(3, "Popular but elsewhere", categories=("cs.CV",), upvotes=200),
    ]
    result = rank(papers, ProfileSpec(name="p", categories=("cs.LG",)), now=NOW)
    assert titles(result)[:2] == ["Primary", "Cross-listed"]
    # cs.LG is on two of the day's three papers: it sets neither apart (tests/test_reasons.py)
    assert result[0].reasons == ("in your category cs.LG, like most of today's papers",)
    assert result[2].reasons == ("trending: 200 upvotes on Hugging Face",)


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


# -- the fitted index, batch ranking, feedback models, diversity ---------------------------


def test_index_vocabulary_matches_countvectorizer_and_vectors_are_unit_length():
    from sklearn.feature_extraction.text import CountVectorizer

    from paperround.rank import build_index

    window = background()
    index = build_index(window, min_df=2, max_df=0.5)
    texts = [f"{p.title}. {p.abstract}" for p in window]
    cv = CountVectorizer(ngram_range=(1, 2), stop_words="english", min_df=2, max_df=0.5).fit(texts)
    assert index.n_terms == len(cv.vocabulary_)
    vecs = index.vectors(texts[:3])
    assert abs(vecs[:3] - index.background[:3]).max() < 1e-6
    norms = np.sqrt(np.asarray(vecs.multiply(vecs).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0, atol=1e-5)
    assert index.vectors(["zzz qqq"]).nnz == 0  # unknown words are ignored


def test_tokens_are_what_the_token_regex_finds_in_ascii_and_other_texts():
    from paperround.rank.text import _BREAK, _TOKEN, _words

    texts = [
        "Score-matching (SM) of x_t: a 2-step   method\ton\nR^2 [1]; 3.5% (i.e. ok)",
        "Naïve Σ-models: ΣΑΣ, x²y and the—dash",  # not ASCII: the regex itself
        "",
        "a",
        "__ _ a_b x-y",
        "ab\x1ccd\x1fef\x00gh",  # control characters: not word characters
    ]
    words = _words(texts)
    assert words == _TOKEN.findall(f" {_BREAK} ".join(texts).lower())
    assert words[:5] == ["score", "matching", "sm", "of", "x_t"]
    assert _words(["__ _ a_b x-y"]) == ["__", "a_b"]


def test_latent_space_joins_the_words_of_one_topic_and_projects_window_rows():
    from paperround.rank import build_index

    window = background()
    assert build_index(window).latent_dims > 34  # as many as the window allows, up to 256
    index = build_index(window, latent_dims=34)  # one per topic: words of a topic merge
    texts = [f"{p.title}. {p.abstract}" for p in window[:3]]
    assert np.allclose(index.to_latent(index.vectors(texts)), index.latent[:3], atol=1e-4)
    a, b, c = index.vectors(
        ["neural tangent kernel", "gradient descent training dynamics", "protein folding"]
    )
    assert (a @ b.T).nnz == 0  # no shared term: the sparse cosine is 0
    la, lb, lc = index.to_latent(sp.vstack([a, b, c]))
    cos = lambda x, y: float(x @ y / np.linalg.norm(x) / np.linalg.norm(y))  # noqa: E731
    assert cos(la, lb) > 0.5 > cos(la, lc)  # same topic in the window: close in latent space
    tiny = build_index(window[:20])  # too few papers for a latent space: sparse only
    assert tiny.latent_dims == 0
    spec = ProfileSpec(name="p", seeds=(SeedPaper("s", "kernel", "neural tangent kernel"),))
    assert titles(rank(window[:3], spec, now=NOW, index=tiny))


def test_rank_with_index_finds_the_topic_of_the_seeds_and_rank_many_agrees():
    from paperround.rank import build_index, rank_many

    index = build_index(background())
    seeds = tuple(
        SeedPaper(f"s{i}", "kernel paper", "neural tangent kernel at infinite width")
        for i in range(3)
    )
    papers = [
        cand(1, "Graph benchmark", "message passing node classification graph neural network"),
        cand(2, "Wide networks", "gradient descent training dynamics of the neural tangent kernel"),
        cand(3, "Folding", "protein structure prediction from amino acid sequence"),
    ]
    spec = ProfileSpec(name="p", seeds=seeds)
    alone = rank(papers, spec, now=NOW, index=index)
    assert titles(alone)[0] == "Wide networks"
    assert alone[0].reasons[0] == "close to your seed “kernel paper”"
    other = ProfileSpec(name="q", keywords=(("protein", 1.0),))
    batch = rank_many(papers, [spec, other], now=NOW, index=index)
    assert [s.score for s in batch[0]] == [s.score for s in alone]
    assert titles(batch[1]) == ["Folding"]
    assert batch[1][0].reasons == ("keyword 'protein' in the abstract",)


def test_feedback_model_is_trained_once_per_feedback_and_gives_its_reason():
    from paperround.rank import build_index

    index = build_index(background())
    liked = tuple(
        SeedPaper(f"l{i}", f"liked {i}", "graph neural network message passing") for i in range(3)
    )
    disliked = tuple(
        SeedPaper(f"d{i}", f"disliked {i}", "image segmentation pixel labels") for i in range(3)
    )
    papers = [
        cand(1, "Segmenting images", "image segmentation with pixel labels"),
        cand(2, "Message passing", "graph neural network message passing for node classification"),
    ]
    spec = ProfileSpec(name="p", liked=liked, disliked=disliked)
    cache: dict = {}
    result = rank(papers, spec, now=NOW, index=index, cache=cache)
    assert titles(result) == ["Message passing"]  # the disliked topic scores below zero
    models = [k for k in cache if k.startswith("f:")]
    assert len(models) == 1
    assert "you liked 3 similar papers" in result[0].reasons
    model = cache[models[0]]
    rank(papers, spec, now=NOW, index=index, cache=cache)
    assert cache[models[0]] is model  # same feedback: not retrained
    more = replace(spec, disliked=(*disliked, SeedPaper("d9", "x", "protein folding")))
    rank(papers, more, now=NOW, index=index, cache=cache)
    assert len([k for k in cache if k.startswith("f:")]) == 2  # changed feedback: a new model


def test_near_duplicate_titles_collapse_beyond_exact_matches():
    from paperround.rank.select import near_duplicate, title_words

    a = title_words("Scaling Laws for Sparse Mixture-of-Experts Language Models")
    b = title_words("Scaling laws for sparse mixture of experts language models.")
    c = title_words("Scaling laws for dense language models")
    assert near_duplicate(a, b)
    assert not near_duplicate(a, c)


def test_mmr_diversity_lets_a_different_topic_into_a_short_digest():
    papers = [
        cand(1, "Grokking in transformers", "grokking transformers modular arithmetic"),
        cand(2, "Grokking in transformers again", "grokking transformers modular arithmetic data"),
        cand(3, "Grokking and weight decay", "grokking weight decay regularisation"),
    ]
    kw = (("grokking", 1.0), ("transformers", 0.5))
    plain = rank(papers, ProfileSpec(name="p", keywords=kw, max_items=2), now=NOW)
    diverse = rank(
        papers,
        ProfileSpec(name="p", keywords=kw, max_items=2, weights={"diversity": 1.0}),
        now=NOW,
    )
    assert titles(plain) == ["Grokking in transformers", "Grokking in transformers again"]
    assert titles(diverse) == ["Grokking in transformers", "Grokking and weight decay"]


def test_popularity_alone_is_a_small_prior():
    papers = [cand(1, "Feature learning at infinite width", "feature learning", upvotes=42)]
    [only_pop] = rank(papers, ProfileSpec(name="q"), now=NOW)
    assert only_pop.score == round(0.15 * math.log1p(42) / 5, 4)
    assert only_pop.reasons == ("ranked by your profile overall",)  # 42 is this day's typical


def test_whole_phrase_search_agrees_with_the_word_boundary_regex():
    import random
    import re

    from paperround.rank.signals import _whole_phrase_at

    rng = random.Random(3)
    words = [
        "ntk",
        "neural",
        "tangent",
        "kernel",
        "kernels",
        "x-ray",
        "é",
        "_a",
        "1",
        " ",
        ".",
        "-",
    ]
    phrases = ["neural tangent kernel", "ntk", "x-ray", "kernel", "-", "é", "_a", "1"]
    for _ in range(300):
        text = "".join(rng.choice(words) + rng.choice(["", " ", "-", "\x00"]) for _ in range(12))
        for phrase in phrases:
            expected = [m.start() for m in re.finditer(rf"\b{re.escape(phrase)}\b", text)]
            assert _whole_phrase_at(text, phrase) == expected, (text, phrase)


def test_seed_similarity_product_split_by_term_equals_the_sparse_product(monkeypatch):
    from paperround.rank import query

    rng = np.random.default_rng(1)
    vectors = sp.random(40, 300, density=0.05, format="csr", dtype=np.float32, random_state=rng)
    common = sp.csr_matrix(rng.random((7, 20)).astype(np.float32))  # terms every query holds
    rare = sp.random(7, 280, density=0.3, format="csr", dtype=np.float32, random_state=rng)
    queries = sp.hstack([common, rare])
    monkeypatch.setattr(query, "PRODUCT_BLOCK", 3)  # blocks of 3, 3 and 1 queries
    monkeypatch.setattr(query, "DENSE_TERM_SHARE", 0.5)  # both parts used in each block
    got = query.dense_product(vectors, queries.tocsr())
    assert got.shape == (40, 7)
    assert np.allclose(got, (vectors @ queries.T).toarray(), atol=1e-6)


def test_feedback_models_are_dual_ridge_and_window_rows_give_the_same_model():
    from sklearn.linear_model import Ridge

    from paperround.rank import build_index
    from paperround.rank import feedback as fb
    from paperround.rank.signals import PaperSignals

    window = background()
    big, tiny = build_index(window), build_index(window[:40])
    assert big.latent_dims and not tiny.latent_dims
    y = np.r_[np.ones(4), -np.ones(8)]
    x = big.background[:12]  # the tf-idf model (a store too young for a latent space)
    primal = Ridge(alpha=fb.RIDGE, fit_intercept=False).fit(x.toarray(), y).coef_
    assert np.allclose(fb.train(x, y).weights.toarray().ravel(), primal, atol=1e-5)
    z = big.latent[:12]  # the latent model: the same over normalised latent rows
    zn = z / np.linalg.norm(z, axis=1, keepdims=True)
    primal = Ridge(alpha=fb.LATENT_RIDGE, fit_intercept=False).fit(zn, y).coef_
    assert np.allclose(fb.train_latent(z, y).latent, primal, atol=1e-5)

    liked = [SeedPaper(c.key, c.title, c.abstract) for c in window[:3]]
    disliked = [SeedPaper(c.key, c.title, c.abstract) for c in window[30:33]]
    texts = [f"{p.title}. {p.abstract}" for p in (*liked, *disliked)]
    for index in (big, tiny):
        signals = PaperSignals(window[:5], index)
        assert signals.window_rows(liked) == [0, 1, 2]  # window rows are reused, not re-read
        assert signals.window_rows([*liked, SeedPaper("new", "t", "a")]) is None
        model = fb.model_for(liked, disliked, signals, None)
        # the same model from the papers' texts and the same in-store negatives
        key = fb.feedback_key([p.key for p in liked], [p.key for p in disliked], index)
        rows = fb.in_store_negatives(index, seed=int(key[:8], 16))
        y = np.r_[np.ones(3), -np.ones(3), -fb.NEGATIVE_WEIGHT * np.ones(len(rows))]
        vecs = index.vectors(texts)
        if index.latent_dims:
            z = np.vstack([index.to_latent(vecs), index.latent[rows]])
            assert model.weights is None
            assert np.allclose(model.latent, fb.train_latent(z, y).latent, atol=1e-3)
        else:
            x = sp.vstack([vecs, index.background[rows]]).tocsr()
            assert model.latent is None and model.weights.nnz
            assert np.allclose(model.weights.toarray(), fb.train(x, y).weights.toarray())


def test_unit_rows_is_sklearns_normalize_bit_for_bit():
    from sklearn.preprocessing import normalize

    from paperround.rank.text import unit_rows

    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64, np.int64):
        x = (rng.standard_normal((40, 9)) * 3).astype(dtype)
        x[5] = 0  # a zero row stays zero
        got, want = unit_rows(x), normalize(x)
        assert got.dtype == want.dtype and np.array_equal(got, want)
        assert got is not x
