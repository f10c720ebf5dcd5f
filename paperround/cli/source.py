"""`paperround source ...` and `paperround backfill`: where papers come from."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import typer
from rich.table import Table

from models.userinput import source_location
from paperround.cli.common import add_row, checked, console, engine, esc, print_json
from paperround.cli.complete import source_names
from paperround.cli.helpformat import App
from paperround.cli.params import JSON, source_option
from paperround.ingest.sources import SOURCE_KINDS

# Checked by the parameter type: an unknown kind is a usage error listing the kinds.
Kind = Literal[SOURCE_KINDS]  # type: ignore[valid-type]
KIND_HELP = (
    "arxiv-rss (rss.arxiv.org listings), arxiv-api (an arXiv API query URL), "
    "hf-daily (Hugging Face Daily Papers) or feed (any RSS/Atom feed)."
)

app = App(help="Manage the listings papers are fetched from.", no_args_is_help=True)


def _source_dict(s, run) -> dict:
    """A source's row for `source list`; run: its latest fetch (None: never fetched)."""
    return {
        "name": s.name,
        "kind": s.kind,
        "url": s.url,
        "enabled": s.enabled,
        "error_count": s.error_count,
        "last_error": s.last_error,
        "last_success_at": s.last_success_at,
        "last_empty_reason": s.last_empty_reason,
        "last_run": None
        if run is None
        else {
            "at": run.started_at,
            "status": run.status,
            "fetched": run.fetched,
            "new": run.new,
            "revised": run.revised,
        },
    }


def _run_line(run: dict | None) -> str:
    """'ok: 120 fetched, 12 new', 'not-modified', 'failed' ... ('-' when never fetched)."""
    if run is None:
        return "-"
    if run["status"] != "ok":
        return run["status"]
    return f"ok: {run['fetched']} fetched, {run['new']} new"


@app.command("add")
def add(
    name: str = typer.Argument(..., help="Unique source name."),
    kind: Kind = typer.Argument(..., help=KIND_HELP),
    url: str = typer.Argument(
        ...,
        help="Feed URL, or the path of a feed file (stored absolute).",
        parser=checked(source_location),
    ),
) -> None:
    """Add a source.

    Example: paperround source add arxiv-math.PR arxiv-rss https://rss.arxiv.org/rss/math.PR
    """
    from models.store.sources import add_source

    src = add_source(name, kind, url, engine=engine())
    console.print(f"added source [bold]{esc(src.name)}[/bold] ({kind})")


@app.command("list")
def list_(json_out: bool = JSON) -> None:
    """List sources with their health (a fresh install shows the defaults).

    Example: paperround source list --json
    """
    from models.store.sources import ensure_default_sources, last_runs, list_sources

    eng = engine()
    ensure_default_sources(engine=eng)
    runs = last_runs(engine=eng)
    rows = [_source_dict(s, runs.get(s.name)) for s in list_sources(engine=eng)]
    if json_out:
        print_json(rows)
        return
    table = Table("name", "kind", "url", "errors", "last success", "last run", "note")
    for r in rows:
        last = r["last_success_at"].strftime("%Y-%m-%d %H:%M") if r["last_success_at"] else "-"
        note = r["last_error"] or r["last_empty_reason"] or ""
        add_row(
            table, r["name"], r["kind"], r["url"], r["error_count"], last,
            _run_line(r["last_run"]), note,
        )  # fmt: skip
    console.print(table)


@app.command("remove")
def remove(
    name: str = typer.Argument(
        ..., metavar="SOURCE", help="The source's name.", autocompletion=source_names
    ),
    force: bool = typer.Option(
        False,
        "--force",
        help="Remove it even while profiles read it, taking it out of their source lists "
        "(a profile left with none reads every source).",
    ),
) -> None:
    """Remove a source (papers already stored stay). Refused while a profile reads it.

    Example: paperround source remove hf-daily
    """
    from models.store.sources import remove_source

    changed = remove_source(name, engine=engine(), force=force, now=datetime.now(UTC))
    console.print(f"removed source [bold]{esc(name)}[/bold]")
    for profile, left in changed.items():
        reads = ", ".join(left) if left else "every source (its list is empty)"
        console.print(
            f"profile [bold]{esc(profile)}[/bold] no longer reads it; it reads {esc(reads)}",
            soft_wrap=True,
        )


