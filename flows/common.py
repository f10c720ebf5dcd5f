"""What the flows share: the transient-error retry rule and the run-summary artifacts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from paperround.digest.outcomes import ProfileOutcome
from paperround.ingest.run import SourceOutcome

# Store errors worth a retry: a locked SQLite file, a dropped PostgreSQL connection.
_TRANSIENT_DB = ("OperationalError", "InterfaceError", "DisconnectionError", "TimeoutError")


class RunFailed(RuntimeError):
    """A flow that tried everything and some of it failed; it still carries its summary,
    so the CLI can show what went through before the one-line error."""

    def __init__(self, message: str, summary: dict) -> None:
        super().__init__(message)
        self.summary = summary

    def __reduce__(self):  # survive Prefect's result serialisation with the summary
        return (type(self), (str(self), self.summary))


def transient_error(task, task_run, state) -> bool:
    """retry_condition_fn: retry only errors that another attempt can fix (store I/O)."""
    try:
        state.result()
    except Exception as exc:
        return any(type(e).__name__ in _TRANSIENT_DB for e in _chain(exc))
    return False


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    while exc is not None:
        yield exc
        exc = exc.__cause__ or exc.__context__


def digest_rows(outcomes: Sequence[ProfileOutcome]) -> list[dict]:
    """One row per (profile, channel): what was sent where, or why not."""
    rows = []
    for o in outcomes:
        for c in o.channels or ():
            result = "sent" if c.ok and not c.error else (c.error or "failed")
            rows.append(
                {
                    "profile": o.profile,
                    "candidates": o.candidates,
                    "channel": c.channel,
                    "papers": c.items,
                    "result": result,
                }
            )
        if not o.channels:
            rows.append(
                {
                    "profile": o.profile,
                    "candidates": o.candidates,
                    "channel": "-",
                    "papers": 0,
                    "result": "nothing to send",
                }
            )
    return rows


def publish_digest_artifacts(
    outcomes: Sequence[ProfileOutcome], *, key: str, heading: str, skipped: int = 0
) -> None:
    """A table (profiles, papers, channels, results) and a markdown summary naming failures,
    with the sources that could not be read: readers' footers only count them."""
    from models.db import get_engine
    from paperround.digest.compose import source_health

    failing_sources = source_health(engine=get_engine()).sources_failed
    rows = digest_rows(outcomes)
    failed = [o for o in outcomes if not o.ok]
    sent = sum(r["papers"] for r in rows if r["result"] == "sent")
    if rows:
        create_table_artifact(rows, key=key, description=heading)
    lines = [
        f"## {heading}",
        "",
        f"- profiles digested: {len(outcomes)}",
        f"- papers sent: {sent}",
        f"- channels reached: {sum(1 for r in rows if r['result'] == 'sent')}",
    ]
    if skipped:
        lines.append(f"- due but held by another dispatcher: {skipped}")
    fallbacks = sum(c.tldr_fallbacks for o in outcomes for c in o.channels)
    if fallbacks:
        lines.append(
            f"- TL;DR lines the summariser model failed (extractive line kept): {fallbacks}"
        )
    if failing_sources:
        lines += ["", "### Sources that could not be read", ""]
        lines += [f"- {s}" for s in failing_sources]
    if failed:
        lines += ["", "### Failures", ""]
        for o in failed:
            for c in o.channels:
                if not c.ok:
                    lines.append(f"- **{o.profile}** → {c.channel}: {c.error}")
    create_markdown_artifact("\n".join(lines), key=f"{key}-summary", description=heading)


def publish_ingest_artifact(outcomes: Sequence[SourceOutcome], *, key: str) -> None:
    rows = [
        {
            "source": o.name,
            "status": o.status,
            "fetched": o.fetched,
            "new": o.new,
            "revised": o.revised,
            "note": o.note or "",
        }
        for o in outcomes
    ]
    if rows:
        create_table_artifact(rows, key=key, description="Ingest: one row per source")


def console_line(
    kind: str, now: datetime, outcomes: Sequence[ProfileOutcome], seconds: float
) -> str:
    """One line per flow run for the `serve` console: who got how many papers, where.

    e.g. "dispatch 07:00 · theory: 12 papers -> 1 channel ok · 2.1 s"
    """
    parts = []
    for o in outcomes:
        papers = sum(c.items for c in o.channels if c.ok)
        ok = sum(1 for c in o.channels if c.ok)
        failed = [c for c in o.channels if not c.ok]
        text = f"{o.profile}: {papers} papers -> {ok} channel{'s' * (ok != 1)} ok"
        if failed:
            text += f", {len(failed)} failed"
        fallbacks = sum(c.tldr_fallbacks for c in o.channels)
        if fallbacks:
            text += f" ({fallbacks} TL;DR fallbacks)"
        parts.append(text if o.channels else f"{o.profile}: nothing to send")
    return " · ".join([f"{kind} {now:%H:%M}", *(parts or ["nothing due"]), f"{seconds:.1f} s"])
