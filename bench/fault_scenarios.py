"""The scenarios of bench/faults.py: kill -9 at random instants, and racing commands.

Each trial (or round) gets its own clone of one template store that holds a profile
matching every probe paper (keyword "faultprobe", min_score 0, max_items 200), one email
channel pointing at the sink, and batch A (40 papers) ingested and not yet sent. After the
trial's commands, recovery runs repeat until one has nothing to send (at most
MAX_RECOVERY); then every expected paper must have reached the sink exactly once, or
more than once only as the same message (same Message-ID) resent after a crash.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fault_sink import Sink, tally
from fault_world import DISPATCH_SCRIPT, PAPERROUND, Proc, Runner, Store, Stores, probe_feed

from tests.feedserver import FeedServer, Gate, Reply

MAX_RECOVERY = 4
BATCH_A, BATCH_B = 40, 20
FEED_PATH = "/probe.xml"
# A dispatcher tick after recovery waits this long on the simulated clock: past the claims'
# STALE_AFTER (1 h), so a claim left 'running' by a killed dispatcher can be taken over.
TICK_STEP = timedelta(minutes=62)


class SetupFailed(RuntimeError):
    pass


@dataclass
class World:
    engine: str
    runner: Runner
    sink: Sink
    feeds: FeedServer
    stores: Stores
    digest_cmd: tuple[str, ...]  # ("digest", "--json") or ("digest", "send", "probe", "--json")
    rng: random.Random
    batch_a: list[str]
    batch_b: tuple[bytes, list[str]]
    ready_at: datetime  # the profile's first cron slot after its creation: it is due from then

    def start(self, store: Store, *args: str) -> Proc:
        return self.runner.start([*PAPERROUND, *args], store.env, store.home)

    def cli(self, store: Store, *args: str, kill_after: float | None = None) -> Proc:
        return self.runner.finish(self.start(store, *args), kill_after=kill_after)

    def start_dispatch(self, store: Store, at: datetime) -> Proc:
        args = [sys.executable, "-c", DISPATCH_SCRIPT, at.isoformat()]
        return self.runner.start(args, store.env, store.home)

    def dispatch(self, store: Store, at: datetime, kill_after: float | None = None) -> Proc:
        return self.runner.finish(self.start_dispatch(store, at), kill_after=kill_after)

    def slot_time(self) -> datetime:
        return max(datetime.now(UTC), self.ready_at)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build_world(engine: str, runner: Runner, sink: Sink, feeds: FeedServer, stores: Stores,
                digest_cmd: tuple[str, ...], seed: int) -> World:  # fmt: skip
    """Set up the template store through the CLI: source, profile + channel, batch A."""
    body_a, ids_a = probe_feed("A", BATCH_A, first=90000, seed=seed)
    batch_b = probe_feed("B", BATCH_B, first=91000, seed=seed + 1)
    feeds.route(FEED_PATH, Reply(body=body_a))
    tpl = stores.template
    steps = [
        ("source", "add", "probe", "arxiv-rss", feeds.url(FEED_PATH)),
        ("profile", "add", "probe", "-k", "faultprobe", "--max-items", "200", "--min-score",
         "0", "--schedule", "* * * * *", "--channel", sink.mailto(), "--source", "probe"),
        ("ingest", "--source", "probe"),
    ]  # fmt: skip
    for args in steps:
        proc = runner.run([*PAPERROUND, *args], tpl.env, tpl.home)
        if proc.code != 0:
            raise SetupFailed(
                f"setup `{' '.join(args[:2])}` exit {proc.code}: {proc.stderr[-500:]}"
            )
    # The schedule is every minute; a slot before the profile's creation is not due.
    ready = datetime.now(UTC) + timedelta(seconds=61)
    return World(engine, runner, sink, feeds, stores, digest_cmd, random.Random(seed), ids_a,
                 batch_b, ready)  # fmt: skip


def _channels(data: object) -> list[dict]:
    if isinstance(data, dict):
        found = []
        for key, value in data.items():
            if key == "channels" and isinstance(value, list):
                found += [c for c in value if isinstance(c, dict)]
            else:
                found += _channels(value)
        return found
    if isinstance(data, list):
        return [c for item in data for c in _channels(item)]
    return []


def parse_json(text: str) -> object | None:
    """The JSON document a --json command printed (possibly after log lines)."""
    decoder = json.JSONDecoder()
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    for start in starts:
        if text[start : start + 1] in ("{", "["):
            try:
                return decoder.raw_decode(text, start)[0]
            except ValueError:
                continue
    return None


def sent_nothing(proc: Proc) -> bool:
    """The run succeeded and delivered no paper: nothing was pending."""
    data = parse_json(proc.stdout)
    return proc.code == 0 and data is not None and all(not c.get("items") for c in _channels(data))


def recover(world: World, store: Store, *, dispatcher_from: datetime | None = None) -> bool:
    """Run the recovery command until a run has nothing to send; False if the cap came first.
    Manual recovery is the world's digest command; a dispatcher's is its next ticks."""
    for k in range(MAX_RECOVERY):
        if dispatcher_from is not None:
            proc = world.dispatch(store, dispatcher_from + (k + 1) * TICK_STEP)
        else:
            proc = world.cli(store, *world.digest_cmd)
        world.sink.settle()
        if sent_nothing(proc):
            return True
    return False


def _account(stats: Counter, world: World, store: Store, mark: int, expected: list[str]) -> None:
    t = tally(world.sink.since(mark), expected)
    stats.update(t.counts())
    stats["pending_left"] += world.stores.pending_deliveries(store) or 0
    stats["runs_with_loss"] += bool(t.lost)
    stats["runs_with_dups"] += bool(t.dup)


def _after_kill(stats: Counter, world: World, store: Store, mark: int, proc: Proc) -> None:
    if not proc.killed:
        return
    accepted = bool(world.sink.since(mark))
    pending = bool(world.stores.pending_deliveries(store))
    stats["killed"] += 1
    stats["killed_after_accept"] += accepted
    stats["killed_leaving_pending"] += pending
    # The window no email guarantee can close: the server had it, the ledger had not.
    stats["killed_in_accept_window"] += accepted and pending


def kill_scenario(world: World, kind: str, trials: int) -> dict:
    """kill -9 at a uniformly random instant of a digest run (kind "digest": the CLI digest
    command; "dispatch": a dispatcher tick, dispatch_once in its own process), then recover."""
    started = time.monotonic()

    def main_run(store: Store, kill_after: float | None) -> Proc:
        if kind == "dispatch":
            return world.dispatch(store, world.slot_time(), kill_after)
        return world.cli(store, *world.digest_cmd, kill_after=kill_after)

    cal = world.stores.clone(f"{kind}_cal")
    span = main_run(cal, None).seconds  # one whole run: kills fall uniformly in [0, span)
    world.sink.settle()
    world.stores.drop(cal)
    stats: Counter = Counter()
    for i in range(trials):
        store = world.stores.clone(f"{kind}_{i}")
        mark = world.sink.mark()
        base = world.slot_time()
        proc = main_run(store, world.rng.uniform(0, span))
        world.sink.settle()
        _after_kill(stats, world, store, mark, proc)
        done = recover(world, store, dispatcher_from=base if kind == "dispatch" else None)
        stats["recovery_capped"] += not done
        _account(stats, world, store, mark, world.batch_a)
        world.stores.drop(store)
        log(f"  [{world.engine}] kill-{kind} {i + 1}/{trials}: {dict(stats)}")
    return {"trials": trials, "run_seconds": round(span, 2), **stats,
            "seconds": round(time.monotonic() - started, 1)}  # fmt: skip


def _race_round(world: World, kind: str, store: Store, stats: Counter) -> list[str]:
    """One round's racing commands; returns the papers that must arrive."""
    send = ("digest", "send", "probe", "--json")
    if kind == "ingest-digest":
        gate = Gate()
        world.feeds.route(FEED_PATH, Reply(body=world.batch_b[0], hold=gate))
        ingest = world.start(store, "ingest", "--source", "probe")
        while not gate.arrived.wait(0.5) and ingest.popen.poll() is None:
            pass  # the ingest is starting; wait until its fetch is held by the feed server
        stats["held_mid_fetch"] += gate.arrived.is_set()  # else the ingest died first
        world.cli(store, *world.digest_cmd)  # runs while the ingest is mid-fetch
        gate.release()
        world.runner.finish(ingest)
        return world.batch_a + world.batch_b[1]
    if kind == "send-send":
        procs = [world.start(store, *send), world.start(store, *send)]
    else:  # "send-dispatch": a manual send racing a dispatcher tick
        procs = [world.start_dispatch(store, world.slot_time()), world.start(store, *send)]
    for proc in procs:
        world.runner.finish(proc)
    return world.batch_a


