"""The pipeline's stages as plain functions: what flows orchestrate and tests call directly.

fetch -> parse -> store (dedup) -> select -> rank -> render -> deliver -> record.
Each function takes the engine and "now" explicitly; none imports Prefect.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy import Engine

from models.records import Digest, DigestHealth, ParseResult, RenderedDigest, ScoredPaper
from models.store import ledger, papers, profiles, sources
from models.tables import Profile, Source
from paperround.errors import PaperroundError

log = logging.getLogger(__name__)

FIRST_RUN_LOOKBACK = timedelta(days=3)  # a new profile's first digest covers this much
FILE_CHANNEL = "file"


@dataclass(frozen=True)
class SourceOutcome:
    """What one source's fetch did; status is ok | not-modified | empty | failed."""

    name: str
    status: str
    fetched: int = 0
    new: int = 0
    revised: int = 0
    note: str | None = None


@dataclass(frozen=True)
class ChannelOutcome:
    channel: str  # redacted URL, or the digest file path
    ok: bool
    items: int
    error: str | None = None


def channel_label(url: str | None) -> str:
    """A channel as outcomes show it: the URL redacted (never its secrets), or "file"."""
    if url is None:
        return FILE_CHANNEL
    from paperround.deliver import redact_url

    return redact_url(url)


@dataclass(frozen=True)
class ProfileOutcome:
    profile: str
    candidates: int
    channels: tuple[ChannelOutcome, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.channels)


# -- ingest ---------------------------------------------------------------------------------


def fetch_source(src: Source) -> tuple[bytes | None, dict]:
    """Fetch a source's bytes; local paths and file:// URLs are read from disk (demo, tests)."""
    parsed = urlparse(src.url)
    if parsed.scheme in ("", "file"):
        path = Path(parsed.path if parsed.scheme == "file" else src.url)
        try:
            return path.read_bytes(), {}
        except OSError as exc:
            raise PaperroundError(f"{src.name}: cannot read {path}: {exc.strerror}") from None
    from models.settings import get_settings
    from paperround.fetch import fetch

    settings = get_settings()
    result = fetch(
        src.url,
        etag=src.etag,
        last_modified=src.last_modified,
        timeout=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
    )
    meta = {
        "etag": result.etag,
        "last_modified": result.last_modified,
        "content_type": result.content_type,
    }
    return (None if result.not_modified else result.body), meta


def parse_source(src: Source, body: bytes, content_type: str | None = None) -> ParseResult:
    from paperround.sources import parse

    return parse(src.kind, body, source=src.name, content_type=content_type)


def ingest_source(src: Source, *, engine: Engine, now: datetime) -> SourceOutcome:
    """Fetch, parse and store one source; any error is recorded on the source, not raised."""
    try:
        body, meta = fetch_source(src)
        if body is None:
            outcome = SourceOutcome(src.name, "not-modified")
        else:
            result = parse_source(src, body, meta.get("content_type"))
            stored = papers.upsert_records(result.records, engine=engine, now=now)
            status = "empty" if not result.records else "ok"
            outcome = SourceOutcome(
                src.name,
                status,
                fetched=len(result.records),
                new=len(stored.new),
                revised=len(stored.revised),
                note=result.empty_reason or _dropped(result.dropped),
            )
            meta["announced_on"] = result.announced_on
    except PaperroundError as exc:
        outcome = SourceOutcome(src.name, "failed", note=_without_name(str(exc), src.name))
        meta = {}
    except Exception as exc:  # a bug must not stop the other sources; it is logged in full
        log.exception("ingest of %s failed", src.name)
        outcome = SourceOutcome(src.name, "failed", note=f"{type(exc).__name__}: {exc}")
        meta = {}
    sources.record_fetch(
        src.name,
        engine=engine,
        now=now,
        status=outcome.status,
        fetched=outcome.fetched,
        new=outcome.new,
        revised=outcome.revised,
        note=outcome.note,
        etag=meta.get("etag"),
        last_modified=meta.get("last_modified"),
        announced_on=meta.get("announced_on"),
    )
    return outcome


def _without_name(message: str, name: str) -> str:
    """A source's error as recorded: every listing and the digest footer name the source
    already, so "notfeed: notfeed: not a feed" loses its first prefix."""
    return message.removeprefix(f"{name}: ")


def _dropped(n: int) -> str | None:
    return f"{n} junk item(s) dropped (no title, id or link)" if n else None


