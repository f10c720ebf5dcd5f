"""The ranker's fitted index for one store, and ranking a profile's candidates with it.

The index is fitted on a recent window of the store and saved under
$PAPERROUND_HOME/index/<fingerprint>/ (paperround/rank/store.py), so every process that
ranks loads it instead of fitting its own: under `paperround serve` or a process worker
each flow run is a fresh process. It is refitted when stale (a week after its fit, or once
the store has grown by a tenth), by one process at a time (a file lock): a process that
finds another fitting waits and loads its result, so one fit serves every process until
the next refit. The profiles' expanded queries are saved beside it (rank/query_log.py). A
process keeps what it loaded (and its caches) between its own runs. The ranking itself is
paperround.rank's pure functions.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from models.records import ScoredPaper, StoredProfile
from models.store import candidates, profile_views

if TYPE_CHECKING:  # the ranker is imported when first used (numpy, scipy, scikit-learn)
    from paperround.rank.text import TextIndex

log = logging.getLogger(__name__)

RANK_WINDOW = timedelta(days=90)  # the ranker's vocabulary comes from this much of the store
RANK_WINDOW_PAPERS = 50_000  # and at most this many papers
RANK_MIN_WINDOW = 200  # below this the ranker fits on the candidates themselves
RANK_REFIT_AFTER = timedelta(days=7)  # IDF drifts slowly; a refit also resets cached queries
INDEX_DIR = "index"  # under the home: one folder per saved index, the lock, fits.log
FITS_LOG = "fits.log"  # one JSON line per fit: what a benchmark or an operator counts


class RankCache(dict[str, Any]):
    """The ranker's cache (rank/__init__.py), noting the expanded queries and profile models
    added to it since they were last saved beside the index (rank/query_log.py)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.unsaved: list[str] = []

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        if isinstance(key, str) and key.startswith(("q:", "m:")):
            self.unsaved.append(key)


@dataclass
class RankState:
    """The ranker's fitted index and its caches for one store, kept between runs.

    Stale a week after its fit, or once the store has grown by a tenth since (a new store
    filling up). The cache holds profiles' expanded queries and feedback models, keyed by
    what they depend on (the index included), so between refits a profile whose seeds and
    feedback did not change costs no recomputation. The queries are also saved in the
    index's folder (`folder`), so a fresh process starts with those of every process before.
    """

    index: TextIndex | None
    built: datetime
    papers: int
    cache: RankCache = field(default_factory=RankCache)
    checked: datetime | None = None  # the run that last checked staleness
    folder: Path | None = None  # where the index is saved (None: not saved)


_RANK_STATES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_STATES_LOCK = threading.Lock()  # threads of one process: one loads or fits, the rest wait


def _fresh(built: datetime, papers: int, *, now: datetime, count: int) -> bool:
    return timedelta(0) <= now - built < RANK_REFIT_AFTER and count <= papers * 1.1


def rank_state(*, engine: Engine, now: datetime, home: Path | None = None) -> RankState:
    """The store's index and caches: this process's while fresh, else the saved index
    while fresh, else one fitted now (by this process or one it waited for) and saved."""
    with _STATES_LOCK:
        state = _RANK_STATES.get(engine)
        if state is not None and state.checked == now:
            return state  # one run ("now" read once) ranks many profiles: count the store once
        count = candidates.count_papers(engine=engine)
        if state is not None and _fresh(state.built, state.papers, now=now, count=count):
            state.checked = now
            return state
        index, built, papers, folder = _index_for(engine, now=now, count=count, home=home)
        keep = state is not None and len(state.cache) < 100_000
        cache = state.cache if keep and state is not None else RankCache()
        if folder is not None:
            from paperround.rank.query_log import load_queries

            dict.update(cache, load_queries(folder, n_terms=index.n_terms))
        cache.unsaved.clear()
        state = RankState(index, built, papers, cache=cache, checked=now, folder=folder)
        _RANK_STATES[engine] = state
        return state


def _index_for(engine: Engine, *, now: datetime, count: int, home: Path | None):
    """(index or None, when it was fitted, store size then, its folder or None): loaded
    when a fresh one is saved, else fitted under the lock (unless the process we waited
    for just did)."""
    from paperround.rank import store as index_store

    parent = _index_parent(engine, home)
    if parent is None:  # an in-memory store dies with its process: nothing worth saving
        return _fit(engine, now=now), now, count, None
    store = _store_id(engine)
    found = _load_fresh(parent, store=store, now=now, count=count, engine=engine)
    if found is not None:
        return found
    try:
        with index_store.fit_lock(parent):
            return _load_or_fit(parent, store=store, now=now, count=count, engine=engine)
    except OSError as exc:  # no lock to be had (a read-only home...): this process alone
        log.warning("the ranker's index cannot be saved in %s (%s); fitting it here", parent, exc)
        return _fit(engine, now=now), now, count, None


