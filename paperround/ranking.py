"""The ranker's fitted index for one store, and ranking a profile's candidates with it.

The index is fitted on a recent window of the store and reused between runs of the same
process (refitted when stale); the ranking itself is paperround.rank's pure functions.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from models.records import ScoredPaper
from models.store import candidates, profiles
from models.tables import Profile

RANK_WINDOW = timedelta(days=90)  # the ranker's vocabulary comes from this much of the store
RANK_WINDOW_PAPERS = 50_000  # and at most this many papers
RANK_MIN_WINDOW = 200  # below this the ranker fits on the candidates themselves
RANK_REFIT_AFTER = timedelta(days=7)  # IDF drifts slowly; a refit also resets cached queries


@dataclass
class RankState:
    """The ranker's fitted index and its caches for one store, kept between runs.

    Refitted when stale: a week after the last fit, or when the store has grown by a tenth
    since (a new store filling up). The cache holds profiles' expanded queries and feedback
    models, keyed by what they depend on (the index included), so between refits a profile
    whose seeds and feedback did not change costs no refit at all.
    """

    index: object | None
    built: datetime
    papers: int
    cache: dict = field(default_factory=dict)
    checked: datetime | None = None  # the run that last checked staleness


_RANK_STATES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def rank_state(*, engine: Engine, now: datetime) -> RankState:
    from paperround.rank import build_index

    state = _RANK_STATES.get(engine)
    if state is not None and state.checked == now:
        return state  # one run ("now" read once) ranks many profiles: count the store once
    count = candidates.count_papers(engine=engine)
    if (
        state is not None
        and timedelta(0) <= now - state.built < RANK_REFIT_AFTER
        and count <= state.papers * 1.1
    ):
        state.checked = now
        return state
    window = candidates.recent_papers(
        engine=engine, since=now - RANK_WINDOW, limit=RANK_WINDOW_PAPERS
    )
    index = build_index(window) if len(window) >= RANK_MIN_WINDOW else None
    cache = state.cache if state is not None and len(state.cache) < 100_000 else {}
    state = RankState(index=index, built=now, papers=count, cache=cache, checked=now)
    _RANK_STATES[engine] = state
    return state


def rank_for(profile: Profile, cands, *, engine: Engine, now: datetime) -> list[ScoredPaper]:
    """Rank with the store's cached index; its caches spare unchanged profiles any refit."""
    from paperround.rank import rank

    spec = profiles.profile_spec(profile, engine=engine)
    state = rank_state(engine=engine, now=now)
    return rank(cands, spec, now=now, index=state.index, cache=state.cache)
