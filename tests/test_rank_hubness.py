"""The hub correction of the seed signal (PaperSignals.hubness, query.hub_corrected): a
candidate close to everything in the window says less by being close to a profile's seeds."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from models.records import ProfileSpec, SeedPaper
from paperround.rank import build_index, rank
from paperround.rank import query as q
from paperround.rank import signals as sg
from paperround.rank.signals import PaperSignals
from paperround.rank.text import unit_rows
from tests.records import background
from tests.records import candidate as cand

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def test_hubness_is_the_mean_cosine_to_the_nearest_window_papers(monkeypatch):
    window = background()
    index = build_index(window)
    papers = [
        cand(1, "Mixed", "t1w0 t1w1 t2w0 t2w1 t3w0 t3w1 t4w0 t4w1"),
        cand(2, "Topic five", "t5w0 t5w1 t5w2 t5w3 t5w4 t5w5"),
        cand(3, "Nothing known", "zebra quokka"),
    ]
    for sample in (len(index), 100):  # the whole window, then an evenly spaced sample
        monkeypatch.setattr(sg, "HUB_SAMPLE", sample)
        signals = PaperSignals(papers, index)
        rows = np.linspace(0, len(index) - 1, min(sample, len(index))).astype(int)
        sims = signals.latent @ unit_rows(index.latent[rows]).T
        want = np.sort(sims, axis=1)[:, -sg.HUB_NEIGHBOURS :].mean(axis=1)
        assert np.allclose(signals.hubness, want, atol=1e-5)
    assert signals.hubness[1] > signals.hubness[2]  # its topic's papers are near; none are


def test_no_latent_space_no_hubness():
    window = background()[:20]  # too few papers for a latent space
    signals = PaperSignals(window[:3], build_index(window))
    assert signals.index.latent_dims == 0
    assert not signals.hubness.any()


def test_correction_lowers_hubs_keeps_mean_and_leaves_small_days_alone(monkeypatch):
    rng = np.random.default_rng(0)
    seed_sim = rng.normal(0.2, 0.05, 200).astype(np.float32)
    hub = rng.normal(0.5, 0.1, 200).astype(np.float32)
    seed_sim[:2], hub[:2] = 0.3, (0.9, 0.2)  # equally close to the seeds; the first a hub
    got = q.hub_corrected(seed_sim, hub)
    assert got[0] < got[1]
    assert np.isclose(got.mean(), seed_sim.mean(), atol=1e-6)
    want = seed_sim - q.HUB_WEIGHT * seed_sim.std() * (hub - hub.mean()) / hub.std()
    assert np.allclose(got, want, atol=1e-6)
    assert q.hub_corrected(seed_sim, np.full(200, 0.5, np.float32)) is seed_sim
    few = q.HUB_MIN_CANDIDATES - 1  # too few papers to measure spreads on
    assert np.array_equal(q.hub_corrected(seed_sim[:few], hub[:few]), seed_sim[:few])
    monkeypatch.setattr(q, "HUB_WEIGHT", 0.0)
    assert q.hub_corrected(seed_sim, hub) is seed_sim


def test_rank_applies_the_correction_to_the_seed_signal(monkeypatch):
    window = background()
    index = build_index(window)
    seeds = tuple(SeedPaper(p.key, p.title, p.abstract) for p in window[:3])
    papers = [p for n, p in enumerate(window) if n % 7 == 3]  # 49 candidates
    profile = ProfileSpec("p", seeds=seeds, max_items=len(papers), min_score=float("-inf"))
    corrected = {s.paper.key: s.score for s in rank(papers, profile, now=NOW, index=index)}
    monkeypatch.setattr(q, "HUB_WEIGHT", 0.0)
    plain = {s.paper.key: s.score for s in rank(papers, profile, now=NOW, index=index)}
    signals = PaperSignals(papers, index)
    hub = dict(zip((p.key for p in papers), signals.hubness, strict=True))
    shift = {k: plain[k] - corrected[k] for k in plain}
    keys = sorted(shift)
    # the scores moved down in step with each paper's hubness (seeds weigh 1.5)
    assert np.corrcoef([shift[k] for k in keys], [hub[k] for k in keys])[0, 1] > 0.99
