"""Benchmark: a dispatch tick as deployed (served flow runs) and as the plain function.

    .venv/bin/python bench/cycle.py                 # N = 1, 10 and 1000 due profiles
    .venv/bin/python bench/cycle.py --n 1,10 --reps 3
    .venv/bin/python bench/cycle.py --reps 3 --reps-large 1   # in ~15 min on 2 cores

The deployed topology: a Prefect server started as paperround/server.py starts it (its
scheduler service off: the bench inserts each tick's scheduled run itself, as the scheduler
would, and nothing else fires) and `paperround serve` against it (flows/serve.py's
deployments in a Runner, which runs every flow run in a fresh subprocess). The store: 50,000
papers, the day's 6,000 unsent (bench/benchkit.py), N due profiles each with one email
channel to an SMTP sink on 127.0.0.1. Before every timed run the ledger is emptied, so each
run sends the same N digests. The ranker's index is fitted once, untimed (a warm-up tick with
every profile also saves their expanded queries beside it), so the timed runs find it fresh.

Per N, each repetition times, in this order:
  plain_s   paperround.schedule.dispatch.dispatch_once in a fresh subprocess: spawn -> last email
  prefect_s a run of the `dispatch` deployment scheduled for now: the Runner's pickup (its
            Pending state, just before it starts the flow-run process) -> last email;
            poll_s is the wait for the pickup before it (the Runner polls every 10 s)
  tick_s    a run scheduled 12 s ahead, as the scheduler inserts them: the scheduled time ->
            last email (the Runner picks runs up to 10 s early and starts their process,
            which waits for the scheduled time: a scheduled tick's start is hidden)
Reported per N: medians; index_fits, the fits performed during the timed runs (fits.log
lines added; target 0); peak_rss_mb, the flow-run subprocess tree's peak (and
plain_peak_rss_mb the plain process's), sampled from /proc every 50 ms (VmHWM per process).
Targets: 0 fits; a 1-profile tick_s <= 5 s; at N = 1,000 prefect_s <= 1.5 x plain_s + 5 s.
overhead_growth = (prefect_s - plain_s) at the largest N / the same at the smallest, the
denominator floored at 0.5 s (a difference of two noisy numbers near zero would make the
ratio meaningless, or negative). Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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
from harness import Bench  # noqa: E402

LEAD = 12.0  # a scheduled tick's run is inserted this far ahead (Runner prefetch: 10 s)
FLOOR = 0.5  # overhead_growth's denominator floor, seconds


def median(rows: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in rows), 2)


def measure(bench: Bench, n: int, reps: int) -> dict:
    rows = []
    for rep in range(reps):
        row = {}
        benchkit.reset_ledger(bench.home, enable=n)
        plain = bench.plain_run(n)
        row["plain_s"] = plain["last"] - plain["start"]
        benchkit.reset_ledger(bench.home, enable=n)
        now_run = bench.prefect_run(n, ahead=0)
        row["prefect_s"] = now_run["last"] - now_run["pending"]
        row["poll_s"] = now_run["pending"] - now_run["scheduled"]
        benchkit.reset_ledger(bench.home, enable=n)
        tick = bench.prefect_run(n, ahead=LEAD)
        row["tick_s"] = tick["last"] - tick["scheduled"]
        row["picked_up_ahead_s"] = tick["scheduled"] - tick["pending"]
        row["fits"] = plain["fits"] + now_run["fits"] + tick["fits"]
        row["rss_mb"] = max(now_run["rss_mb"], tick["rss_mb"])
        row["plain_rss_mb"] = plain["rss_mb"]
        rows.append(row)
        shown = {k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}
        print(f"N={n} rep {rep + 1}: {json.dumps(shown)}", flush=True)
    out = {k: median(rows, k) for k in ("plain_s", "prefect_s", "tick_s", "poll_s")}
    out["picked_up_ahead_s"] = median(rows, "picked_up_ahead_s")
    out["index_fits"] = sum(r["fits"] for r in rows)
    out["peak_rss_mb"] = max(r["rss_mb"] for r in rows)
    out["plain_peak_rss_mb"] = max(r["plain_rss_mb"] for r in rows)
    out["reps"] = reps
    return out


def overhead_growth(runs: dict) -> float:
    sizes = sorted(runs)
    small, large = runs[sizes[0]], runs[sizes[-1]]
    denominator = max(FLOOR, small["prefect_s"] - small["plain_s"])
    return round((large["prefect_s"] - large["plain_s"]) / denominator, 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="1,10,1000", help="due profiles per tick, comma-separated")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--reps-large", type=int, help="repetitions at N >= 100 (default --reps)")
    ap.add_argument("--total", type=int, default=50_000)
    ap.add_argument("--day", type=int, default=6_000)
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = ap.parse_args()
    sizes = sorted({int(x) for x in args.n.split(",")})
    if not benchkit.BENCH_DATA.exists():
        sys.exit(f"{benchkit.BENCH_DATA} not found")
    scratch = Path(tempfile.mkdtemp(prefix="paperround-cycle-"))
    load_before = os.getloadavg()
    runs: dict[int, dict] = {}
    with probes.Sink() as sink:
        bench = Bench(scratch, sink)
        try:
            t0 = time.perf_counter()
            argv = [sys.executable, str(REPO / "bench" / "benchkit.py"), "--home", str(bench.home)]
            argv += ["--total", str(args.total), "--day", str(args.day)]
            argv += ["--profiles", str(max(sizes)), "--enabled", "0", "--channel", sink.channel()]
            subprocess.run(argv, cwd=REPO, env=bench.env, check=True, capture_output=True)
            print(f"store built in {time.perf_counter() - t0:.1f} s", flush=True)
            bench.start_serving()
            # Untimed: the index fit and every profile's expanded queries, then a first flow
            # run (deployment and API warm).
            benchkit.reset_ledger(bench.home, enable=max(sizes))
            t0 = time.perf_counter()
            bench.plain_run(max(sizes))
            print(f"warm-up tick (index fit) {time.perf_counter() - t0:.1f} s", flush=True)
            benchkit.reset_ledger(bench.home, enable=0)
            bench.prefect_run(0, ahead=0)
            for n in sizes:
                large = n >= 100 and args.reps_large is not None
                runs[n] = measure(bench, n, args.reps_large if large else args.reps)
        finally:
            bench.stop_serving()
            lines = [x for x in bench.serve_output().splitlines() if x.startswith("dispatch ")]
            shown = [x if len(x) < 200 else f"{x[:150]} ... {x[-40:]}" for x in lines[-3:]]
            print("serve printed, last lines:", *shown, sep="\n  ")
            if not args.keep:
                shutil.rmtree(scratch, ignore_errors=True)
    out: dict = {"runs": {str(n): r for n, r in runs.items()}}
    out["overhead_growth"] = overhead_growth(runs)
    out["overhead_growth_floor_s"] = FLOOR
    checks = {"index_fits_0": all(r["index_fits"] == 0 for r in runs.values())}
    if 1 in runs:
        checks["tick_1_le_5s"] = runs[1]["tick_s"] <= 5
    if 1000 in runs:
        r = runs[1000]
        checks["prefect_1000_le_1.5plain_plus_5"] = r["prefect_s"] <= 1.5 * r["plain_s"] + 5
    out["targets_met"] = checks
    out["loadavg"] = {"before": load_before, "after": os.getloadavg()}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
