"""`paperround demo | ingest | digest`: the pipeline's runs, from the command line.

They run the plain pipeline functions in this process: no Prefect server is started for a
command (a temporary one cost ~25 s per command and could outlive it). Where a Prefect API
is configured (PREFECT_API_URL), they run as flow runs against it instead, visible in its UI.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from models.errors import ConfigError
from paperround.cli.common import add_row, console, engine, err_console, esc, print_json
from paperround.cli.params import source_option

if TYPE_CHECKING:
    from paperround.ingest.run import Progress

OFFLINE_HINT = (
    "offline? the bundled feeds work offline: see 'Working offline' in docs/cli.md "
    "(or run: paperround demo)"
)


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


def prefect_api_configured() -> bool:
    """True when runs go through a Prefect server: the user points at one (PREFECT_API_URL),
    or a `paperround serve` of this home is running (its runs then show in its UI)."""
    from models.settings import get_settings, replace_settings

    settings = get_settings()
    if settings.prefect_api_url:
        return True
    from paperround.server import serving_api_url

    url = serving_api_url(settings.home)
    if url is None:
        return False
    os.environ["PREFECT_API_URL"] = url  # Prefect reads its API URL from the environment
    replace_settings(prefect_api_url=url)
    return True


@contextmanager
def progress_bar(what: str) -> Iterator[Progress | None]:
    """A progress bar on stderr when it is a terminal (nothing otherwise): scripts and --json
    keep a clean stdout."""
    if not err_console.is_terminal:
        yield None
        return
    with RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(what, total=None)

        def step(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"{what} · {escape(label)}")

        yield step


def run_ingest(names: list[str] | None, now: datetime) -> tuple[dict | None, str | None]:
    """Ingest now; (summary, error line if any source failed)."""
    if prefect_api_configured():
        ingest, _ = prefect_flows()
        return run_flow(ingest, sources=names, now=now)
    from models.store.sources import ensure_default_sources
    from paperround.ingest.run import ingest_all, ingest_summary

    eng = engine()
    ensure_default_sources(engine=eng)
    with progress_bar("ingest") as progress:
        outcomes = ingest_all(engine=eng, now=now, names=names, progress=progress)
    summary = ingest_summary(outcomes)
    failed = summary["failed"]
    return summary, (f"sources failed: {', '.join(failed)}" if failed else None)


def run_digest(names: list[str] | None, now: datetime) -> tuple[dict | None, str | None]:
    """Digest every enabled (or named) profile now; (summary, error line if any failed)."""
    if prefect_api_configured():
        _, digest = prefect_flows()
        return run_flow(digest, profiles=names, now=now)
    from models.settings import get_settings
    from paperround.digest.outcomes import digest_summary
    from paperround.digest.run import digest_all

    with progress_bar("digest") as progress:
        outcomes = digest_all(
            engine=engine(), now=now, home=get_settings().home, names=names, progress=progress
        )
    summary = digest_summary(outcomes)
    failed = summary["failed"]
    return summary, (f"delivery failed for: {', '.join(failed)}" if failed else None)


def run_flow(flow, **params) -> tuple[dict | None, str | None]:
    """Run a flow; return (summary, error line).

    A flow that tried everything but failed in part gives both: what it did, and what failed.
    """
    try:
        state = flow(return_state=True, **params)
    except RuntimeError as exc:
        if (error := unreachable_api(exc)) is None:
            raise
        raise error from exc
    if state.is_completed():
        return state.result(), None
    try:
        state.result()
    except Exception as exc:
        line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return getattr(exc, "summary", None), line
    return None, state.message


def unreachable_api(exc: RuntimeError) -> ConfigError | None:
    """Prefect's "Failed to reach API" (a RuntimeError raised from the HTTP error, matched on
    that cause's type) as what to do; None for any other error."""
    import httpx

    if not isinstance(exc.__cause__, httpx.HTTPError):
        return None
    from urllib.parse import urlsplit

    from models.settings import get_settings

    parts = urlsplit(get_settings().prefect_api_url or "")
    url = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()  # no user:password
    return ConfigError(
        f"cannot reach the Prefect API at {url} (PREFECT_API_URL): start the Prefect server "
        "it names (`prefect server start`), or unset PREFECT_API_URL to run in this process"
    )


def finish(summary: dict | None, error: str | None, what: str, show) -> None:
    """Show the summary (table or JSON), then the error line (stderr, so --json stays
    parseable) and exit 1 if the run failed. A source that could not reach its host adds
    one hint line: a first run offline should lead to the bundled feeds, not to a retry."""
    if summary is not None:
        show(summary)
    if error is not None:
        err_console.print(f"[red]error:[/red] {what} failed: {esc(error)}", soft_wrap=True)
    if summary is not None and summary.get("offline"):
        err_console.print(f"hint: {esc(OFFLINE_HINT)}", highlight=False, soft_wrap=True)
    if error is not None:
        raise typer.Exit(1)


def _print_ingest(summary: dict) -> None:
    table = Table("source", "status", "fetched", "new", "revised", "note", title="Ingest")
    for s in summary["sources"]:
        add_row(
            table,
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
            add_row(table, p["profile"], p["candidates"], c["channel"], c["items"], result)
    console.print(table)


def ingest_cmd(
    source: list[str] = source_option(),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Fetch every enabled source and store new papers.

    Runs in this process; a flow run on the Prefect server when PREFECT_API_URL is set.

    Example: paperround ingest --source arxiv-cs.LG
    """
    summary, error = run_ingest(source or None, datetime.now(UTC))
    finish(summary, error, "ingest", print_json if json_out else _print_ingest)


def demo_cmd(
    keep: bool = typer.Option(False, help="Keep the previous demo store instead of starting over."),
) -> None:
    """Run the whole job offline: bundled feeds -> SQLite -> demo profile -> HTML digest.

    Uses its own store under $PAPERROUND_HOME/demo; channels from PAPERROUND_DEMO_CHANNEL
    (an Apprise URL) are added to the demo profile if set.

    Example: paperround demo
    """
    from models.settings import get_settings, replace_settings
    from paperround.bundled import bundled_dir
    from paperround.demo import setup_demo

    settings = get_settings()
    if prefect_api_configured():
        prefect_flows(open_store=False)  # Prefect's home stays under the real home
    home = settings.home / "demo"
    if home.exists() and not keep:
        shutil.rmtree(home)
    # The rest of this process runs on the demo's own store, offline (the bundled feeds are
    # all there is, so no arXiv lookups).
    replace_settings(home=home, database_url=None, enrich=False)
    channel = settings.demo_channel
    now = datetime.now(UTC)
    setup_demo(bundled_dir("examples"), channels=[channel] if channel else [], now=now)
    console.print(f"[bold]Paperround demo[/bold] · store {get_settings().db_url}")
    finish(*run_ingest(None, now), "ingest", _print_ingest)
    summary, error = run_digest(None, now)
    finish(summary, error, "digest", print_digest)
    from paperround.demo import print_top_picks, written_digest

    print_top_picks(console)
    html = written_digest(summary)
    if html is not None:
        console.print(f"HTML digest: [bold]{esc(str(html))}[/bold]")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_cmd)
    app.command("ingest")(ingest_cmd)
