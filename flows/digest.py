"""Digest flow (on demand): every enabled profile now, whatever its schedule.

`paperround digest` runs this; scheduled sending goes through flows/dispatch.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, task

from flows.common import RunFailed, publish_digest_artifacts
from models.db import get_engine
from models.settings import get_settings
from paperround.digest.outcomes import ProfileOutcome, digest_summary
from paperround.digest.run import digest_all


def _run_name() -> str:
    return f"digest-{datetime.now(UTC):%Y-%m-%d}"


# No retries: this task delivers; the ledger keeps a failed channel's papers pending and the
# next run sends them, which is safer than repeating a half-done batch.
@task(name="digest-profiles")
def digest_profiles(names: list[str] | None, now: datetime) -> list[ProfileOutcome]:
    """One task for the batch of profiles; one failing profile never stops the others."""
    return digest_all(engine=get_engine(), now=now, home=get_settings().home, names=names)


@flow(name="digest", flow_run_name=_run_name)
def digest(profiles: list[str] | None = None, now: datetime | None = None) -> dict:
    """Send each enabled profile (or the named ones) its digest of unsent papers.

    Ends Failed, after trying every profile, if any delivery failed.
    """
    now = now or datetime.now(UTC)
    outcomes = digest_profiles(profiles, now)
    publish_digest_artifacts(outcomes, key="digest", heading=f"Digest {now:%Y-%m-%d %H:%M} UTC")
    summary = digest_summary(outcomes)
    if summary["failed"]:
        raise RunFailed(f"delivery failed for: {', '.join(summary['failed'])}", summary)
    return summary
