"""The discriminative profile model (rank/profile_model.py): its closed form, its share of
the seed signal as evidence grows, its cache and its record in the query log."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from models.records import ProfileSpec, SeedPaper
from paperround.rank import build_index, rank_many
from paperround.rank import profile_model as pm
from paperround.rank.query_log import append_queries, load_queries
from paperround.rank.signals import PaperSignals
from paperround.rank.text import unit_rows
from tests.records import background
from tests.records import candidate as cand

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def seeds_like(window, topic: str, n: int) -> tuple[SeedPaper, ...]:
    return tuple(
        SeedPaper(p.key, p.title, p.abstract) for p in window if p.title.startswith(topic)
    )[:n]


def test_share_grows_with_seeds_and_feedback_and_is_capped():
    one = SeedPaper("a", "t", "x")
    many = tuple(SeedPaper(f"s{i}", "t", "x") for i in range(500))
    shares = [pm.blend_weight(ProfileSpec("p", seeds=many[:n])) for n in (1, 5, 8, 12, 20, 500)]
    assert shares[:2] == [0.0, 0.0]  # a few seeds: the expanded centroid alone
    assert 0 < shares[2] < shares[3] < shares[4] == shares[5] == pm.MAX_WEIGHT
    clicks = ProfileSpec("p", seeds=many[:5], liked=(one,) * 2, disliked=(one,) * 5)
    assert pm.blend_weight(clicks) == pm.blend_weight(ProfileSpec("p", seeds=many[:12]))


def test_closed_form_is_the_balanced_weighted_ridge():
    window = background()
    index = build_index(window)
    signals = PaperSignals(window[:5], index)
    seeds = seeds_like(window, "topic3 ", 4)
    disliked = seeds_like(window, "topic7 ", 2)
    profile = ProfileSpec("p", seeds=seeds, disliked=disliked)
    got = pm.train(profile, signals, {})
    # the same model by weighted least squares over explicit rows
    rows = lambda papers: np.hstack(  # noqa: E731
        [unit_rows(signals.paper_latent(papers)).astype(np.float64), np.ones((len(papers), 1))]
    )
    z = np.vstack(
        [
            np.hstack([unit_rows(np.asarray(index.latent, np.float64)), np.ones((len(index), 1))]),
            rows(seeds),
            rows(disliked),
        ]
    )
    y = np.r_[np.zeros(len(index)), np.ones(len(seeds)), np.zeros(len(disliked))]
    c = np.r_[
        np.full(len(index), 1 / len(index)),
        np.full(len(seeds), 1 / len(seeds)),
        np.full(len(disliked), pm.DISLIKE_WEIGHT / len(seeds)),
    ]
    dims = index.latent_dims
    reg = np.diag(np.r_[np.full(dims, pm.RIDGE / dims), 0.0])
    want = np.linalg.solve(z.T @ (c[:, None] * z) + reg, z.T @ (c * y))
    assert np.allclose(got, want, atol=1e-4)


def test_model_ranks_the_seeds_topic_first_and_dislikes_pull_their_topic_down(monkeypatch):
    window = background()
    index = build_index(window)
    text = {p.title: p.abstract for p in window}
    papers = [
        cand(1, "t3", text["topic3 study 9"]),  # topic 3's words, not a seed
        cand(2, "t7", text["topic7 study 9"]),
        cand(3, "t9", text["topic9 study 9"]),
    ]
    signals = PaperSignals(papers, index)
    only3 = pm.model_scores(ProfileSpec("p", seeds=seeds_like(window, "topic3 ", 8)), signals, {})
    assert only3[0] > 0.5 > max(only3[1:])  # about 1 for the seeds' topic, 0 for the window's
    seeds = seeds_like(window, "topic3 ", 4) + seeds_like(window, "topic7 ", 1)
    plain = pm.model_scores(ProfileSpec("p", seeds=seeds), signals, {})
    hard = ProfileSpec("p", seeds=seeds, disliked=seeds_like(window, "topic7 ", 9)[1:])
    # As shipped, dislikes are not the model's negatives (they cost the simulated reader).
    assert np.allclose(pm.model_scores(hard, signals, {}), plain)
    monkeypatch.setattr(pm, "DISLIKE_WEIGHT", 1.0)  # the mechanism, when they weigh
    pulled = pm.model_scores(hard, signals, {})
    assert pulled[1] < plain[1] - 0.1 and pulled[0] > 0.5  # hard negatives count


def test_model_is_cached_used_with_many_seeds_and_saved_in_the_query_log(tmp_path):
    window = background()
    index = build_index(window)
    papers = [cand(i, window[i].title, window[i].abstract) for i in range(0, 300, 7)]
    many = ProfileSpec("p", seeds=seeds_like(window, "topic3 ", 10), max_items=40)
    few = ProfileSpec("q", seeds=many.seeds[:1], max_items=40)
    cache: dict = {}
    rank_many(papers, [many, few], now=NOW, index=index, cache=cache)
    models = [k for k in cache if k.startswith("m:")]
    assert models == [pm.model_key(many, index.fingerprint)]  # one seed: no model
    held = cache[models[0]]
    rank_many(papers, [many], now=NOW, index=index, cache=cache)
    assert cache[models[0]] is held  # same seeds, same index: not retrained
    append_queries(tmp_path, {models[0]: held})
    loaded = load_queries(tmp_path, n_terms=index.n_terms)
    assert np.array_equal(loaded[models[0]][1], held[1])
    signals = PaperSignals(papers, index)
    assert np.allclose(
        pm.model_scores(many, signals, loaded), pm.model_scores(many, signals, {}), atol=1e-6
    )


def test_blend_keeps_the_seed_signals_scale_and_order_at_share_zero():
    seed = np.array([0.1, 0.3, 0.2, 0.0], np.float32)
    model = np.array([5.0, -1.0, 2.0, 0.0])
    assert pm.blend(seed, model, 0.0) is seed
    full = pm.blend(seed, model, 1.0)
    assert np.isclose(full.mean(), seed.mean()) and np.isclose(full.std(), seed.std())
    assert list(np.argsort(full)) == list(np.argsort(model))


def test_rank_cache_notes_profile_models_to_save_them_with_the_queries():
    from paperround.ranking import RankCache

    cache = RankCache()
    cache["q:a"], cache["m:b"], cache["f:c"], cache["w:d"] = 1, 2, 3, 4
    assert cache.unsaved == ["q:a", "m:b"]  # likes models and window moments stay in memory