def ingest_all(
    *, engine: Engine, now: datetime, names: list[str] | None = None
) -> list[SourceOutcome]:
    """Ingest every enabled source (or the named ones); one failing source never stops others."""
    todo = sources.list_sources(engine=engine, enabled_only=names is None)
    if names is not None:
        todo = [s for s in todo if s.name in names]
    outcomes = [ingest_source(src, engine=engine, now=now) for src in todo]
    from models.settings import get_settings

    if get_settings().enrich:
        from paperround.enrich import enrich_new_papers

        enriched = enrich_new_papers(engine=engine, now=now)
        if enriched is not None:
            outcomes.append(enriched)
    return outcomes


# -- digest ---------------------------------------------------------------------------------


def source_health(*, engine: Engine) -> DigestHealth:
    """The footer's health line from the sources' recorded state."""
    ok, failed, notes = [], [], []
    for src in sources.list_sources(engine=engine, enabled_only=True):
        if src.error_count:
            failed.append(f"{src.name}: {src.last_error or 'failing'}")
        elif src.last_success_at is not None:
            ok.append(src.name)
        if src.last_empty_reason:
            notes.append(f"{src.name}: {src.last_empty_reason}")
    return DigestHealth(sources_ok=tuple(ok), sources_failed=tuple(failed), notes=tuple(notes))


RANK_WINDOW = timedelta(days=90)  # the ranker's vocabulary comes from this much of the store
RANK_WINDOW_PAPERS = 50_000  # and at most this many papers
RANK_MIN_WINDOW = 200  # below this the ranker fits on the candidates themselves
RANK_REFIT_AFTER = timedelta(days=7)  # IDF drifts slowly; a refit also resets cached queries


@dataclass
class RankState:
    """The ranker's fitted index and its caches for one store, kept between runs.

    Refitted when stale: a week after the last fit, or when the store has grown by a tenth
    since (a new store filling up). The cache holds profiles' expanded queries and feedback
    models, keyed by what they depend on (the index included), so between refits a profile
    whose seeds and feedback did not change costs no refit at all.
    """

    index: object | None
    built: datetime
    papers: int
    cache: dict = field(default_factory=dict)
    checked: datetime | None = None  # the run that last checked staleness


_RANK_STATES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def rank_state(*, engine: Engine, now: datetime) -> RankState:
    from paperround.rank import build_index

    state = _RANK_STATES.get(engine)
    if state is not None and state.checked == now:
        return state  # one run ("now" read once) ranks many profiles: count the store once
    count = papers.count_papers(engine=engine)
    if (
        state is not None
        and timedelta(0) <= now - state.built < RANK_REFIT_AFTER
        and count <= state.papers * 1.1
    ):
        state.checked = now
        return state
    window = papers.recent_papers(engine=engine, since=now - RANK_WINDOW, limit=RANK_WINDOW_PAPERS)
    index = build_index(window) if len(window) >= RANK_MIN_WINDOW else None
    cache = state.cache if state is not None and len(state.cache) < 100_000 else {}
    state = RankState(index=index, built=now, papers=count, cache=cache, checked=now)
    _RANK_STATES[engine] = state
    return state


def rank_for(profile: Profile, candidates, *, engine: Engine, now: datetime) -> list[ScoredPaper]:
    """Rank with the store's cached index; its caches spare unchanged profiles any refit."""
    from paperround.rank import rank

    spec = profiles.profile_spec(profile, engine=engine)
    state = rank_state(engine=engine, now=now)
    return rank(candidates, spec, now=now, index=state.index, cache=state.cache)


def build_digest(
    profile: Profile,
    items: list[ScoredPaper],
    *,
    now: datetime,
    candidates: int,
    health: DigestHealth,
    period_start: datetime | None,
    period_end: datetime | None = None,
) -> Digest:
    empty = None
    if not items and candidates:
        empty = f"nothing matched your profile among {candidates} new papers"
    elif not items:
        empty = "; ".join(health.notes) or "no new papers since the last digest"
    return Digest(
        profile=profile.name,
        generated_at=now,
        items=tuple(items),
        period_start=period_start,
        period_end=period_end,
        candidates=candidates,
        health=health,
        empty_reason=empty,
        manage_hint=(
            f"Change it: paperround profile edit {profile.name} · "
            f"pause it: paperround profile pause {profile.name}"
        ),
        description=profile.description,
    )


