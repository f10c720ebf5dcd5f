"""The deployments `paperround serve` runs in-process (prefect.yaml holds the same for workers)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.runner import Runner
from prefect.schedules import Cron, Interval

from flows.dispatch import dispatch
from flows.ingest import ingest
from models.settings import DISPATCH_EVERY_SECONDS
from paperround.schedule.slots import INGEST_SCHEDULES


def served_deployments(
    *,
    dispatch_every: int = DISPATCH_EVERY_SECONDS,
    ingest_schedules: tuple[tuple[str, str], ...] = INGEST_SCHEDULES,
) -> list[RunnerDeployment]:
    """Ingest on its crons and the dispatcher on an interval, importable from anywhere."""
    return [
        # Prefect types to_deployment as maybe-a-coroutine (async_dispatch); called outside an
        # event loop, as here, it returns the RunnerDeployment.
        ingest.to_deployment(  # type: ignore[list-item]
            name="ingest",
            schedules=[Cron(cron, timezone=tz) for cron, tz in ingest_schedules],
            description="Fetch every enabled source and store new papers.",
            entrypoint_type=EntrypointType.MODULE_PATH,
            tags=["paperround"],
        ),
        dispatch.to_deployment(  # type: ignore[list-item]  # as above
            name="dispatch",
            schedules=[Interval(timedelta(seconds=dispatch_every))],
            concurrency_limit=1,  # claims make overlaps safe; this avoids a pile-up
            description="Send the digests whose profile schedule is due.",
            entrypoint_type=EntrypointType.MODULE_PATH,
            tags=["paperround"],
        ),
    ]


class _Runner(Runner):
    """Prefect's Runner, but SIGTERM shuts down like Ctrl-C.

    (3.8.8's own SIGTERM handler calls the async stop() without awaiting it and exits.)
    """

    def handle_sigterm(self, *args, **kwargs) -> None:
        raise KeyboardInterrupt


def run_served(deployments: list[RunnerDeployment]) -> None:
    """Serve the deployments in this process until SIGTERM or Ctrl-C (then return)."""
    runner = _Runner()
    for deployment in deployments:
        runner.add_deployment(deployment)
    try:
        asyncio.run(runner.start())
    except KeyboardInterrupt:
        return
