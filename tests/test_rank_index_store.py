"""The ranker's index on disk: saved whole or not at all, loaded to the same rankings, fitted
once however many processes rank against one home, and refitted once when stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from models.records import ProfileSpec, SeedPaper
from models.store.papers import upsert_records
from paperround import ranking
from paperround.rank import build_index, rank_many
from paperround.rank import store as index_store
from tests.records import BACKGROUND_TOPICS, arxiv_record, background, fake_id
from tests.records import candidate as cand

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)


def _profiles(window) -> list[ProfileSpec]:
    def seed(p):
        return SeedPaper(p.key, p.title, p.abstract)

    kernels = [p for p in window if p.title.startswith("kernels")]
    graphs = [p for p in window if p.title.startswith("graphs")]
    return [
        ProfileSpec("seeds", seeds=tuple(seed(p) for p in kernels[:3]), max_items=5),
        ProfileSpec(
            "likes",
            seeds=(seed(graphs[0]),),
            liked=tuple(seed(p) for p in graphs[1:4]),
            disliked=tuple(seed(p) for p in kernels[3:6]),
            max_items=5,
        ),
        ProfileSpec("words", keywords=(("protein structure", 1.0),), max_items=5),
    ]


def _day() -> list:
    return [
        cand(1, "Wide nets", "gradient descent training dynamics of the neural tangent kernel"),
        cand(2, "Graphs", "message passing for node classification with a graph neural network"),
        cand(3, "Folding", "protein structure prediction from the amino acid sequence"),
        cand(4, "Segments", "image segmentation with a convolutional network and pixel labels"),
        cand(5, "Kernels again", "infinite width limit and the tangent kernel of wide networks"),
    ]


def _picks(ranked) -> list:
    return [[(s.paper.key, s.score, s.reasons) for s in r] for r in ranked]


def test_a_saved_index_loads_to_the_same_rankings(tmp_path):
    for window in (background(), background()[:30]):  # with a latent space, and without
        fitted = build_index(window)
        folder = index_store.save_index(fitted, tmp_path / fitted.fingerprint, meta={"n": 1})
        loaded, meta = index_store.load_index(folder)
        assert meta == {"n": 1} and loaded.latent_dims == fitted.latent_dims
        assert loaded.tokens == fitted.tokens and loaded.keys == fitted.keys
        assert (loaded.background != fitted.background).nnz == 0
        assert isinstance(loaded.latent, np.ndarray) and not loaded.latent.flags.writeable
        profiles = _profiles(window)
        want = rank_many(_day(), profiles, now=NOW, index=fitted, cache={})
        got = rank_many(_day(), profiles, now=NOW, index=loaded, cache={})
        assert _picks(got) == _picks(want)
        assert any(s.reasons for r in want for s in r)


_KILLED_WRITER = """
import sys
from pathlib import Path
from paperround.rank import build_index
from paperround.rank import store
from tests.records import background

index = build_index(background())
write, calls = store._write_array, []
def write_then_hang(path, array):
    write(path, array)
    calls.append(path)
    if len(calls) == 3:  # some files are written, meta.json is not
        print("writing", flush=True)
        sys.stdin.read()  # hangs until killed: the test holds stdin open
store._write_array = write_then_hang
store.save_index(index, Path(sys.argv[1]), meta={})
"""


def test_a_writer_killed_midway_leaves_no_loadable_index(tmp_path):
    parent = tmp_path / "index"
    folder = parent / "abc"
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(folder)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline() == "writing\n", proc.stderr.read()
    proc.kill()
    proc.wait(timeout=30)
    left = [p.name for p in parent.iterdir()]
    assert len(left) == 1 and left[0].startswith(index_store.TEMP_PREFIX)  # the half index
    assert index_store.load_index(folder) is None
    assert index_store.load_index(parent / left[0]) is None
    assert list(index_store.indexes(parent)) == []
    whole = index_store.save_index(build_index(background()), parent / "def", meta={})
    assert index_store.prune(parent, whole, mine=lambda m: True) == left
    assert [f.name for f, _ in index_store.indexes(parent)] == ["def"]


TOPICS = [*BACKGROUND_TOPICS.values(), *(f"topic{t}w{j}" for t in range(20) for j in range(2))]


def _store_papers(engine, start: int, count: int, *, day: datetime) -> None:
    recs = []
    for i in range(start, start + count):
        words = TOPICS[i % len(TOPICS)].split()
        text = " ".join(words[(i + j) % len(words)] for j in range(6))
        recs.append(
            arxiv_record(
                fake_id(i),
                title=f"Study {i} of {words[0]}",
                abstract=f"We propose a method. {text}. Results show improvements.",
                authors=("A. Author",),
                categories=("cs.LG",),
            )
        )
    upsert_records(recs, engine=engine, now=day)


def _fits(home: Path) -> list[dict]:
    log = home / ranking.INDEX_DIR / ranking.FITS_LOG
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


_RANKER = """
import json, logging, sys
from datetime import datetime, timedelta
from models.db import get_engine
from models.records import ProfileSpec, SeedPaper
from models.store import candidates
from paperround.rank import rank
from paperround.ranking import rank_state

logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
engine = get_engine()
now = datetime.fromisoformat(sys.argv[1])
state = rank_state(engine=engine, now=now)
papers = candidates.recent_papers(engine=engine, since=now - timedelta(days=9), limit=60)
spec = ProfileSpec("p", seeds=tuple(SeedPaper(p.key, p.title, p.abstract) for p in papers[:3]))
ranked = rank(papers[3:], spec, now=now, index=state.index, cache=state.cache)
print(json.dumps([[s.paper.key, s.score, list(s.reasons)] for s in ranked]))
"""


def test_two_processes_ranking_against_one_home_fit_the_index_once(engine, paperround_home):
    _store_papers(engine, 0, 300, day=NOW - timedelta(days=3))
    env = {**os.environ, "PAPERROUND_HOME": str(paperround_home)}
    parent = paperround_home / ranking.INDEX_DIR
    with index_store.fit_lock(parent):  # both must find the lock taken: a real race
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", _RANKER, NOW.isoformat()],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for proc in procs:  # each says it waits, then blocks on the lock
            seen = []
            while not seen or "waiting for it" not in seen[-1]:
                line = proc.stderr.readline()
                assert line, "".join(seen)  # exited without waiting: it did not race
                seen.append(line)
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outs.append((json.loads(out.strip().splitlines()[-1]), err))
    assert len(_fits(paperround_home)) == 1
    assert sorted("fitted the ranker's index" in err for _, err in outs) == [False, True]
    assert outs[0][0] == outs[1][0] and outs[0][0]  # the loaded index ranks as the fitted one


def test_a_stale_index_is_refitted_once_and_the_old_one_pruned(engine, paperround_home):
    _store_papers(engine, 0, 250, day=NOW - timedelta(days=3))

    def fresh_process(now):  # a new process: nothing in memory, only what the home holds
        ranking._RANK_STATES.clear()
        return ranking.rank_state(engine=engine, now=now)

    first = fresh_process(NOW)
    assert first.index is not None and len(_fits(paperround_home)) == 1
    again = fresh_process(NOW + timedelta(days=6))
    assert again.index.fingerprint == first.index.fingerprint
    assert len(_fits(paperround_home)) == 1  # loaded, not refitted
    stale = NOW + timedelta(days=7, hours=1)
    for _ in range(2):
        fresh_process(stale)
    assert len(_fits(paperround_home)) == 2  # a week on: refitted once, then loaded
    _store_papers(engine, 250, 30, day=stale)  # the store grows by more than a tenth
    for _ in range(2):
        grown = fresh_process(stale + timedelta(hours=1))
    assert len(_fits(paperround_home)) == 3 and len(grown.index) == 280
    folders = [f.name for f, _ in index_store.indexes(paperround_home / ranking.INDEX_DIR)]
    assert folders == [_fits(paperround_home)[-1]["folder"]]  # older indexes pruned


def test_an_in_memory_store_saves_no_index(paperround_home):
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    from models.db import upgrade

    engine = create_engine("sqlite://", poolclass=StaticPool)
    upgrade(engine)
    _store_papers(engine, 0, 220, day=NOW - timedelta(days=1))
    assert ranking.rank_state(engine=engine, now=NOW).index is not None
    assert not (paperround_home / ranking.INDEX_DIR).exists()


def test_logged_queries_rank_as_computed_ones_and_a_torn_record_loses_only_itself(tmp_path):
    from paperround.rank import query_log
    from paperround.rank.query import build_queries, query_key
    from paperround.rank.signals import PaperSignals

    window = background()
    index = build_index(window)
    profiles = [p for p in _profiles(window) if p.seeds]
    computed: dict = {}
    want = rank_many(_day(), profiles, now=NOW, index=index, cache=computed)
    queries = {k: v for k, v in computed.items() if k.startswith("q:")}
    assert len(queries) == len(profiles)
    first, second = list(queries.items())
    query_log.append_queries(tmp_path, dict([first]))
    torn = query_log.encode(*second)
    with open(tmp_path / query_log.LOG_NAME, "ab") as out:
        out.write(torn[: len(torn) // 2])  # a writer killed mid-record
    query_log.append_queries(tmp_path, queries)  # later processes append after it
    loaded = query_log.load_queries(tmp_path, n_terms=index.n_terms)
    assert loaded.keys() == queries.keys()
    keys = [query_key(p, index.fingerprint) for p in profiles]
    signals = PaperSignals(_day(), index)
    for key, (row, latent) in zip(keys, build_queries(profiles, signals), strict=True):
        assert (loaded[key][0] != row).nnz == 0 and np.array_equal(loaded[key][1], latent)
    got = rank_many(_day(), profiles, now=NOW, index=index, cache=dict(loaded))
    assert _picks(got) == _picks(want)


def test_a_fresh_process_takes_queries_from_the_index_folder(engine, monkeypatch):
    from models.store.profiles import create_profile
    from models.tables import Profile, Seed
    from paperround.rank import query

    _store_papers(engine, 0, 250, day=NOW - timedelta(days=3))
    seeds = [
        Seed(key=f"s{i}", title="kernels", abstract=BACKGROUND_TOPICS["kernels"]) for i in (1, 2)
    ]
    profile = create_profile(Profile(name="p", max_items=5), engine=engine, seeds=seeds)
    day = ranking.candidates.recent_papers(engine=engine, since=NOW - timedelta(days=9), limit=40)
    ranking._RANK_STATES.clear()
    want = ranking.rank_for(profile, day, engine=engine, now=NOW)
    ranking._RANK_STATES.clear()  # a new process: the query comes from the log, not expanded

    def expand(*args):
        raise AssertionError("query expanded again")

    monkeypatch.setattr(query, "build_queries", expand)
    got = ranking.rank_for(profile, day, engine=engine, now=NOW)
    assert [(s.paper.key, s.score, s.reasons) for s in got] == [
        (s.paper.key, s.score, s.reasons) for s in want
    ] and want


def test_a_home_where_no_index_can_be_saved_still_ranks(engine, paperround_home, caplog):
    _store_papers(engine, 0, 220, day=NOW - timedelta(days=1))
    (paperround_home / ranking.INDEX_DIR).write_text("not a folder")
    ranking._RANK_STATES.clear()
    state = ranking.rank_state(engine=engine, now=NOW)
    assert state.index is not None and state.folder is None
    assert "cannot be saved" in caplog.text


_RANK_FROM_DISK = """
import sys
from pathlib import Path
from paperround.rank import rank_many
from paperround.rank import store
from tests.test_rank import background
from tests.test_rank_index_store import NOW, _day, _profiles

index, _ = store.load_index(Path(sys.argv[1]))
ranked = rank_many(_day(), _profiles(background()), now=NOW, index=index, cache={})
assert all(ranked), ranked
print(sorted(m for m in sys.modules if m.split(".")[0] == "sklearn"))
"""


def test_ranking_with_a_saved_index_does_not_import_sklearn(tmp_path):
    """sklearn costs ~0.7 s of a process; only a fit needs it (bench/cli.py): a process that
    loads the index ranks (seeds, likes, keywords) without it."""
    fitted = build_index(background())
    folder = index_store.save_index(fitted, tmp_path / "index", meta={})
    done = subprocess.run(
        [sys.executable, "-c", _RANK_FROM_DISK, str(folder)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
