"""CLI wall time: what a user types, each command its own process, median of --runs.

    .venv/bin/python bench/cli.py [--runs 5] [--baseline /work/wt-base --baseline-runs 1]

Commands (each timed from spawn to exit, as `python -c "from paperround.cli import main;
main()" ARGS` with cwd = the checkout, so a --baseline checkout runs its own code in this venv):
  help_s            paperround --help
  profile_list_s    paperround profile list (the 50,000-paper home below)
  ingest_304_s      paperround ingest: one source on a 127.0.0.1 HTTP server that answers 304
                    (its ETag stored by an untimed first ingest)
  ingest_bundled_s  paperround ingest of the bundled feeds (examples/feeds, as `demo` sets
                    them up) into an empty home, a fresh copy for every run
  send_one_s        paperround digest send p0000: one profile over a 6,000-paper day in a
                    50,000-paper store (bench/benchkit.py), to an SMTP sink on 127.0.0.1; the
                    index already fitted (an untimed --dry-run first); the ledger is emptied
                    before each run so every run sends the same digest
Each command runs once untimed first, so Python's bytecode cache is written (children run
without PYTHONDONTWRITEBYTECODE, the cache under PYTHONPYCACHEPREFIX in the scratch folder: a
checkout is never written to). PAPERROUND_ENRICH=false keeps every command off the network.
Targets when idle: help and profile list <= 1 s, 304 ingest <= 2.5 s, send <= 4 s.
Last line: one JSON object (with a "baseline" object and "ratios", baseline / this, when given).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import benchkit  # noqa: E402
import probes  # noqa: E402

KEYS = ("help_s", "profile_list_s", "ingest_304_s", "ingest_bundled_s", "send_one_s")
TARGETS = {"help_s": 1.0, "profile_list_s": 1.0, "ingest_304_s": 2.5, "send_one_s": 4.0}
MAIN = "from paperround.cli import main; main()"
DEMO_FEEDS = (  # as paperround/demo.py DEMO_SOURCES
    ("demo-arxiv-rss", "arxiv-rss", "arxiv-rss-cs.LG.xml"),
    ("demo-arxiv-api", "arxiv-api", "arxiv-api-page.xml"),
    ("demo-hf-daily", "hf-daily", "hf-daily-papers.json"),
)


class Checkout:
    """One checkout's code, run in child processes with their own scratch folder."""

    def __init__(self, code: Path, scratch: Path) -> None:
        self.code = code.resolve()
        self.scratch = scratch
        self.leftovers = 0  # commands that left a process running
        scratch.mkdir(parents=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env.pop("PAPERROUND_DATABASE_URL", None)
        self.env.update(
            PYTHONPYCACHEPREFIX=str(scratch / "pycache"),
            PAPERROUND_ENRICH="false",
            PAPERROUND_DEBUG="0",
            COLUMNS="120",
        )

    def run(self, args: list[str], home: Path, *, check: bool = True) -> float:
        """Run `paperround ARGS` with this home; its wall time. A failure stops the bench."""
        env = {**self.env, "PAPERROUND_HOME": str(home)}
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", MAIN, *args],
            cwd=self.code,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        _, err = proc.communicate()
        seconds = time.perf_counter() - t0
        self.leftovers += _kill_leftovers(proc.pid)
        if check and proc.returncode:
            sys.exit(f"{self.code}: paperround {' '.join(args)} exited {proc.returncode}:\n{err}")
        return seconds

    def build(self, home: Path, **kw) -> None:
        """A benchmark home built by this checkout's code (bench/benchkit.py)."""
        argv = [sys.executable, str(REPO / "bench" / "benchkit.py"), "--code", str(self.code)]
        argv += ["--home", str(home)]
        for name, value in kw.items():
            for v in value if isinstance(value, list) else [value]:
                argv += [f"--{name}", str(v)]
        env = {**self.env, "PAPERROUND_HOME": str(home)}
        done = subprocess.run(argv, cwd=self.code, env=env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"building {home} failed:\n{done.stderr}")


def _kill_leftovers(pgid: int) -> bool:
    """Stop whatever the command left running in its process group; whether there was any
    (a command must leave nothing behind: a baseline's temporary Prefect server did)."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    time.sleep(2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    return True


def median_of(runs: int, one) -> float:
    return round(statistics.median(one() for _ in range(runs)), 2)


def statuses(home: Path, n: int) -> list[str]:
    """The last n ingest runs' statuses (to check that the 304 ingest saw a 304)."""
    with sqlite3.connect(benchkit.db_path(home)) as conn:
        rows = conn.execute("SELECT status FROM ingest_runs ORDER BY id DESC LIMIT ?", (n,))
        return [r[0] for r in rows]


def measure(co: Checkout, runs: int, *, feed_url: str, sink: probes.Sink, args) -> dict:
    s = co.scratch
    out = {}
    print(f"{co.code}: building the 50,000-paper home ...", flush=True)
    big = s / "send"
    co.build(big, total=args.total, day=args.day, profiles=1, channel=sink.channel())
    co.build(s / "304", total=0, source=f"local,arxiv-rss,{feed_url}")
    template = s / "bundled-template"
    feeds = co.code / "examples" / "feeds"
    co.build(template, total=0, source=[f"{n},{k},{feeds / f}" for n, k, f in DEMO_FEEDS])

    empty = s / "empty"
    co.run(["--help"], empty)  # untimed: bytecode cache
    out["help_s"] = median_of(runs, lambda: co.run(["--help"], empty))
    print(f"  help_s {out['help_s']}", flush=True)

    co.run(["profile", "list"], big)
    out["profile_list_s"] = median_of(runs, lambda: co.run(["profile", "list"], big))
    print(f"  profile_list_s {out['profile_list_s']}", flush=True)

    co.run(["ingest"], s / "304")  # untimed: stores the papers and the ETag
    out["ingest_304_s"] = median_of(runs, lambda: co.run(["ingest"], s / "304"))
    out["ingest_304_statuses"] = statuses(s / "304", runs)
    print(f"  ingest_304_s {out['ingest_304_s']} {out['ingest_304_statuses']}", flush=True)

    copies = iter(range(runs + 1))

    def bundled() -> float:
        home = s / f"bundled-{next(copies)}"
        shutil.copytree(template, home)
        try:
            return co.run(["ingest"], home)
        finally:
            shutil.rmtree(home)

    bundled()  # untimed
    out["ingest_bundled_s"] = median_of(runs, bundled)
    print(f"  ingest_bundled_s {out['ingest_bundled_s']}", flush=True)

    co.run(["digest", "send", "p0000", "--dry-run"], big)  # untimed: fits the index
    before = len(sink.arrivals)

    def send() -> float:
        benchkit.reset_ledger(big)
        return co.run(["digest", "send", "p0000"], big)

    out["send_one_s"] = median_of(runs, send)
    out["send_emails"] = len(sink.arrivals) - before
    out["index_fits"] = benchkit.fits(big)  # this checkout's persisted fits (0: none kept)
    print(f"  send_one_s {out['send_one_s']} ({out['send_emails']} emails)", flush=True)
    out["commands_leaving_processes"] = co.leftovers
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--baseline", type=Path, help="another checkout, run the same way")
    ap.add_argument("--baseline-runs", type=int, default=1)
    ap.add_argument("--total", type=int, default=50_000, help="papers in the send store")
    ap.add_argument("--day", type=int, default=6_000, help="of which the day's")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = ap.parse_args()
    if not benchkit.BENCH_DATA.exists():
        sys.exit(f"{benchkit.BENCH_DATA} not found")
    from tests.servers import StaticFeeds

    scratch = Path(tempfile.mkdtemp(prefix="paperround-cli-bench-"))
    feed = (REPO / "examples" / "feeds" / "arxiv-rss-cs.LG.xml").read_bytes()
    load_before = os.getloadavg()
    result: dict = {}
    try:
        with (
            StaticFeeds({"/rss/cs.LG": (feed, "application/rss+xml")}) as feeds,
            probes.Sink() as sink,
        ):
            url = f"{feeds.base}/rss/cs.LG"
            this = measure(
                Checkout(REPO, scratch / "this"), args.runs, feed_url=url, sink=sink, args=args
            )
            result = {k: this[k] for k in KEYS} | {"runs": args.runs}
            result["detail"] = {k: v for k, v in this.items() if k not in KEYS}
            if args.baseline:
                base = measure(
                    Checkout(args.baseline, scratch / "baseline"),
                    args.baseline_runs,
                    feed_url=url,
                    sink=sink,
                    args=args,
                )
                result["baseline"] = base | {"runs": args.baseline_runs, "code": str(args.baseline)}
                result["ratios"] = {k: round(base[k] / this[k], 1) for k in KEYS if this[k]}
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    result["targets_met"] = {k: result[k] <= t for k, t in TARGETS.items()}
    result["loadavg"] = {"before": load_before, "after": os.getloadavg()}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
