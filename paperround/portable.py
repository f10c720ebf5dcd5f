"""Export and import what a person cannot re-fetch: profiles, feedback, delivery history.

Papers themselves can be fetched again, so only the papers that feedback and history point
at travel with the export (enough to rebuild the links; they are stored with the source
"import"). Channel URLs may hold passwords or tokens: they are exported as {"url": ...}
only with include_secrets, otherwise as {"redacted": ...}, which import cannot restore (the
profile keeps whatever channels it already has, and history for that channel is skipped).
Rendered digest bodies are not exported (subject, items, scores and reasons are).
Import is idempotent: profiles are upserted by name, feedback by (profile, paper), digests by
(profile, channel, created_at, subject), sent items by (profile, channel, paper).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from models.errors import ConfigError
from models.records import PaperRecord
from models.store import candidates
from models.store import papers as paper_store
from models.store.paper_merge import record_key
from models.store.profiles import channels_of, config_of, list_profiles, save_profile
from models.tables import (
    Delivery,
    DigestItem,
    DigestRecord,
    Feedback,
    Paper,
    Profile,
    SentItem,
)

FORMAT = "paperround-export"
VERSION = 1
_PAPER_FIELDS = ("key", "arxiv_id", "doi", "title", "abstract", "authors", "categories", "url")


@dataclass
class ImportReport:
    profiles: int = 0
    feedback: int = 0
    digests: int = 0
    sent: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"imported {self.profiles} profile(s), {self.feedback} feedback, "
            f"{self.digests} new digest(s), {self.sent} sent item(s)"
        )


def _channel_ref(url: str, include_secrets: bool) -> dict:
    from paperround.digest.deliver import redact_url

    return {"url": url} if include_secrets else {"redacted": redact_url(url)}


def export_store(*, engine: Engine, include_secrets: bool, now: datetime) -> dict:
    """Everything personal in the store as one JSON-ready dict."""
    profiles, chan_refs, names = [], {}, {}
    for prof in list_profiles(engine=engine):
        names[prof.id] = prof.name
        data = config_of(prof, engine=engine).model_dump(mode="json")
        chans = channels_of(prof.id, engine=engine)
        for c in chans:
            chan_refs[(prof.id, str(c.id))] = _channel_ref(c.url, include_secrets)
        data["channels"] = [chan_refs[(prof.id, str(c.id))] for c in chans]
        profiles.append(data)

    def chan(pid: int, key: str):
        return "file" if key == "file" else chan_refs.get((pid, key), {"redacted": "removed"})

    with engine.connect() as conn:
        keys = dict(conn.execute(select(Paper.id, Paper.key)).all())
        feedback = [
            {"profile": names[f.profile_id], "paper": keys[f.paper_id], "value": f.value,
             "origin": f.origin, "created_at": f.created_at}
            for f in conn.execute(select(Feedback.__table__).order_by(Feedback.id))
        ]  # fmt: skip
        items: dict[int, list] = {}
        for it in conn.execute(select(DigestItem.__table__).order_by(DigestItem.rank)):
            items.setdefault(it.digest_id, []).append(
                {"paper": keys[it.paper_id], "rank": it.rank, "score": it.score,
                 "version": it.version, "reasons": it.reasons}
            )  # fmt: skip
        query = select(DigestRecord.__table__, Delivery.status, Delivery.attempts,
                       Delivery.error, Delivery.sent_at).join(
            Delivery.__table__, Delivery.digest_id == DigestRecord.id
        ).order_by(DigestRecord.id)  # fmt: skip
        deliveries = [
            {"profile": names[d.profile_id], "channel": chan(d.profile_id, d.channel_key),
             "created_at": d.created_at, "period_start": d.period_start,
             "period_end": d.period_end, "subject": d.subject,
             "status": d.status, "attempts": d.attempts, "error": d.error, "sent_at": d.sent_at,
             "items": items.get(d.id, [])}
            for d in conn.execute(query)
        ]  # fmt: skip
        sent = [
            {"profile": names[s.profile_id], "channel": chan(s.profile_id, s.channel_key),
             "paper": keys[s.paper_id], "version": s.version, "sent_at": s.sent_at}
            for s in conn.execute(select(SentItem.__table__).order_by(SentItem.id))
        ]  # fmt: skip
        wanted = {f["paper"] for f in feedback} | {s["paper"] for s in sent}
        wanted |= {i["paper"] for d in deliveries for i in d["items"]}
        paper_rows = [
            {f: getattr(r, f) for f in _PAPER_FIELDS}
            | {"announced_at": r.announced_at, "version": r.version}
            for r in conn.execute(select(Paper.__table__).where(Paper.key.in_(wanted)))
        ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now,
        "secrets": include_secrets,
        "profiles": profiles,
        "papers": paper_rows,
        "feedback": feedback,
        "deliveries": deliveries,
        "sent": sent,
    }


def read_export(path: Path) -> dict:
    """Load and check an export file (its size is capped: see models.userinput)."""
    from models.userinput import MAX_EXPORT_FILE, read_text

    text = read_text(Path(path), limit=MAX_EXPORT_FILE, what="paperround export")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{path}: not a readable JSON export ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(f'{path}: not a paperround export (no "format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise ConfigError(f"{path}: export version {data.get('version')!r}, expected {VERSION}")
    for part in ("profiles", "papers", "feedback", "deliveries", "sent"):
        rows = data.get(part)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ConfigError(f"{path}: {part!r} should be a list of objects")
    return data


def _origin(value: object) -> str:
    """An exported feedback's origin; an export from before origins (or a strange one): cli."""
    from models.store.profiles import FEEDBACK_ORIGINS

    return value if isinstance(value, str) and value in FEEDBACK_ORIGINS else "cli"


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def import_store(data: dict, *, engine: Engine, now: datetime) -> ImportReport:
    """Restore an export into this store (see the module docstring for what is kept)."""
    from paperround.profiles import build_config

    report = ImportReport()
    profile_ids: dict[str, int] = {}
    chan_ids: dict[tuple[str, str], str] = {}
    # Every profile is checked (names, values) before the first one is written.
    checked = []
    for prof in data["profiles"]:
        refs = prof.get("channels", [])
        urls = [r["url"] for r in refs if isinstance(r, dict) and "url" in r]
        config = build_config(
            {k: v for k, v in prof.items() if k != "channels"}, require_signal=False
        )
        checked.append((config, urls, len(refs)))
    for config, urls, n_refs in checked:
        if len(urls) < n_refs:
            report.notes.append(
                f"{config.name}: {n_refs - len(urls)} redacted channel(s) not restored"
            )
        try:
            existing = channels_of(_profile_id(engine, config.name), engine=engine)
        except LookupError:
            existing = []
        keep = [c.url for c in existing] + [u for u in urls if u not in {c.url for c in existing}]
        config = build_config(config.model_dump() | {"channels": keep}, require_signal=False)
        saved, _ = save_profile(config, engine=engine, now=now, mode="upsert")
        profile_ids[saved.name] = saved.id
        for c in channels_of(saved.id, engine=engine):
            chan_ids[(saved.name, c.url)] = str(c.id)
        report.profiles += 1

    def chan(profile: str, ref) -> str | None:
        return "file" if ref == "file" else chan_ids.get((profile, ref.get("url", "")))

    recs = [
        PaperRecord(
            source="import", external_id=p["key"], title=p["title"], abstract=p["abstract"],
            authors=tuple(p["authors"]), url=p["url"], arxiv_id=p["arxiv_id"], doi=p["doi"],
            categories=tuple(p["categories"]), version=p["version"],
            published=_dt(p["announced_at"]),
        )
        for p in data["papers"]
    ]  # fmt: skip
    stored = paper_store.upsert_records(recs, engine=engine, now=now)
    pids = {p["key"]: stored.keys[record_key(r)] for p, r in zip(data["papers"], recs, strict=True)}
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    # A restored digest covered every paper restored with it: its channel's next window
    # starts after them (the export keeps no bodies, so nothing restored is ever resent).
    covered = candidates.high_water(engine=engine)
    with engine.begin() as conn:
        fb = [
            {"profile_id": profile_ids[f["profile"]], "paper_id": pids[f["paper"]],
             "value": f["value"], "origin": _origin(f.get("origin")),
             "created_at": _dt(f["created_at"])}
            for f in data["feedback"]
        ]  # fmt: skip
        if fb:
            stmt = dialect.insert(Feedback.__table__)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["profile_id", "paper_id"],
                    set_={"value": stmt.excluded.value, "origin": stmt.excluded.origin},
                ),
                fb,
            )
        report.feedback = len(fb)
        skipped = 0
        for d in data["deliveries"]:
            key = chan(d["profile"], d["channel"])
            if key is None:
                skipped += 1
                continue
            report.digests += _restore_digest(
                conn, d, profile_ids[d["profile"]], key, pids, covered
            )
        sent = []
        for s in data["sent"]:
            key = chan(s["profile"], s["channel"])
            if key is None:
                skipped += 1
                continue
            sent.append(
                {"profile_id": profile_ids[s["profile"]], "channel_key": key,
                 "paper_id": pids[s["paper"]], "version": s["version"],
                 "sent_at": _dt(s["sent_at"])}
            )  # fmt: skip
        if sent:
            stmt = dialect.insert(SentItem.__table__).on_conflict_do_nothing(
                index_elements=["profile_id", "channel_key", "paper_id"]
            )
            conn.execute(stmt, sent)
        report.sent = len(sent)
    if skipped:
        report.notes.append(f"{skipped} history row(s) of unrestored channels skipped")
    return report


