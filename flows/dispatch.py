"""Dispatch flow: every few minutes, send the digests whose profile schedule is due.

due + claim (store I/O, retried on transient errors) -> send (one batch task, never
retried blindly: a failed slot is retried by a later tick through its claim) -> artifact.

Scale-out: with PAPERROUND_TASK_RUNNER=dask (pip install 'paperround[dask]') and
`chunk_size` > 0 the claimed profiles are split into batches run on a Dask cluster
(PAPERROUND_DASK_ADDRESS, or a local one); the default is one batch in-process.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, datetime

from prefect import flow, task
from prefect.runtime import flow_run

from flows.common import RunFailed, console_line, publish_digest_artifacts, transient_error
from models.db import get_engine
from models.settings import get_settings
from paperround.digest.outcomes import ProfileOutcome
from paperround.schedule.dispatch import claim_due, due_profiles, send_claimed, worker_id


def _run_name() -> str:
    return f"dispatch-{datetime.now(UTC):%Y-%m-%dT%H%M}"


def _task_runner():
    """Dask when configured (optional extra), else Prefect's default thread pool.

    Read when this module is imported, because Prefect takes a flow's task runner when the
    flow is defined; a deployment's run imports it in its own process, with its own settings.
    """
    settings = get_settings()
    if settings.task_runner != "dask":
        return None
    from prefect_dask import DaskTaskRunner

    address = settings.dask_address
    return DaskTaskRunner(address=address) if address else DaskTaskRunner()


@task(
    name="claim-due-profiles",
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=transient_error,
)
def claim_due_profiles(now: datetime, worker: str, names: list[str] | None) -> list:
    """Which profiles' latest slot is unserved, and which of those this run won."""
    engine = get_engine()
    due = due_profiles(engine=engine, now=now, names=names)
    return [len(due), claim_due(due, engine=engine, worker=worker, now=now)]


@task(name="send-digests")
def send_digests(claimed: list, now: datetime) -> list[ProfileOutcome]:
    """Digest a batch of claimed profiles and close their claims (isolated per profile)."""
    return send_claimed(claimed, engine=get_engine(), now=now, home=get_settings().home)


def _chunks(items: list, size: int) -> list[list]:
    """Batches of about `size` claims; a profile's catch-up slots stay together, in order."""
    if size <= 0:
        return [items]
    by_profile: dict[int, list] = {}
    for item in items:
        by_profile.setdefault(item[0].profile_id, []).append(item)
    batches: list[list] = [[]]
    for group in by_profile.values():
        if len(batches[-1]) >= size:
            batches.append([])
        batches[-1].extend(group)
    return batches


@flow(name="dispatch", flow_run_name=_run_name, task_runner=_task_runner())
def dispatch(
    now: datetime | None = None, profiles: list[str] | None = None, chunk_size: int = 0
) -> dict:
    """Send every profile whose own schedule is due and not yet served by anyone.

    Ends Failed, after trying every claimed profile, naming those that failed.
    """
    now = now or datetime.now(UTC)
    started = time.monotonic()
    worker = f"{worker_id()}:{(flow_run.get_id() or 'local')[:8]}"
    n_due, claimed = claim_due_profiles(now, worker, profiles)
    batches = _chunks(claimed, chunk_size) if claimed else []
    if len(batches) > 1:
        futures = [send_digests.submit(batch, now) for batch in batches]
        outcomes = [o for f in futures for o in f.result()]
    elif batches:
        outcomes = send_digests(batches[0], now)
    else:
        outcomes = []
    heading = f"Dispatch {now:%Y-%m-%d %H:%M} UTC"
    publish_digest_artifacts(
        outcomes, key="dispatch", heading=heading, skipped=n_due - len(claimed)
    )
    print(console_line("dispatch", now, outcomes, time.monotonic() - started), flush=True)
    summary = {
        "due": n_due,
        "claimed": [d.name for d, _ in claimed],
        "profiles": [asdict(o) for o in outcomes],
        "failed": [o.profile for o in outcomes if not o.ok],
    }
    if summary["failed"]:
        raise RunFailed(f"delivery failed for: {', '.join(summary['failed'])}", summary)
    return summary
