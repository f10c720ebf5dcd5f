"""The digest dispatcher: which profiles are due now, claim them, send them, close the claims.

Runs every few minutes (a Prefect deployment, or `paperround serve`). Each profile's own
cron + timezone decides its slots (paperround.schedule.slots), so adding or changing a profile
takes effect at the next tick without touching prefect.yaml or restarting anything.
By default only the latest slot <= now is considered: after downtime a profile gets ONE
digest holding everything since its last successful delivery. A profile with catch_up
"each" gets one digest per missed slot instead (the last MAX_CATCH_UP_SLOTS), oldest first,
each holding the papers first seen up to its slot; each slot is claimed on its own.

Several dispatchers may run at once (two workers, a retry, a manual run): the claim on
(profile, slot) in the store decides who sends (models.store.claims).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine  # a type hint only: the SQL is in models/store/

from models.errors import ConfigError
from models.store import claims as claim_store
from models.store import coverage
from models.store import profiles as profile_store
from models.store.claims import Claim
from paperround.digest.channel import FILE_CHANNEL
from paperround.digest.compose import source_health
from paperround.digest.outcomes import ChannelOutcome, ProfileOutcome
from paperround.digest.run import digest_profile
from paperround.schedule.slots import is_due, latest_slot, missed_slots, unreadable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueProfile:
    profile_id: int
    name: str
    slot: datetime  # UTC
    until: datetime | None = None  # a missed slot caught up on its own: papers up to it only


@dataclass(frozen=True)
class DispatchResult:
    """What one dispatcher tick did."""

    due: tuple[DueProfile, ...] = ()
    claimed: tuple[DueProfile, ...] = ()
    outcomes: tuple[ProfileOutcome, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> list[str]:
        return [o.profile for o in self.outcomes if not o.ok]


def worker_id() -> str:
    """Who holds a claim: host and process, enough to find a stuck dispatcher."""
    return f"{socket.gethostname()}:{os.getpid()}"


def due_profiles(
    *, engine: Engine, now: datetime, names: Sequence[str] | None = None
) -> list[DueProfile]:
    """Enabled profiles' unserved slots <= now: the latest one, or with catch_up "each" every
    slot missed since the profile's channels were last served (a few bulk queries)."""
    rows = claim_store.profile_schedules(engine=engine)
    if names is not None:
        rows = [r for r in rows if r.name in names]
    covered = coverage.coverage(engine=engine)
    oldest: dict[int, datetime | None] = {}
    slots: dict[int, list[datetime]] = {}
    for r in rows:
        lasts = [covered.get((r.profile_id, k)) for k in r.channel_keys or (FILE_CHANNEL,)]
        last = None if any(x is None for x in lasts) else min(x for x in lasts if x is not None)
        oldest[r.profile_id] = last
        try:
            latest = latest_slot(r.schedule, r.timezone, now)
            if latest is not None and r.catch_up == "each" and last is not None:
                slots[r.profile_id] = missed_slots(r.schedule, r.timezone, last, now) or [latest]
            elif latest is not None:
                slots[r.profile_id] = [latest]
        except (ConfigError, KeyError, ValueError) as exc:  # one bad schedule stops no other
            log.warning("%s", unreadable(r.name, r.timezone, exc))
    states = claim_store.claim_states(
        ((pid, slot) for pid, found in slots.items() for slot in found), engine=engine
    )
    due = []
    for r in rows:
        found = slots.get(r.profile_id, [])
        for slot in found:
            if is_due(
                slot,
                claim_status=states.get((r.profile_id, slot)),
                last_success=oldest[r.profile_id],
                created_at=r.created_at,
            ):
                until = slot if slot != found[-1] else None  # the latest covers up to now
                due.append(DueProfile(r.profile_id, r.name, slot, until))
    return sorted(due, key=lambda d: (d.slot, d.name))


def claim_due(
    due: Sequence[DueProfile], *, engine: Engine, worker: str, now: datetime
) -> list[tuple[DueProfile, Claim]]:
    """Claim each due slot; keep only those this worker won.

    A profile's missed slots are claimed oldest first; if another dispatcher is sending an
    earlier one, the later ones are left to it (two windows of one channel never overlap).
    """
    won = []
    held: set[int] = set()
    for d in due:
        if d.profile_id in held:
            continue
        claim = claim_store.claim_slot(d.profile_id, d.slot, engine=engine, worker=worker, now=now)
        if claim is not None:
            won.append((d, claim))
        elif d.until is not None:
            state = claim_store.claim_states([(d.profile_id, d.slot)], engine=engine)
            if state.get((d.profile_id, d.slot)) == "running":
                held.add(d.profile_id)
    return won


def send_claimed(
    claimed: Sequence[tuple[DueProfile, Claim]], *, engine: Engine, now: datetime, home: Path
) -> list[ProfileOutcome]:
    """Digest each claimed slot, in order, and close its claim; one failure never stops the rest.

    A profile's catch-up slots must stay in one call (one batch), oldest first.
    """
    if not claimed:
        return []
    health = source_health(engine=engine)
    ids = [d.profile_id for d, _ in claimed]
    found = profile_store.profiles_by_id(ids, engine=engine)
    outcomes = []
    decoded: dict = {}  # papers decoded once for all the profiles of this batch
    for due, claim in claimed:
        prof = found.get(due.profile_id)
        try:
            if prof is None:
                raise LookupError("profile was removed")
            outcome = digest_profile(
                prof,
                engine=engine,
                now=now,
                home=home,
                health=health,
                served_since=due.slot,
                until=due.until,
                decoded=decoded,
            )
        except Exception as exc:  # isolate: this profile fails, the others go on
            log.exception("digest of profile %s failed", due.name)
            err = f"{type(exc).__name__}: {exc}".splitlines()[0]
            outcome = ProfileOutcome(due.name, 0, (ChannelOutcome("-", False, 0, err),))
        errors = "; ".join(f"{c.channel}: {c.error}" for c in outcome.channels if not c.ok)
        claim_store.finish_claim(
            claim.id, engine=engine, ok=outcome.ok, now=now, note=errors or None
        )
        outcomes.append(outcome)
    return outcomes


def dispatch_once(
    *, engine: Engine, now: datetime, home: Path, worker: str | None = None
) -> DispatchResult:
    """One dispatcher tick as plain calls: due -> claim -> send -> close claims."""
    due = due_profiles(engine=engine, now=now)
    claimed = claim_due(due, engine=engine, worker=worker or worker_id(), now=now)
    outcomes = send_claimed(claimed, engine=engine, now=now, home=home)
    return DispatchResult(tuple(due), tuple(d for d, _ in claimed), tuple(outcomes))
