"""What goes into a digest: the sources' health line, the Digest record, its files on disk."""

from __future__ import annotations

import hashlib
import shlex
from datetime import datetime
from pathlib import Path

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
    return Digest(
        profile=profile.name,
        generated_at=now,
        items=tuple(items),
        period_start=period_start,
        period_end=period_end,
        candidates=candidates,
        health=health,
        empty_reason=empty,
        manage_hint=(  # the name shell-quoted: "my papers" is one argument
            f"Change it: paperround profile edit {shlex.quote(profile.name)} · "
            f"pause it: paperround profile pause {shlex.quote(profile.name)}"
        ),
        description=profile.description,
    )


def write_digest_files(rendered: RenderedDigest, profile: str, now: datetime, home: Path) -> Path:
    """Write the three formats under home/digests/<profile>/<date>.*; returns the HTML path.

    Names are checked when a profile is saved (models/userinput.py); a store made before
    that may still hold one such as "..": it gets a folder named by its hash instead."""
    root = home / "digests"
    folder = root / profile
    if not profile or folder.resolve().parent != root.resolve() or "\x00" in profile:
        folder = root / f"profile-{hashlib.sha1(profile.encode()).hexdigest()[:12]}"
    folder.mkdir(parents=True, exist_ok=True)
    stem = now.strftime("%Y-%m-%d")
    for ext, body in (("html", rendered.html), ("txt", rendered.text), ("md", rendered.markdown)):
        tmp = folder / f".{stem}.{ext}.tmp"
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(folder / f"{stem}.{ext}")
    return folder / f"{stem}.html"
