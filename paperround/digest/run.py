"""The digest stage: select each channel's window, rank, render, deliver and record.

select -> rank -> render -> deliver -> record, one channel at a time, each under its lock
(models/store/locks.py). Each function takes the engine and "now" explicitly; none imports
Prefect. The guarantees are in docs/reliability.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from models.records import DigestHealth, RenderedDigest
from models.settings import get_settings
from models.store import candidates, ledger, locks, profiles
from models.tables import Profile
from paperround.digest.compose import build_digest, source_health, write_digest_files
from paperround.digest.deliver import DeliveryResult, deliver, new_message_id, redact_url
from paperround.digest.outcomes import ChannelOutcome, ProfileOutcome
from paperround.digest.summaries import attach_tldrs, run_budget
from paperround.ingest.run import Progress
from paperround.ranking import rank_for

log = logging.getLogger(__name__)

FIRST_RUN_LOOKBACK = timedelta(days=3)  # a new profile's first digest covers this much
FILE_CHANNEL = "file"


def _window(
    profile_id: int, key: str, *, engine: Engine, now: datetime, until: datetime | None = None
) -> candidates.Window:
    """The store window a channel's next digest reads: after what its delivered digests read,
    up to the store's high-water mark now (a catch-up digest stops before its slot's end)."""
    after = ledger.covered_seq(profile_id, key, engine=engine)
    upto = candidates.high_water(engine=engine)
    if until is not None:
        upto = candidates.window_end(engine=engine, after=after, upto=upto, until=until)
    since = None if after is not None else now - FIRST_RUN_LOOKBACK
    return candidates.Window(upto=upto, after=after, since=since)


def preview_digest(profile: Profile, *, engine: Engine, now: datetime) -> RenderedDigest:
    """Render what the profile's first channel would receive now, without sending or recording."""
    from paperround.digest.render import render_digest

    chans = profiles.channels_of(profile.id, engine=engine)
    key = str(chans[0].id) if chans else FILE_CHANNEL
    window = _window(profile.id, key, engine=engine, now=now)
    cands = candidates.unsent_candidates(
        engine=engine,
        profile_id=profile.id,
        channel_key=key,
        window=window,
        sources=profile.sources,
    )
    ranked, _ = attach_tldrs(rank_for(profile, cands, engine=engine, now=now), engine=engine)
    health = source_health(engine=engine)
    last = ledger.covered_until(profile.id, key, engine=engine)
    digest = build_digest(
        profile, ranked, now=now, candidates=len(cands), health=health, period_start=last
    )
    return render_digest(digest)


def _send(
    rendered: RenderedDigest,
    url: str | None,
    *,
    profile: str,
    when: datetime,
    home: Path,
    message_id: str | None,
) -> tuple[DeliveryResult, str]:
    """Deliver to one channel (or write the files): the result, and the channel's label."""
    if url is None:
        path = write_digest_files(rendered, profile, when, home)
        return DeliveryResult(True), str(path)
    return deliver(rendered, url, message_id=message_id), redact_url(url)


def _finish(delivery_id: int, result: DeliveryResult, *, engine: Engine, now: datetime) -> None:
    ledger.finish_delivery(
        delivery_id,
        engine=engine,
        ok=result.ok,
        error=result.error,
        now=now,
        papers_sent=result.papers_sent,
        error_class=result.failure_class,
    )


def _resend_open(
    profile: Profile, key: str, url: str | None, *, engine: Engine, now: datetime, home: Path
) -> list[ChannelOutcome]:
    """Send again, as it was, each delivery a dead run left pending on this channel."""
    out = []
    for open_ in ledger.open_deliveries(profile.id, key, engine=engine):
        log.warning(
            "profile %s: resending digest %d, left pending by a run that stopped",
            profile.name,
            open_.digest_id,
        )
        result, label = _send(
            open_.rendered,
            url,
            profile=profile.name,
            when=open_.created_at,
            home=home,
            message_id=open_.message_id,
        )
        _finish(open_.delivery_id, result, engine=engine, now=now)
        out.append(ChannelOutcome(label, result.ok, open_.item_count, result.error, resent=True))
        if not result.ok:
            break  # the channel is failing: the rest stay pending for the next run
    return out


