"""`paperround serve` as a user runs it: embedded Prefect server, next runs, clean SIGTERM."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from paperround.schedule.slots import DISPATCH_EVERY_SECONDS, INGEST_SCHEDULES
from paperround.server import group_alive, is_healthy

REPO = Path(__file__).resolve().parents[1]
PAPERROUND = str(Path(sys.executable).parent / "paperround")


def _read_until(proc: subprocess.Popen, marker: str, timeout: float) -> str:
    """Read stdout until `marker` appears (or the process ends, or timeout)."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    out = ""
    deadline = time.monotonic() + timeout
    while marker not in out and time.monotonic() < deadline and proc.poll() is None:
        if sel.select(timeout=1.0):
            chunk = os.read(proc.stdout.fileno(), 65536).decode()
            out += chunk
    return out


def test_serve_starts_server_prints_next_runs_and_stops_on_sigterm(engine, paperround_home):
    from models.store.profiles import create_profile
    from models.store.sources import add_source
    from models.tables import Profile

    create_profile(
        Profile(name="paris", schedule="0 7 * * 1-5", timezone="Europe/Paris"), engine=engine
    )
    # Should a scheduled ingest fire while serving, it reads this closed local port, never
    # the default sources on the internet (those are added only to a store without sources).
    add_source("local-only", "feed", "http://127.0.0.1:9/rss", engine=engine)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") or k == "PREFECT_HOME"
    }
    env.update(
        PAPERROUND_HOME=str(paperround_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        COLUMNS="200",
        PAPERROUND_PUBLIC_URL="https://papers.example.org",  # so the feedback app runs too
    )
    env.pop("PREFECT_HOME", None)  # serve puts Prefect's home under PAPERROUND_HOME
    proc = subprocess.Popen(
        [PAPERROUND, "serve", "--no-ui", "--dispatch-every", "60", "--web-port", "0"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        out = _read_until(proc, "serving:", timeout=150)
        assert "serving:" in out, out
        assert "next runs" in out
        assert "(5 20 * * 0-4 America/New_York)" in out
        assert "dispatch   every 60 s" in out
        assert "paris (0 7 * * 1-5 Europe/Paris)" in out
        url = next(w for w in out.split() if w.startswith("http://127.0.0.1:"))
        assert is_healthy(url)
        web = out.split("feedback links on ")[1].split()[0]
        assert httpx.get(f"{web}/healthz").text == "ok"
        assert httpx.get(f"{web}/f/tampered.token").status_code == 400
        server_pids = _server_pids(paperround_home)
        assert server_pids, "no prefect server child found"
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out + rest.decode()
    assert "stopping the Prefect server" in rest.decode()
    assert not is_healthy(url)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{web}/healthz")  # the feedback app stopped with it
    assert not any(group_alive(pid) for pid in server_pids)
    assert (paperround_home / "prefect" / "server" / "prefect.db").exists()


def _server_pids(home: Path) -> list[int]:
    """PIDs of `prefect server start` processes whose PREFECT_HOME is under this home."""
    pids = []
    for proc_dir in Path("/proc").iterdir():
        if not proc_dir.name.isdigit():
            continue
        try:
            cmd = (proc_dir / "cmdline").read_bytes().split(b"\0")
            if b"server" not in cmd or b"start" not in cmd:
                continue
            environ = (proc_dir / "environ").read_bytes()
        except OSError:
            continue
        if f"PREFECT_HOME={home}".encode() in environ:
            pids.append(int(proc_dir.name))
    return pids


def test_prefect_yaml_matches_the_served_schedules():
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    deps = {d["name"]: d for d in spec["deployments"]}
    ingest = [(s["cron"], s["timezone"]) for s in deps["ingest"]["schedules"]]
    assert tuple(ingest) == INGEST_SCHEDULES
    assert deps["dispatch"]["schedules"][0]["interval"] == DISPATCH_EVERY_SECONDS
    for dep in deps.values():
        path, fn = dep["entrypoint"].split(":")
        assert (REPO / path).exists() and f"def {fn}(" in (REPO / path).read_text()
        assert dep["work_pool"]["name"] == "paperround"
    assert "/work" not in (REPO / "prefect.yaml").read_text()


def test_serve_help_names_embedded_mode():
    out = subprocess.run(
        [PAPERROUND, "serve", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    ).stdout
    assert "PREFECT_API_URL" in out and "--dispatch-every" in out
