"""Server mode, end to end: Prefect server + process work pool + `prefect deploy --all` + worker.

A triggered dispatch run is picked up by the worker, sends the due profile's digest to an
aiosmtpd server on 127.0.0.1, closes the claim and leaves its artifacts. Slow (~1 min).

The SMTP server requires a password that only the worker's environment holds (the shell that
ran `prefect deploy` never had it), named by `{env:PAPERROUND_SMTP_PASSWORD}` in the channel
URL: the flow run must log in with it, and no deployment may carry it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from models.store import claims as claim_store
from models.store.papers import upsert_records
from models.store.profiles import create_profile
from models.tables import Profile
from paperround.server import PrefectServer, group_alive
from tests.records import arxiv_record, fake_id
from tests.servers import SmtpSink

REPO = Path(__file__).resolve().parents[1]
PREFECT = [sys.executable, "-m", "prefect"]
SECRET_NAME, SECRET = "PAPERROUND_SMTP_PASSWORD", "worker-only-secret"
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _prefect(env: dict, *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [*PREFECT, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _stop_worker(proc: subprocess.Popen) -> None:
    """A worker ignores its first SIGTERM: SIGINT, then SIGTERM twice, then SIGKILL."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=15)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            continue


def _wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.prefect
def test_worker_runs_deployed_dispatch_and_email_arrives(engine, paperround_home, tmp_path):
    now = datetime.now(UTC)
    title = "Score-based diffusion on graphs"
    upsert_records(
        [arxiv_record(fake_id(9999), title=title, abstract="A diffusion model for graphs.")],
        engine=engine,
        now=now - timedelta(hours=1),
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PAPERROUND_HOME=str(paperround_home),
        PREFECT_HOME=str(tmp_path / "client-prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_WORKER_QUERY_SECONDS="2",
    )
    env.pop(SECRET_NAME, None)  # the deploying shell does not hold the secret
    # No scheduler: only the run this test triggers may execute (an hourly ingest would
    # try the default arXiv sources on the network).
    server = PrefectServer(
        home=tmp_path / "server-prefect",
        extra_env={"PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false"},
    ).start()
    env["PREFECT_API_URL"] = server.api_url
    server_group = server.proc.pid
    try:
        _deploy_run_and_check(env, server, engine, now, title, tmp_path)
    finally:
        server.stop()
    assert not group_alive(server_group)


def _deploy_run_and_check(env, server, engine, now, title, tmp_path) -> None:
    with SmtpSink(password=SECRET) as smtp:
        create_profile(
            Profile(
                name="graphs",
                keywords=[["diffusion", 1.0]],
                schedule="*/5 * * * *",
                timezone="Asia/Kolkata",
                created_at=now - timedelta(days=1),
            ),
            engine=engine,
            channels=[smtp.mailto(to="graphs@example.org", password=f"{{env:{SECRET_NAME}}}")],
        )
        _prefect(env, "work-pool", "create", "paperround", "--type", "process")
        out = _prefect(env, "--no-prompt", "deploy", "--all")
        assert "dispatch/dispatch" in out and "ingest/ingest" in out
        deployments = httpx.post(f"{server.api_url}/deployments/filter", json={}, timeout=10)
        for deployment in deployments.json():  # what anyone with API access can read
            assert SECRET_NAME not in str(deployment["job_variables"]), deployment["name"]
        worker = subprocess.Popen(
            [*PREFECT, "worker", "start", "--pool", "paperround"],
            cwd=tmp_path,  # the deployment, not the worker's cwd, decides where flows run
            env={**env, SECRET_NAME: SECRET},  # the secret lives where the worker starts
            stdout=(tmp_path / "worker.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            run = _prefect(env, "deployment", "run", "dispatch/dispatch")
            assert "Created flow run" in run
            api = server.api_url
            flow_run = _wait_for(
                lambda: _finished_run(api, "dispatch"), 180, "the dispatch run to finish"
            )
        finally:
            _stop_worker(worker)
        assert not group_alive(worker.pid)

        assert smtp.logins == [("digest", True)], "the flow run did not log in with the secret"
        assert flow_run["state_type"] == "COMPLETED"
        [msg] = smtp.messages
        assert msg["To"] == "graphs@example.org"
        assert title in msg.get_body(preferencelist=("plain",)).get_content()
        assert flow_run["name"].startswith(f"dispatch-{now:%Y-%m-%d}")
        [claim] = claim_store.list_claims(engine=engine)
        assert claim["status"] == "done" and claim["claimed_by"].endswith(flow_run["id"][:8])
        arts = httpx.post(
            f"{api}/artifacts/filter",
            json={"artifacts": {"flow_run_id": {"any_": [flow_run["id"]]}}},
            timeout=10,
        ).json()
        by_type = {a["type"]: a for a in arts}
        assert {"table", "markdown"} <= set(by_type)
        assert "papers sent: 1" in by_type["markdown"]["data"]
        assert "graphs" in str(by_type["table"]["data"])


def _finished_run(api: str, flow_prefix: str) -> dict | None:
    runs = httpx.post(f"{api}/flow_runs/filter", json={}, timeout=10).json()
    for run in runs:
        if run["name"].startswith(flow_prefix) and run["state_type"] in FINAL:
            return run
    return None
