"""Fault harness (issue 14): is anything lost or sent twice under kill -9 and racing commands?

    .venv/bin/python bench/faults.py [--trials 100] [--rounds 20] [--engine sqlite|postgresql|both]
        [--accept-trials 20] [--digest-command digest|send] [--scenarios kill-digest,...]

Everything is real: `paperround` commands as processes, an aiosmtpd SMTP sink, an HTTP feed
server (tests/feedserver.py, arXiv RSS from tests/feedgen.py), SQLite files and a throwaway
PostgreSQL cluster (tests/pg.py), all on 127.0.0.1. Each store holds one profile matching
every probe paper, an email channel to the sink and 40 unsent papers (see
bench/fault_scenarios.py); at the end of every trial each paper must have reached the sink
exactly once, or again only as the same message (same Message-ID) resent after a crash.

Scenarios (per engine):
  kill-digest    kill -9 at a uniformly random instant of the digest command (--digest-command:
                 `paperround digest --json`, or `paperround digest send probe --json`), then the
                 same command again until a run has nothing to send;
  kill-accept    kill -9 of the digest command at the instant the sink has its email, before
                 the 250 reply (the crash window of issue 14 point 3; --accept-trials of them);
  kill-dispatch  as kill-digest, for a served dispatch:
                 paperround.schedule.dispatch.dispatch_once in its own process (what
                 `paperround serve` runs every 5 minutes, without the Prefect server
                 around it, which costs ~25 s a start), recovered by the
                 dispatcher's next ticks on a clock moved past the claims' stale time;
  ingest-digest  an ingest whose feed reply is held by the server while a digest runs;
  send-send      two `paperround digest send probe` at once;
  send-dispatch  `paperround digest send probe` and a dispatcher tick at once;
  table          store faults and hostile input (bench/fault_table.py), once, engine-free.

Progress goes to stderr; the last line on stdout is one JSON object: kill_trials, lost,
dup_papers, dup_not_same_message (kill trials), race_rounds, race_dups, race_lost (races),
tracebacks (commands whose stderr holds "Traceback", all commands counted), and the
per-engine, per-scenario breakdown. Targets: lost = race_dups = race_lost = tracebacks =
dup_not_same_message = 0.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fault_scenarios import (  # noqa: E402
    accept_kill_scenario,
    build_world,
    kill_scenario,
    log,
    race_scenario,
)
from fault_sink import Sink  # noqa: E402
from fault_table import CASES, format_rows, run_cases  # noqa: E402
from fault_world import PAPERROUND, Runner, Stores, base_env  # noqa: E402

from tests.feedserver import FeedServer  # noqa: E402

KILLS = ("kill-digest", "kill-accept", "kill-dispatch")
RACES = ("ingest-digest", "send-send", "send-dispatch")
SCENARIOS = (*KILLS, *RACES, "table")
DIGEST_COMMANDS = {
    "digest": ("digest", "--json"),
    "send": ("digest", "send", "probe", "--json"),
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=100, help="kill trials per kind and engine")
    ap.add_argument("--rounds", type=int, default=20, help="rounds per race and engine")
    ap.add_argument(
        "--accept-trials", type=int, default=20, help="kills in the SMTP window, per engine"
    )
    ap.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--digest-command", choices=tuple(DIGEST_COMMANDS), default="digest")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", action="store_true", help="keep the work folder (logs, stores)")
    args = ap.parse_args(argv)
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        ap.error(f"unknown scenarios: {', '.join(sorted(unknown))} (known: {', '.join(SCENARIOS)})")
    return args


def run_engine(engine: str, args, runner: Runner, sink: Sink, work: Path, env) -> dict:
    """Every kill and race scenario on one engine."""
    with ExitStack() as stack:
        cluster = None
        if engine == "postgresql":
            from tests.pg import running_cluster

            cluster = stack.enter_context(running_cluster())
        feeds = FeedServer().start()
        stack.callback(feeds.stop)
        stores = Stores(engine, work / engine, env, cluster)
        digest_cmd = DIGEST_COMMANDS[args.digest_command]
        log(f"[{engine}] setting up the template store")
        world = build_world(engine, runner, sink, feeds, stores, digest_cmd, args.seed)
        out: dict[str, dict] = {}
        for name in args.scenarios:
            if name == "kill-accept":
                log(f"[{engine}] {name}: {args.accept_trials} trials")
                out[name] = accept_kill_scenario(world, args.accept_trials)
            elif name in KILLS:
                log(f"[{engine}] {name}: {args.trials} trials")
                out[name] = kill_scenario(world, name.removeprefix("kill-"), args.trials)
            elif name in RACES:
                log(f"[{engine}] race {name}: {args.rounds} rounds")
                out[name] = race_scenario(world, name, args.rounds)
        return out


def fault_table(runner: Runner, work: Path, env: dict[str, str]) -> list:
    """The store-fault / hostile-input table, each case in a home copied from one fresh store."""
    template = work / "table-template"
    template.mkdir(parents=True)
    runner.run([*PAPERROUND, "db", "upgrade"], {**env, "PAPERROUND_HOME": str(template)}, template)

    def initialised(home: Path) -> None:
        for src in template.glob("paperround.db*"):
            shutil.copy2(src, home / src.name)

    return run_cases(CASES, runner=runner, root=work / "table", env=env, initialised=initialised)


def summarise(results: dict[str, dict], runner: Runner, rows: list, seconds: float) -> dict:
    kills, races = Counter(), Counter()
    for per_engine in results.values():
        for name, stats in per_engine.items():
            (kills if name in KILLS else races).update(
                {k: v for k, v in stats.items() if isinstance(v, int)}
            )
    return {
        "kill_trials": kills["trials"],
        "lost": kills["lost"],
        "dup_papers": kills["dup_papers"],
        "dup_not_same_message": kills["dup_not_same_message"],
        "race_rounds": races["rounds"],
        "race_dups": races["dup_papers"],
        "race_lost": races["lost"],
        "race_dup_not_same_message": races["dup_not_same_message"],
        "tracebacks": runner.tracebacks,
        "commands": runner.commands,
        "kills_landed": kills["killed"],
        "kills_after_smtp_accept": kills["killed_after_accept"],
        "kills_in_accept_window": kills["killed_in_accept_window"],
        "pending_left": kills["pending_left"] + races["pending_left"],
        "table_cases": len(rows),
        "table_tracebacks": sum(r.traceback for r in rows),
        "table_changed": sum(r.changed for r in rows),
        "traceback_samples": runner.samples,
        "seconds": round(seconds, 1),
        "scenarios": results,
    }


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="paperround-faults-"))
    logs = work / "logs"
    logs.mkdir()
    runner = Runner(logs)
    env = base_env(work / "prefect")
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    results: dict[str, dict] = {}
    rows: list = []
    try:
        if any(s != "table" for s in args.scenarios):
            with Sink() as sink:
                for engine in engines:
                    results[engine] = run_engine(engine, args, runner, sink, work, env)
        if "table" in args.scenarios:
            rows = fault_table(runner, work, env)
            log(format_rows(rows))
    finally:
        if args.keep:
            log(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    summary = summarise(results, runner, rows, time.monotonic() - started)
    print(json.dumps(summary, sort_keys=False))
    return summary


if __name__ == "__main__":
    main()
