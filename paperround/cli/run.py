"""`paperround demo | ingest | digest`: the commands that run Prefect flows."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table

from paperround.cli.common import console, engine, print_json

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def prefect_flows(*, open_store: bool = True):
    """Open the store, prepare Prefect's environment, then import the flows (slow).

    A store fault fails first, in one line, before Prefect starts or writes anything.
    """
    from paperround.env import prepare_prefect_env

    if open_store:
        engine()
    prepare_prefect_env()
    from flows.digest import digest
    from flows.ingest import ingest

    return ingest, digest


def run_flow(flow, **params) -> tuple[dict | None, str | None]:
    """Run a flow; return (summary, error line).

    A flow that tried everything but failed in part gives both: what it did, and what failed.
    """
    state = flow(return_state=True, **params)
    if state.is_completed():
        return state.result(), None
    try:
        state.result()
    except Exception as exc:
        line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return getattr(exc, "summary", None), line
    return None, state.message


def finish(summary: dict | None, error: str | None, what: str, show) -> None:
    """Show the summary (table or JSON), then the error line and exit 1 if the run failed."""
    if summary is not None:
        show(summary)
    if error is not None:
        console.print(f"[red]error:[/red] {what} failed: {error}")
        raise typer.Exit(1)


def _print_ingest(summary: dict) -> None:
    table = Table("source", "status", "fetched", "new", "revised", "note", title="Ingest")
    for s in summary["sources"]:
        table.add_row(
            s["name"],
            s["status"],
            str(s["fetched"]),
            str(s["new"]),
            str(s["revised"]),
            s["note"] or "",
        )
    console.print(table)


def print_digest(summary: dict) -> None:
    table = Table("profile", "candidates", "channel", "papers", "result", title="Digest")
    for p in summary["profiles"]:
        for c in p["channels"] or [
            {"channel": "-", "items": 0, "ok": True, "error": "nothing to send"}
        ]:
            result = "sent" if c["ok"] and not c["error"] else (c["error"] or "failed")
            table.add_row(p["profile"], str(p["candidates"]), c["channel"], str(c["items"]), result)
    console.print(table)


def ingest_cmd(
    source: list[str] = typer.Option([], "--source", "-s", help="Only these sources."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Fetch every enabled source and store new papers (a Prefect flow run).

    Example: paperround ingest --source arxiv-cs.LG
    """
    ingest, _ = prefect_flows()
    summary, error = run_flow(ingest, sources=source or None)
    finish(summary, error, "ingest", print_json if json_out else _print_ingest)


def demo_cmd(
    keep: bool = typer.Option(False, help="Keep the previous demo store instead of starting over."),
) -> None:
    """Run the whole job offline: bundled feeds -> SQLite -> demo profile -> HTML digest.

    Uses its own store under $PAPERROUND_HOME/demo; channels from PAPERROUND_DEMO_CHANNEL
    (an Apprise URL) are added to the demo profile if set.

    Example: paperround demo
    """
    from models.settings import get_settings
    from paperround.demo import setup_demo

    base = get_settings().home
    # Prefect's home stays under the real home (warm restarts); the demo has its own store.
    ingest, digest = prefect_flows(open_store=False)
    home = base / "demo"
    if home.exists() and not keep:
        shutil.rmtree(home)
    os.environ["PAPERROUND_HOME"] = str(home)
    os.environ.pop("PAPERROUND_DATABASE_URL", None)
    os.environ["PAPERROUND_ENRICH"] = "false"  # offline: the bundled feeds are all there is
    get_settings.cache_clear()
    channel = os.environ.get("PAPERROUND_DEMO_CHANNEL")
    setup_demo(EXAMPLES, channels=[channel] if channel else [])
    now = datetime.now(UTC)
    console.print(f"[bold]Paperround demo[/bold] · store {get_settings().db_url}")
    finish(*run_flow(ingest, now=now), "ingest", _print_ingest)
    finish(*run_flow(digest, now=now), "digest", print_digest)
    from paperround.demo import print_top_picks

    print_top_picks(console, now=now)
    html = home / "digests" / "demo" / f"{now:%Y-%m-%d}.html"
    if html.exists():
        console.print(f"HTML digest: [bold]{html}[/bold]")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_cmd)
    app.command("ingest")(ingest_cmd)