def digest_profile(
    profile: Profile,
    *,
    engine: Engine,
    now: datetime,
    home: Path,
    health: DigestHealth | None = None,
    dry_run: bool = False,
    served_since: datetime | None = None,
    until: datetime | None = None,
    decoded: dict | None = None,
    budget: object | None = None,
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
    health = health if health is not None else source_health(engine=engine)
    chans = profiles.channels_of(profile.id, engine=engine)
    targets = [(str(c.id), c.url) for c in chans] or [(FILE_CHANNEL, None)]
    outcomes: list[ChannelOutcome] = []
    max_candidates = 0
    wait = get_settings().channel_lock_timeout
    for key, url in targets:
        serve = _ChannelRun(
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
                last = ledger.covered_until(profile.id, key, engine=engine)
                if served_since is not None and last is not None and last >= served_since:
                    continue
                outcomes += serve.send(until=until, decoded=decoded)
        except locks.LockTimeout as exc:
            label = FILE_CHANNEL if url is None else redact_url(url)
            outcomes.append(ChannelOutcome(label, False, 0, str(exc)))
        max_candidates = max(max_candidates, serve.candidates)
    return ProfileOutcome(profile.name, max_candidates, tuple(outcomes))


@dataclass
class _ChannelRun:
    """One channel's new digest: its window read, ranked, rendered, recorded and sent."""

    profile: Profile
    key: str
    url: str | None
    engine: Engine
    now: datetime
    home: Path
    health: DigestHealth
    budget: object | None = None
    candidates: int = 0
    tldr_fallbacks: int = 0  # papers whose model TL;DR failed (they kept the extractive line)

    def _compose(self, until: datetime | None, decoded: dict | None):
        """(window, ranked papers, the Digest to render: None when there is nothing to send)."""
        window = _window(self.profile.id, self.key, engine=self.engine, now=self.now, until=until)
        cands = candidates.unsent_candidates(
            engine=self.engine,
            profile_id=self.profile.id,
            channel_key=self.key,
            window=window,
            sources=self.profile.sources,
            decoded=decoded,
        )
        self.candidates = len(cands)
        ranked = rank_for(self.profile, cands, engine=self.engine, now=self.now)
        if not ranked and not self.profile.send_empty:
            return window, ranked, None
        ranked, report = attach_tldrs(ranked, engine=self.engine, budget=self.budget)
        self.tldr_fallbacks = report.fallbacks
        last = ledger.covered_until(self.profile.id, self.key, engine=self.engine)
        digest = build_digest(
            self.profile,
            ranked,
            now=self.now,
            candidates=len(cands),
            health=self.health,
            period_start=last,
            period_end=until,
        )
        return window, ranked, digest

    def dry_run(self, *, until: datetime | None, decoded: dict | None) -> list[ChannelOutcome]:
        from paperround.digest.render import render_digest

        _, ranked, digest = self._compose(until, decoded)
        if digest is None:
            return []
        render_digest(digest)  # what a send would render, but with no links: nothing recorded
        label = FILE_CHANNEL if self.url is None else redact_url(self.url)
        return [
            ChannelOutcome(label, True, len(ranked), "dry run", tldr_fallbacks=self.tldr_fallbacks)
        ]

    def send(self, *, until: datetime | None, decoded: dict | None) -> list[ChannelOutcome]:
        from paperround.digest.links import render_recorded, via_of

        window, ranked, digest = self._compose(until, decoded)
        if digest is None:
            return []
        made: list[RenderedDigest] = []

        def render(digest_id: int) -> RenderedDigest:
            """Rendered once the digest has its id, which its feedback links carry."""
            via = via_of(self.url)
            made.append(
                render_recorded(digest, digest_id=digest_id, via=via, home=self.home, now=self.now)
            )
            return made[-1]

        message_id = new_message_id()
        _, delivery_id = ledger.record_digest(
            engine=self.engine,
            profile_id=self.profile.id,
            channel_key=self.key,
            rendered=render,
            items=ranked,
            period_start=ledger.covered_until(self.profile.id, self.key, engine=self.engine),
            now=self.now,
            period_end=until,
            seq_from=window.after,
            seq_to=window.upto,
            message_id=message_id,
        )
        result, label = _send(
            made[-1],
            self.url,
            profile=self.profile.name,
            when=until or self.now,
            home=self.home,
            message_id=message_id,
        )
        _finish(delivery_id, result, engine=self.engine, now=self.now)
        outcome = ChannelOutcome(label, result.ok, len(ranked), result.error)
        return [replace(outcome, tldr_fallbacks=self.tldr_fallbacks)]


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
    todo = [
        p
        for p in profiles.list_profiles(engine=engine)
        if (p.name in names if names else p.enabled)
    ]
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