def _profile_id(engine: Engine, name: str) -> int:
    with engine.connect() as conn:
        pid = conn.execute(select(Profile.id).where(Profile.name == name)).scalar()
    if pid is None:
        raise LookupError(name)
    return pid


def _restore_digest(
    conn, d: dict, profile_id: int, channel_key: str, pids: dict, covered: int
) -> int:
    created = _dt(d["created_at"])
    t = DigestRecord.__table__
    found = conn.execute(
        select(t.c.id).where(
            t.c.profile_id == profile_id,
            t.c.channel_key == channel_key,
            t.c.created_at == created,
            t.c.subject == d["subject"],
        )
    ).first()
    if found is not None:
        return 0
    digest_id = conn.execute(
        t.insert().values(
            profile_id=profile_id, channel_key=channel_key, created_at=created,
            period_start=_dt(d["period_start"]), period_end=_dt(d.get("period_end")),
            seq_to=covered, subject=d["subject"],
            item_count=len(d["items"]), html="", text="", markdown="",
        )
    ).inserted_primary_key[0]  # fmt: skip
    status, error = d["status"], d["error"]
    if status == "pending":  # its body is not exported: record it as never delivered
        status, error = "failed", "pending when exported; its papers were not resent"
    conn.execute(
        Delivery.__table__.insert().values(
            digest_id=digest_id, profile_id=profile_id, channel_key=channel_key,
            status=status, attempts=d["attempts"], error=error,
            created_at=created, sent_at=_dt(d["sent_at"]),
        )
    )  # fmt: skip
    if d["items"]:
        conn.execute(
            DigestItem.__table__.insert(),
            [
                {"digest_id": digest_id, "paper_id": pids[i["paper"]], "rank": i["rank"],
                 "score": i["score"], "version": i["version"], "reasons": i["reasons"]}
                for i in d["items"]
            ],
        )  # fmt: skip
    return 1