def race_scenario(world: World, kind: str, rounds: int) -> dict:
    """Rounds of two racing commands on a fresh clone, each followed by recovery."""
    started = time.monotonic()
    stats: Counter = Counter()
    for i in range(rounds):
        store = world.stores.clone(f"{kind.replace('-', '_')}_{i}")
        mark = world.sink.mark()
        expected = _race_round(world, kind, store, stats)
        world.sink.settle()
        stats["recovery_capped"] += not recover(world, store)
        _account(stats, world, store, mark, expected)
        world.stores.drop(store)
        log(f"  [{world.engine}] race {kind} {i + 1}/{rounds}: {dict(stats)}")
    return {"rounds": rounds, **stats, "seconds": round(time.monotonic() - started, 1)}


def accept_kill_scenario(world: World, trials: int) -> dict:
    """kill -9 of the digest command at the instant the SMTP server has its email, before
    the 250 reply: the crash window no email delivery can close (issue 14, point 3). The
    only duplicate allowed afterwards is that same message resent (same Message-ID)."""
    started = time.monotonic()
    stats: Counter = Counter()
    for i in range(trials):
        store = world.stores.clone(f"accept_{i}")
        mark = world.sink.mark()
        proc = world.start(store, *world.digest_cmd)

        def kill(proc: Proc = proc) -> None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, signal.SIGKILL)
            proc.killed = True

        world.sink.on_accept = kill
        try:
            world.runner.finish(proc)
        finally:
            world.sink.on_accept = None
        world.sink.settle()
        _after_kill(stats, world, store, mark, proc)
        stats["recovery_capped"] += not recover(world, store)
        _account(stats, world, store, mark, world.batch_a)
        world.stores.drop(store)
        log(f"  [{world.engine}] kill-accept {i + 1}/{trials}: {dict(stats)}")
    return {"trials": trials, **stats, "seconds": round(time.monotonic() - started, 1)}
