"""What goes into a digest: the sources' health line, the Digest record, its files on disk."""

from __future__ import annotations

import hashlib
import shlex
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from models.records import Digest, DigestHealth, RenderedDigest, ScoredPaper, StoredProfile
from models.store import sources


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


def profile_zone(name: str) -> tzinfo:
    """The profile's timezone, in which its digest's dates are written (UTC if the stored name
    is unknown to this machine's tz database: checked when saved, but a store can move)."""
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return ZoneInfo("UTC")


def build_digest(
    profile: StoredProfile,
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
    zone = profile_zone(profile.timezone)  # the reader's dates: 07:00 in Tokyo is not "yesterday"
    return Digest(
        profile=profile.name,
        generated_at=now.astimezone(zone),
        items=tuple(items),
        period_start=period_start and period_start.astimezone(zone),
        period_end=period_end and period_end.astimezone(zone),
        candidates=candidates,
        health=health,
        empty_reason=empty,
        manage_hint=(  # the name shell-quoted: "my papers" is one argument
            f"Change it: paperround profile edit {shlex.quote(profile.name)} · "
            f"pause it: paperround profile pause {shlex.quote(profile.name)}"
        ),
        description=profile.description,
    )


def write_digest_files(
    rendered: RenderedDigest, profile: str, day: datetime, home: Path, ordinal: int = 1
) -> Path:
    """Write the three formats under home/digests/<profile>/<date>.*; returns the HTML path.

    The first digest of a date is <date>.*, later ones <date>-2.*, <date>-3.*: ordinal is the
    digest's rank among its channel's digests of that date (models.store.ledger.day_rank),
    so a resend rewrites its own. Should that name hold another digest's files all the same
    (the profile's timezone changed since, or a removed profile's name was taken), the next
    free one is used: a file is only ever replaced by the same digest. Each file is written
    whole to a temporary name, then renamed over the final one.

    Names are checked when a profile is saved (models/userinput.py); a store made before
    that may still hold one such as "..": it gets a folder named by its hash instead."""
    root = home / "digests"
    folder = root / profile
    if not profile or folder.resolve().parent != root.resolve() or "\x00" in profile:
        folder = root / f"profile-{hashlib.sha1(profile.encode()).hexdigest()[:12]}"
    folder.mkdir(parents=True, exist_ok=True)
    date = day.strftime("%Y-%m-%d")
    while True:
        stem = date + (f"-{ordinal}" if ordinal > 1 else "")
        page = folder / f"{stem}.html"
        if not page.exists() or page.read_text(encoding="utf-8") == rendered.html:
            break  # free, or this digest's own (a resend)
        ordinal += 1
    for ext, body in (("html", rendered.html), ("txt", rendered.text), ("md", rendered.markdown)):
        tmp = folder / f".{stem}.{ext}.tmp"
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(folder / f"{stem}.{ext}")
    return folder / f"{stem}.html"
