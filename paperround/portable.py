"""Export and import what a person cannot re-fetch: profiles, feedback, delivery history.

Papers themselves can be fetched again, so only the papers that feedback and history point
at travel with the export (enough to rebuild the links; they are stored with the source
"import"). Channel URLs may hold passwords or tokens: they are exported as {"url": ...}
only with include_secrets, otherwise as {"redacted": ...}, which import cannot restore (the
profile keeps whatever channels it already has, and history for that channel is skipped).
Rendered digest bodies are not exported (subject, items, scores and reasons are).
Import is idempotent: profiles are upserted by name, feedback by (profile, paper), digests by
(profile, channel, created_at, subject), sent items by (profile, channel, paper).
A restored digest counts as having read only the papers this store had first seen by the end
of its period (models/store/portable.py): papers ingested here before the import still go out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine  # a type hint only: no SQL here (models/store/portable.py)

from models.errors import ConfigError, NotFoundError
from models.records import PaperRecord
from models.store import candidates
from models.store import papers as paper_store
from models.store import portable as portable_rows
from models.store.paper_merge import record_key
from models.store.profile_views import config_of
from models.store.profiles import channels_of, list_profiles, profile_id, save_profile
from models.store.sources import check_source_names
from models.userinput import MAX_EXPORT_FILE, read_text

FORMAT = "paperround-export"
VERSION = 1


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
    # Here for start-up speed, not a cycle: deliver imports Apprise (~1 s), which only an
    # export needs.
    from paperround.digest.deliver import redact_url

    return {"url": url} if include_secrets else {"redacted": redact_url(url)}


def export_store(*, engine: Engine, include_secrets: bool, now: datetime) -> dict:
    """Everything personal in the store as one JSON-ready dict."""
    profiles: list[dict] = []
    chan_refs: dict[tuple[int, str], dict] = {}
    names: dict[int, str] = {}
    for prof in list_profiles(engine=engine):
        names[prof.id] = prof.name
        data = config_of(prof, engine=engine).model_dump(mode="json")
        chans = channels_of(prof.id, engine=engine)
        for c in chans:
            chan_refs[(prof.id, str(c.id))] = _channel_ref(c.url, include_secrets)
        data["channels"] = [chan_refs[(prof.id, str(c.id))] for c in chans]
        profiles.append(data)

    def named(row: dict) -> dict:
        """A row with its profile's name and its channel's reference for ids."""
        out = {k: v for k, v in row.items() if k not in ("profile_id", "channel_key")}
        pid: int = row["profile_id"]
        key: str | None = row.get("channel_key")
        if key is None:  # feedback: no channel
            return {"profile": names[pid]} | out
        ref = "file" if key == "file" else chan_refs.get((pid, key), {"redacted": "removed"})
        return {"profile": names[pid], "channel": ref} | out

    rows = portable_rows.history_rows(engine=engine)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now,
        "secrets": include_secrets,
        "profiles": profiles,
        "papers": list(rows.papers),
        "feedback": [named(f) for f in rows.feedback],
        "deliveries": [named(d) for d in rows.deliveries],
        "sent": [named(s) for s in rows.sent],
    }


def read_export(path: Path) -> dict:
    """Load and check an export file (its size is capped: see models.userinput)."""
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
    from models.store.feedback import FEEDBACK_ORIGINS

    return value if isinstance(value, str) and value in FEEDBACK_ORIGINS else "cli"


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def import_store(data: dict, *, engine: Engine, now: datetime) -> ImportReport:
    """Restore an export into this store (see the module docstring for what is kept)."""
    # Here for start-up speed, not a cycle: profiles.py's channel check loads Apprise.
    from paperround.profiles import build_config

    report = ImportReport()
    profile_ids: dict[str, int] = {}
    chan_ids: dict[tuple[str, str], str] = {}
    # Every profile is checked (names, values, the sources it reads) before the first one is
    # written.
    checked = []
    for prof in data["profiles"]:
        refs = prof.get("channels", [])
        urls = [r["url"] for r in refs if isinstance(r, dict) and "url" in r]
        config = build_config(
            {k: v for k, v in prof.items() if k != "channels"}, require_signal=False
        )
        try:
            check_source_names(config.sources, engine=engine, reader=config.name)
        except NotFoundError as exc:
            raise NotFoundError(
                f"{exc}: an export holds no sources; add it (paperround source add) and "
                "import again"
            ) from None
        checked.append((config, urls, len(refs)))
    for config, urls, n_refs in checked:
        if len(urls) < n_refs:
            report.notes.append(
                f"{config.name}: {n_refs - len(urls)} redacted channel(s) not restored"
            )
        try:
            existing = channels_of(profile_id(config.name, engine=engine), engine=engine)
        except NotFoundError:
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
    held = candidates.high_water(engine=engine)  # what the store held before this import
    stored = paper_store.upsert_records(recs, engine=engine, now=now)
    pids = {p["key"]: stored.keys[record_key(r)] for p, r in zip(data["papers"], recs, strict=True)}
    feedback = [
        {"profile_id": profile_ids[f["profile"]], "paper_id": pids[f["paper"]],
         "value": f["value"], "origin": _origin(f.get("origin")),
         "created_at": _dt(f["created_at"])}
        for f in data["feedback"]
    ]  # fmt: skip
    digests, sent, skipped = [], [], 0
    for d in data["deliveries"]:
        key = chan(d["profile"], d["channel"])
        if key is None:
            skipped += 1
            continue
        status, error = d["status"], d["error"]
        if status == "pending":  # its body is not exported: record it as never delivered
            status, error = "failed", "pending when exported; its papers were not resent"
        digests.append(
            {"profile_id": profile_ids[d["profile"]], "channel_key": key,
             "created_at": _dt(d["created_at"]), "period_start": _dt(d["period_start"]),
             "period_end": _dt(d.get("period_end")), "subject": d["subject"],
             "status": status, "attempts": d["attempts"], "error": error,
             "sent_at": _dt(d["sent_at"]),
             "items": [
                 {"paper_id": pids[i["paper"]], "rank": i["rank"], "score": i["score"],
                  "version": i["version"], "reasons": i["reasons"]}
                 for i in d["items"]
             ]}
        )  # fmt: skip
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
    # A restored digest covers the papers this store had first seen by the end of its
    # period: one ingested here before the import is still to be sent (models/store/portable.py).
    report.digests = portable_rows.restore_history(
        engine=engine,
        feedback=feedback,
        digests=digests,
        sent=sent,
        held=held,
        top=candidates.high_water(engine=engine),
    )
    report.feedback, report.sent = len(feedback), len(sent)
    if skipped:
        report.notes.append(f"{skipped} history row(s) of unrestored channels skipped")
    return report
