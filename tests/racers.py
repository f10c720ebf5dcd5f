"""Processes that race, released at the same instant: no sleeps, no polling.

A racer's script does its setup (imports, engine, parsing), then runs READY: it says
"ready" on stdout and blocks on stdin. start_racers waits until every racer is ready, then
writes the start line to each. A racer that dies or says anything else fails the test with
its stderr.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
READY = 'import sys\nprint("ready", flush=True)\nsys.stdin.readline()  # the start line\n'


def start_racers(
    *argvs: Sequence[str], env: Mapping[str, str] | None = None
) -> list[subprocess.Popen[str]]:
    """Start one process per argv in the repository; return once all have been released."""
    procs = [
        subprocess.Popen(
            list(argv),
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in argvs
    ]
    try:
        for proc in procs:
            line = proc.stdout.readline()
            if line != "ready\n":
                proc.kill()
                raise AssertionError(f"a racer never became ready: {proc.communicate()[1]}")
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
    except BaseException:
        for proc in procs:
            proc.kill()
        raise
    return procs
