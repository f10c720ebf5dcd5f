"""Issue 14's guarantees, through a reduced run of the fault harness (bench/faults.py).

Real processes, a real SMTP sink, a real feed server, SQLite: one kill -9 trial of a
digest at a random instant, one at the instant the SMTP server has the email (before it
answers), one of a dispatcher tick, and one round of each race (an ingest held mid-fetch
while a digest runs, two manual sends, a manual send and a dispatcher tick). Afterwards
every paper must have reached the sink exactly once (or again only as the same message),
and no command may have printed a traceback. The long version: .venv/bin/python bench/faults.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(900)
def test_no_loss_no_duplicate_no_traceback_under_kills_and_races() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "faults.py"),
            "--trials=1",
            "--rounds=1",
            "--accept-trials=1",
            "--engine=sqlite",
            # `digest send` (the in-process path): the bench's default is `paperround digest`.
            "--digest-command=send",
            "--scenarios=kill-digest,kill-accept,kill-dispatch,ingest-digest,send-send,send-dispatch",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=880,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    shown = json.dumps(summary, indent=1)
    # The harness itself worked: it killed, raced, and the sink saw the digests.
    assert summary["kill_trials"] == 3 and summary["race_rounds"] == 3, shown
    for scenario in summary["scenarios"]["sqlite"].values():
        assert scenario["expected"] > 0 and scenario["messages"] > 0, shown
    assert summary["lost"] == 0, shown
    assert summary["dup_not_same_message"] == 0, shown
    assert summary["race_dups"] == 0, shown
    assert summary["race_lost"] == 0, shown
    assert summary["tracebacks"] == 0, shown
