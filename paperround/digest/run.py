"""The digest stage: select each channel's window, rank, render, deliver and record.

select -> rank -> render -> deliver -> record, one channel at a time, each under its lock
(models/store/locks.py): here the profile's loop over its channels (a pending delivery
resent first) and the run's loop over profiles; one channel's new digest is
paperround/digest/channel.py. Each function takes the engine and "now" explicitly; none
imports Prefect. The guarantees are in docs/reliability.md.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from models.records import DigestHealth, RenderedDigest, StoredProfile
from models.settings import get_settings
from models.store import candidates, coverage, ledger, locks, profiles
from paperround.digest.channel import FILE_CHANNEL, ChannelRun, finish, read_window, send_rendered
from paperround.digest.compose import build_digest, source_health
from paperround.digest.deliver import redact_url
from paperround.digest.outcomes import ChannelOutcome, ProfileOutcome
from paperround.digest.summaries import attach_tldrs, run_budget
from paperround.digest.summariser import Budget
from paperround.ingest.run import Progress
from paperround.ranking import rank_for

log = logging.getLogger(__name__)


def preview_digest(profile: StoredProfile, *, engine: Engine, now: datetime) -> RenderedDigest:
    """Render what the profile's first channel would receive now, without sending or recording."""
    # Here for start-up speed, not a cycle: Jinja2 costs ~0.3 s, and a dispatch tick with
    # nothing due renders nothing.
    from paperround.digest.render import render_digest

    chans = profiles.channels_of(profile.id, engine=engine)
    key = str(chans[0].id) if chans else FILE_CHANNEL
    window = read_window(profile.id, key, engine=engine, now=now)
    cands = candidates.unsent_candidates(
        engine=engine,
        profile_id=profile.id,
        channel_key=key,
        window=window,
        sources=profile.sources,
    )
    ranked, _ = attach_tldrs(rank_for(profile, cands, engine=engine, now=now), engine=engine)
    health = source_health(engine=engine)
    last = coverage.covered_until(profile.id, key, engine=engine)
    digest = build_digest(
        profile, ranked, now=now, candidates=len(cands), health=health, period_start=last
    )
    return render_digest(digest)


def _resend_open(
    profile: StoredProfile, key: str, url: str | None, *, engine: Engine, now: datetime, home: Path
) -> list[ChannelOutcome]:
    """Send again, as it was, each delivery a dead run left pending on this channel."""
    assert profile.id is not None  # a stored profile
    out = []
    for open_ in ledger.open_deliveries(profile.id, key, engine=engine):
        log.warning(
            "profile %s: resending digest %d, left pending by a run that stopped",
            profile.name,
            open_.digest_id,
        )
        result, label = send_rendered(
            open_.rendered,
            url,
            profile=profile,
            digest_id=open_.digest_id,
            engine=engine,
            home=home,
            message_id=open_.message_id,
        )
        finish(open_.delivery_id, result, engine=engine, now=now)
        out.append(ChannelOutcome(label, result.ok, open_.item_count, result.error, resent=True))
        if not result.ok:
            break  # the channel is failing: the rest stay pending for the next run
    return out


def digest_profile(
    profile: StoredProfile,
    *,
    engine: Engine,
    now: datetime,
    home: Path,
    health: DigestHealth | None = None,
    dry_run: bool = False,
    served_since: datetime | None = None,
    until: datetime | None = None,
    decoded: dict | None = None,
    budget: Budget | None = None,
) -> ProfileOutcome:
    """Select, rank, render, deliver and record one profile's digest, channel by channel.

    Each channel has its own ledger: a failure leaves that channel's papers pending.
    Each channel is served under its lock (models/store/locks.py), which every delivering
    path takes: a delivery a dead run left pending is resent first, as the same message;
    then the window after what the channel received is read, ranked, recorded and sent.
    With served_since (a schedule slot), channels whose digests already cover it are
    skipped, so retrying a slot only serves the channels that missed it.
    With until (a missed slot, catch_up "each"), the digest holds only papers written up to
    it, and the channel's next window starts there.
    decoded: the run's cache of decoded papers, shared by all the profiles it digests
    (models.store.candidates.unsent_candidates). budget: the run's summariser budget
    (paperround.digest.summaries.run_budget), shared likewise.
    """
    assert profile.id is not None  # a stored profile
    health = health if health is not None else source_health(engine=engine)
    chans = profiles.channels_of(profile.id, engine=engine)
    targets: list[tuple[str, str | None]] = [(str(c.id), c.url) for c in chans]
    targets = targets or [(FILE_CHANNEL, None)]
    outcomes: list[ChannelOutcome] = []
    max_candidates = 0
    wait = get_settings().channel_lock_timeout
    for key, url in targets:
        serve = ChannelRun(
            profile, key, url, engine=engine, now=now, home=home, health=health, budget=budget
        )
        if dry_run:
            outcomes += serve.dry_run(until=until, decoded=decoded)
            max_candidates = max(max_candidates, serve.candidates)
            continue
        try:
            with locks.channel_lock(profile.id, key, engine=engine, timeout=wait):
                resent = _resend_open(profile, key, url, engine=engine, now=now, home=home)
                outcomes += resent
                if resent and not resent[-1].ok:
                    continue  # this channel is failing: its pending digest goes first, later
                last = coverage.covered_until(profile.id, key, engine=engine)
                if served_since is not None and last is not None and last >= served_since:
                    continue
                outcomes += serve.send(until=until, decoded=decoded)
        except locks.LockTimeout as exc:
            label = FILE_CHANNEL if url is None else redact_url(url)
            outcomes.append(ChannelOutcome(label, False, 0, str(exc)))
        max_candidates = max(max_candidates, serve.candidates)
    return ProfileOutcome(profile.name, max_candidates, tuple(outcomes))


def digest_all(
    *,
    engine: Engine,
    now: datetime,
    home: Path,
    names: list[str] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> list[ProfileOutcome]:
    """Digest every enabled profile (or the named ones); one failure never stops the others."""
    health = source_health(engine=engine)
    todo = profiles.select_profiles(names, engine=engine)
    outcomes = []
    decoded: dict = {}
    budget = run_budget()
    for prof in todo:
        try:
            outcomes.append(
                digest_profile(
                    prof,
                    engine=engine,
                    now=now,
                    home=home,
                    health=health,
                    dry_run=dry_run,
                    decoded=decoded,
                    budget=budget,
                )
            )
        except Exception as exc:  # isolate: record this profile's failure, go on with the rest
            log.exception("digest of profile %s failed", prof.name)
            err = f"{type(exc).__name__}: {exc}".splitlines()[0]
            outcomes.append(ProfileOutcome(prof.name, 0, (ChannelOutcome("-", False, 0, err),)))
        if progress is not None:
            o = outcomes[-1]
            sent = sum(c.items for c in o.channels if c.ok)
            progress(len(outcomes), len(todo), f"{o.profile}: {sent} papers")
    return outcomes
