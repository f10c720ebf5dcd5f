"""bench/cycle.py's harness: the deployed topology (a Prefect server, `paperround serve`
against it, the `dispatch` deployment's runs scheduled by hand) and the plain dispatch in a
fresh process, each run timed to its last email at the SMTP sink, with its peak RSS."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import benchkit
import probes

REPO = Path(__file__).resolve().parents[1]
MAIN = "from paperround.cli import main; main()"
PLAIN = """
import json
from datetime import UTC, datetime
from models.db import get_engine
from models.settings import get_settings
from paperround.schedule.dispatch import dispatch_once
r = dispatch_once(engine=get_engine(), now=datetime.now(UTC), home=get_settings().home)
print(json.dumps({"claimed": len(r.claimed), "failed": r.failed}))
"""
RUN_TIMEOUT = 1800.0


class Bench:
    def __init__(self, scratch: Path, sink: probes.Sink) -> None:
        self.scratch = scratch
        self.home = scratch / "home"
        self.sink = sink
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)  # a deployment writes its bytecode
        self.env.pop("PAPERROUND_DATABASE_URL", None)
        self.env.update(
            PYTHONPYCACHEPREFIX=str(scratch / "pycache"),
            PAPERROUND_HOME=str(self.home),
            PAPERROUND_ENRICH="false",
        )
        self.serve: subprocess.Popen | None = None
        self.client = None
        self.deployment_id = None

    # -- the deployed side ------------------------------------------------------------------
    def start_serving(self) -> None:
        from paperround.server import PrefectServer

        self.server = PrefectServer(
            home=self.scratch / "prefect-server",
            extra_env={"PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false"},
        )
        t0 = time.perf_counter()
        self.server.start()
        print(f"prefect server ready in {time.perf_counter() - t0:.1f} s", flush=True)
        os.environ.update(
            PREFECT_API_URL=self.server.api_url,
            PREFECT_HOME=str(self.scratch / "prefect-client"),
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            DO_NOT_TRACK="1",
            PREFECT_LOGGING_LEVEL="WARNING",
        )
        self.env["PREFECT_API_URL"] = self.server.api_url
        self.serve_log = (self.scratch / "serve.log").open("w")
        self.serve = subprocess.Popen(
            [sys.executable, "-c", MAIN, "serve", "--dispatch-every", "3600"],
            cwd=REPO,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self.serve_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        from prefect.client.orchestration import get_client

        self.client = get_client(sync_client=True)
        self.client.__enter__()
        deadline = time.monotonic() + 300
        while self.deployment_id is None:
            if self.serve.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"paperround serve did not come up:\n{self.serve_output()}")
            try:
                self.deployment_id = self.client.read_deployment_by_name("dispatch/dispatch").id
            except Exception:
                time.sleep(0.5)

    def stop_serving(self) -> None:
        if self.serve is not None:
            try:
                os.killpg(self.serve.pid, signal.SIGTERM)
                self.serve.wait(timeout=60)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                _killpg(self.serve.pid, signal.SIGKILL)
        if self.client is not None:
            self.client.__exit__(None, None, None)
        if getattr(self, "server", None) is not None:
            self.server.stop()

    def serve_output(self) -> str:
        return (self.scratch / "serve.log").read_text(errors="replace")

    def prefect_run(self, n: int, *, ahead: float) -> dict:
        """One run of the dispatch deployment scheduled `ahead` s from now, to its end."""
        from prefect.states import Scheduled

        before, fits = len(self.sink.arrivals), benchkit.fits(self.home)
        at = datetime.now(UTC) + timedelta(seconds=ahead)
        with probes.PeakRss(self.serve.pid, only=b"prefect.engine") as rss:
            run = self.client.create_flow_run_from_deployment(
                self.deployment_id, state=Scheduled(scheduled_time=at)
            )
            deadline = time.monotonic() + ahead + RUN_TIMEOUT
            while not self.client.read_flow_run(run.id).state.is_final():
                if time.monotonic() > deadline:
                    sys.exit(f"flow run {run.id} did not finish:\n{self.serve_output()}")
                time.sleep(0.2)
            # a run's process ends a little after its final state: the next run waits for it
            while probes.alive(list(rss.seen)) and time.monotonic() < deadline:
                time.sleep(0.1)
        states = {s.type.value: s.timestamp.timestamp() for s in self._states(run.id)}
        final = self.client.read_flow_run(run.id).state
        if not final.is_completed():
            sys.exit(f"flow run ended {final.type.value}: {final.message}\n{self.serve_output()}")
        last = self._last_email(before, n)
        return {
            "scheduled": at.timestamp(),
            "pending": states["PENDING"],
            "last": last,
            "fits": benchkit.fits(self.home) - fits,
            "rss_mb": rss.mb,
        }

    def _states(self, run_id) -> list:
        # oldest first, so a state entered twice keeps its last time
        return sorted(self.client.read_flow_run_states(run_id), key=lambda s: s.timestamp)

    # -- the plain side ---------------------------------------------------------------------
    def plain_run(self, n: int) -> dict:
        before, fits = len(self.sink.arrivals), benchkit.fits(self.home)
        env = {k: v for k, v in self.env.items() if k != "PREFECT_API_URL"}
        start = time.time()
        proc = subprocess.Popen(
            [sys.executable, "-c", PLAIN],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        with probes.PeakRss(proc.pid) as rss:
            out, err = proc.communicate(timeout=RUN_TIMEOUT)
        if proc.returncode:
            sys.exit(f"plain dispatch exited {proc.returncode}:\n{err}")
        got = json.loads(out.strip().splitlines()[-1])
        if got["failed"]:
            sys.exit(f"plain dispatch failed for {got['failed'][:5]}:\n{err[-2000:]}")
        last = self._last_email(before, n)
        return {
            "start": start,
            "last": last,
            "fits": benchkit.fits(self.home) - fits,
            "rss_mb": rss.mb,
        }

    def _last_email(self, before: int, n: int) -> float:
        deadline = time.monotonic() + 30  # the sink may lag the sender's last 250 a little
        while len(self.sink.arrivals) - before < n and time.monotonic() < deadline:
            time.sleep(0.05)
        got = self.sink.arrivals[before:]
        if len(got) != n:
            sys.exit(
                f"expected {n} emails, the sink got {len(got)}:\n{self.serve_output()[-3000:]}"
            )
        return max(got) if got else time.time()


def _killpg(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)