def _load_or_fit(parent: Path, *, store: str, now: datetime, count: int, engine: Engine):
    """Under the lock: the index the process we waited for saved, else one fitted and
    saved now. A failure to save (a full disk) leaves this process its fitted index."""
    from paperround.rank import store as index_store

    found = _load_fresh(parent, store=store, now=now, count=count, engine=engine)
    if found is not None:
        return found
    high_water = candidates.high_water(engine=engine)
    t0 = time.perf_counter()
    index = _fit(engine, now=now)
    if index is None:
        return None, now, count, None
    seconds = time.perf_counter() - t0
    meta = {"built": now.isoformat(), "papers": count, "high_water": high_water}
    meta |= {"store": store, "window": len(index), "fit_seconds": round(seconds, 2)}
    key = f"{index_store.CODE_VERSION}\x1f{index.fingerprint}\x1f{high_water}\x1f{store}"
    folder = parent / hashlib.sha256(key.encode()).hexdigest()[:16]
    log.info("fitted the ranker's index over %d papers in %.1f s", len(index), seconds)
    try:
        index_store.save_index(index, folder, meta=meta)
        index_store.prune(parent, folder, mine=lambda m: m.get("store") == store)
        with open(parent / FITS_LOG, "a", encoding="utf-8") as fits:
            fits.write(json.dumps({**meta, "folder": folder.name, "pid": os.getpid()}) + "\n")
    except OSError as exc:
        log.warning("the ranker's index was not saved in %s: %s", folder, exc)
        return index, now, count, None
    return index, now, count, folder


def _load_fresh(parent: Path, *, store: str, now: datetime, count: int, engine: Engine):
    """The newest saved index of this store if it is fresh, as _index_for returns it."""
    from paperround.rank import store as index_store

    saved = [(f, m) for f, m in index_store.indexes(parent) if m.get("store") == store]
    if not saved:
        return None
    folder, meta = max(saved, key=lambda fm: datetime.fromisoformat(fm[1]["built"]))
    built = datetime.fromisoformat(meta["built"])
    if not _fresh(built, meta["papers"], now=now, count=count):
        return None
    if meta["high_water"] > candidates.high_water(engine=engine):
        return None  # fitted on a store that has since been replaced
    t0 = time.perf_counter()
    loaded = index_store.load_index(folder)
    if loaded is None:
        return None
    log.info("loaded the ranker's index (%s) in %.3f s", folder, time.perf_counter() - t0)
    return loaded[0], built, meta["papers"], folder


def _fit(engine: Engine, *, now: datetime):
    from paperround.rank import build_index

    window = candidates.recent_papers(
        engine=engine, since=now - RANK_WINDOW, limit=RANK_WINDOW_PAPERS
    )
    return build_index(window) if len(window) >= RANK_MIN_WINDOW else None


def _index_parent(engine: Engine, home: Path | None) -> Path | None:
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    if home is None:
        from models.settings import get_settings

        home = get_settings().home
    return home / INDEX_DIR


def _store_id(engine: Engine) -> str:
    """Which store an index was fitted on: its URL (password hidden), hashed."""
    url = engine.url.render_as_string(hide_password=True)
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def rank_for(profile: StoredProfile, cands, *, engine: Engine, now: datetime) -> list[ScoredPaper]:
    """Rank with the store's index; its caches spare unchanged profiles any recomputation."""
    from paperround.rank import rank

    spec = profile_views.profile_spec(profile, engine=engine)
    state = rank_state(engine=engine, now=now)
    ranked = rank(cands, spec, now=now, index=state.index, cache=state.cache)
    _save_queries(state)
    return ranked


def _save_queries(state: RankState) -> None:
    """Append the queries this process expanded to the index's log, for later processes.
    A failure loses only that saving: they are expanded again next time."""
    from paperround.rank.query_log import append_queries

    cache = state.cache
    keys, cache.unsaved = cache.unsaved, []
    if state.folder is None or not keys:
        return
    fresh = {k: cache[k] for k in dict.fromkeys(keys) if k in cache}
    try:
        append_queries(state.folder, fresh)
    except OSError as exc:  # the folder pruned by a refit meanwhile, a full disk...
        log.info("expanded queries not saved in %s (%s); no longer saving them", state.folder, exc)
        state.folder = None