@app.command("test")
def test(
    name_or_url: str = typer.Argument(
        ..., help="A configured source name, or a URL/file.", autocompletion=source_names
    ),
    kind: Kind = typer.Option("feed", help="Kind, when testing a URL rather than a source."),
    limit: int = typer.Option(20, min=1, help="Rows to show."),
    json_out: bool = JSON,
) -> None:
    """Fetch once and show what would be ingested; stores nothing.

    Example: paperround source test https://rss.arxiv.org/rss/cs.LG --kind arxiv-rss
    """
    from dataclasses import replace

    from models.records import SourceState
    from models.store.sources import list_sources
    from paperround.ingest.run import fetch_source, parse_source

    known = {s.name: s for s in list_sources(engine=engine())}
    src = known.get(name_or_url) or SourceState(name=name_or_url, kind=kind, url=name_or_url)
    src = replace(src, etag=None, last_modified=None)  # a test always fetches the whole body
    body, meta = fetch_source(src)
    result = parse_source(src, body or b"", meta.get("content_type"))
    if json_out:
        print_json(
            {
                "source": src.name,
                "records": len(result.records),
                "dropped": result.dropped,
                "empty_reason": result.empty_reason,
                "items": [
                    {
                        "id": r.arxiv_id or r.doi or r.external_id,
                        "version": r.version,
                        "announce_type": r.announce_type,
                        "title": r.title,
                        "authors": list(r.authors),
                        "categories": list(r.categories),
                    }
                    for r in result.records[:limit]
                ],
            }
        )
        return
    if not result.records:
        reason = result.empty_reason or "empty feed"
        console.print(f"{esc(src.name)}: no records ({esc(reason)})", highlight=False)
        return
    shown = min(limit, len(result.records))
    dropped = f", {result.dropped} junk item(s) dropped" if result.dropped else ""
    console.print(
        f"{esc(src.name)}: {len(result.records)} records ({shown} shown{dropped})",
        soft_wrap=True,
        highlight=False,
    )
    table = Table("id", "v", "type", "title", "authors", "categories")
    for r in result.records[:limit]:
        authors = ", ".join(r.authors[:2]) + (" et al." if len(r.authors) > 2 else "")
        add_row(
            table,
            r.arxiv_id or r.doi or r.external_id,
            r.version or "",
            r.announce_type or "",
            r.title,
            authors,
            " ".join(r.categories[:3]),
        )
    console.print(table)


def backfill(
    since: datetime = typer.Option(..., formats=["%Y-%m-%d"], help="First day to fetch."),
    source: list[str] = source_option(),
) -> None:
    """Fetch the days a source missed (arXiv API date ranges, Hugging Face by date).

    arxiv-rss and hf-daily sources can be backfilled; other kinds only show their latest
    items (named with --source they are refused; otherwise skipped). Exits 1 if any
    source failed, after trying them all.

    Example: paperround backfill --since 2026-11-16 --source arxiv-cs.LG
    """
    from models.errors import ConfigError

    now = datetime.now(UTC)
    start = since.date()
    if start > now.date():
        raise ConfigError(f"--since {start} is in the future")
    from paperround.cli.run import finish
    from paperround.ingest.backfill import run_backfill

    outcomes = run_backfill(
        engine=engine(), since=start, now=now, names=source or None, console=console
    )
    failed = [o.source for o in outcomes if o.error]
    summary = {"offline": [o.source for o in outcomes if o.offline]}
    error = f"sources failed: {', '.join(failed)}" if failed else None
    finish(summary, error, "backfill", lambda _summary: None)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="source")
    root.command("backfill")(backfill)
