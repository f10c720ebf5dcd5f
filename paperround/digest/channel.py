"""One channel's new digest: its store window read, ranked, rendered, recorded and sent.

paperround/digest/run.py calls it per channel, under the channel's lock; sending a recorded
digest (send_rendered) and recording the result (finish) serve its resends too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from models.errors import NotFoundError
from models.records import DigestHealth, RenderedDigest, StoredProfile
from models.store import candidates, coverage, ledger, sources
from paperround.digest.compose import build_digest, profile_zone, write_digest_files
from paperround.digest.deliver import DeliveryResult, deliver, redact_url
from paperround.digest.email_message import new_message_id
from paperround.digest.outcomes import ChannelOutcome
from paperround.digest.summaries import attach_tldrs
from paperround.digest.summariser import Budget
from paperround.ranking import rank_for

log = logging.getLogger(__name__)
FIRST_RUN_LOOKBACK = timedelta(days=3)  # a new profile's first digest covers this much
FILE_CHANNEL = "file"


def read_window(
    profile_id: int, key: str, *, engine: Engine, now: datetime, until: datetime | None = None
) -> candidates.Window:
    """The store window a channel's next digest reads: after what its delivered digests and
    quiet runs read, up to the store's high-water mark now (a catch-up digest stops before
    its slot's end)."""
    after = coverage.covered_seq(profile_id, key, engine=engine)
    upto = candidates.high_water(engine=engine)
    if until is not None:
        upto = candidates.window_end(engine=engine, after=after, upto=upto, until=until)
    since = None
    if after is None:  # never served: from FIRST_RUN_LOOKBACK before its first digest, so the
        # papers of first digests that failed (a wrong password, a server down) stay pending
        first = coverage.first_digest_at(profile_id, key, engine=engine)
        since = min(first or now, now) - FIRST_RUN_LOOKBACK
    return candidates.Window(upto=upto, after=after, since=since)


def send_rendered(
    rendered: RenderedDigest,
    url: str | None,
    *,
    profile: StoredProfile,
    digest_id: int,
    engine: Engine,
    home: Path,
    message_id: str | None,
) -> tuple[DeliveryResult, str]:
    """Deliver a recorded digest to one channel (or write its files, named by its day and
    its rank that day: the same on a resend): the result, and the channel's label."""
    if url is None:
        zone = profile_zone(profile.timezone)
        day, rank = ledger.day_rank(digest_id, engine=engine, zone=zone)
        path = write_digest_files(rendered, profile.name, day, home, ordinal=rank)
        return DeliveryResult(True), str(path)
    return deliver(rendered, url, message_id=message_id), redact_url(url)


def finish(delivery_id: int, result: DeliveryResult, *, engine: Engine, now: datetime) -> None:
    ledger.finish_delivery(
        delivery_id,
        engine=engine,
        ok=result.ok,
        error=result.error,
        now=now,
        papers_sent=result.papers_sent,
        error_class=result.failure_class,
    )


@dataclass
class ChannelRun:
    """One channel's new digest: its window read, ranked, rendered, recorded and sent."""

    profile: StoredProfile
    key: str
    url: str | None
    engine: Engine
    now: datetime
    home: Path
    health: DigestHealth
    budget: Budget | None = None
    candidates: int = 0
    tldr_fallbacks: int = 0  # papers whose model TL;DR failed (they kept the extractive line)

    def _compose(self, until: datetime | None, decoded: dict | None):
        """(window, ranked papers, the Digest to render: None when there is nothing to send)."""
        window = read_window(
            self.profile.id, self.key, engine=self.engine, now=self.now, until=until
        )
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
        last = coverage.covered_until(self.profile.id, self.key, engine=self.engine)
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

    def _reads_a_missing_source(self) -> bool:
        """Whether the profile names a source the store no longer has (saved before names
        were checked, or the source removed since): then an empty run is no quiet one."""
        if not self.profile.sources:
            return False
        try:
            sources.select_sources(list(self.profile.sources), engine=self.engine)
        except NotFoundError as exc:
            log.warning("profile %s: %s; its digest window is kept", self.profile.name, exc)
            return True
        return False

    def dry_run(self, *, until: datetime | None, decoded: dict | None) -> list[ChannelOutcome]:
        # Here for start-up speed, not a cycle: Jinja2 costs ~0.3 s, and a dispatch tick with
        # nothing due renders nothing.
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
        # Here for start-up speed, not a cycle (links.py renders with Jinja2).
        from paperround.digest.links import render_recorded, via_of

        window, ranked, digest = self._compose(until, decoded)
        if digest is None and self._reads_a_missing_source():
            return []  # its window kept: the profile is fixed, then its papers come
        if digest is None:  # nothing to send: the window is read all the same
            coverage.mark_quiet(
                self.profile.id, self.key, seq_to=window.upto, reach=until or self.now,
                engine=self.engine,
            )  # fmt: skip
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
        digest_id, delivery_id = ledger.record_digest(
            engine=self.engine,
            profile_id=self.profile.id,
            channel_key=self.key,
            rendered=render,
            items=ranked,
            period_start=digest.period_start,  # what _compose read: covered_until
            now=self.now,
            period_end=until,
            seq_from=window.after,
            seq_to=window.upto,
            message_id=message_id,
        )
        result, label = send_rendered(
            made[-1],
            self.url,
            profile=self.profile,
            digest_id=digest_id,
            engine=self.engine,
            home=self.home,
            message_id=message_id,
        )
        finish(delivery_id, result, engine=self.engine, now=self.now)
        outcome = ChannelOutcome(label, result.ok, len(ranked), result.error)
        return [replace(outcome, tldr_fallbacks=self.tldr_fallbacks)]