def write_digest_files(rendered: RenderedDigest, profile: str, now: datetime, home: Path) -> Path:
    """Write the three formats under home/digests/<profile>/<date>.*; returns the HTML path."""
    folder = home / "digests" / profile
    folder.mkdir(parents=True, exist_ok=True)
    stem = now.strftime("%Y-%m-%d")
    for ext, body in (("html", rendered.html), ("txt", rendered.text), ("md", rendered.markdown)):
        tmp = folder / f".{stem}.{ext}.tmp"
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(folder / f"{stem}.{ext}")
    return folder / f"{stem}.html"


def preview_digest(profile: Profile, *, engine: Engine, now: datetime) -> RenderedDigest:
    """Render what the profile's first channel would receive now, without sending or recording."""
    from paperround.render import render_digest

    chans = profiles.channels_of(profile.id, engine=engine)
    key = str(chans[0].id) if chans else FILE_CHANNEL
    last = ledger.covered_until(profile.id, key, engine=engine)
    since = last if last is not None else now - FIRST_RUN_LOOKBACK
    cands = papers.unsent_candidates(
        engine=engine, profile_id=profile.id, channel_key=key, since=since, sources=profile.sources
    )
    ranked = rank_for(profile, cands, engine=engine, now=now)
    health = source_health(engine=engine)
    digest = build_digest(
        profile, ranked, now=now, candidates=len(cands), health=health, period_start=last
    )
    return render_digest(digest)


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
) -> ProfileOutcome:
    """Select, rank, render, deliver and record one profile's digest, channel by channel.

    Each channel has its own ledger: a failure leaves that channel's papers pending.
    With served_since (a schedule slot), channels whose digests already cover it are
    skipped, so retrying a slot only serves the channels that missed it.
    With until (a missed slot, catch_up "each"), the digest holds only papers first seen
    up to it, and the channel's next window starts there.
    decoded: the run's cache of decoded papers, shared by all the profiles it digests
    (models.store.papers.unsent_candidates).
    """
    from paperround.render import render_digest

    health = health if health is not None else source_health(engine=engine)
    chans = profiles.channels_of(profile.id, engine=engine)
    targets = [(str(c.id), c.url) for c in chans] or [(FILE_CHANNEL, None)]
    outcomes: list[ChannelOutcome] = []
    max_candidates = 0
    for key, url in targets:
        last = ledger.covered_until(profile.id, key, engine=engine)
        if served_since is not None and last is not None and last >= served_since:
            continue
        since = last if last is not None else now - FIRST_RUN_LOOKBACK
        cands = papers.unsent_candidates(
            engine=engine,
            profile_id=profile.id,
            channel_key=key,
            since=since,
            sources=profile.sources,
            until=until,
            decoded=decoded,
        )
        max_candidates = max(max_candidates, len(cands))
        ranked = rank_for(profile, cands, engine=engine, now=now)
        if not ranked and not profile.send_empty:
            continue
        digest = build_digest(
            profile,
            ranked,
            now=now,
            candidates=len(cands),
            health=health,
            period_start=last,
            period_end=until,
        )
        rendered = render_digest(digest)
        if dry_run:
            outcomes.append(ChannelOutcome(channel_label(url), True, len(ranked), "dry run"))
            continue
        _, delivery_id = ledger.record_digest(
            engine=engine,
            profile_id=profile.id,
            channel_key=key,
            rendered=rendered,
            items=ranked,
            period_start=last,
            now=now,
            period_end=until,
        )
        papers_sent = 0
        if url is None:
            path = write_digest_files(rendered, profile.name, until or now, home)
            ok, error, label = True, None, str(path)
        else:
            from paperround.deliver import deliver, redact_url

            result = deliver(rendered, url)
            ok, error, label = result.ok, result.error, redact_url(url)
            papers_sent = result.papers_sent
        ledger.finish_delivery(
            delivery_id, engine=engine, ok=ok, error=error, now=now, papers_sent=papers_sent
        )
        outcomes.append(ChannelOutcome(label, ok, len(ranked), error))
    return ProfileOutcome(profile.name, max_candidates, tuple(outcomes))


def digest_all(
    *,
    engine: Engine,
    now: datetime,
    home: Path,
    names: list[str] | None = None,
    dry_run: bool = False,
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
                )
            )
        except Exception as exc:  # isolate: record this profile's failure, go on with the rest
            log.exception("digest of profile %s failed", prof.name)
            err = f"{type(exc).__name__}: {exc}".splitlines()[0]
            outcomes.append(ProfileOutcome(prof.name, 0, (ChannelOutcome("-", False, 0, err),)))
    return outcomes
