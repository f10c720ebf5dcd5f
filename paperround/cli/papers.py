"""`paperround papers list|show|search` and `paperround export|import`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table

from paperround.cli.common import add_row, console, engine, esc, print_json, write_output
from paperround.cli.helpformat import App
from paperround.cli.params import JSON, source_option

app = App(help="Browse the paper store.", no_args_is_help=True)

SINCE = typer.Option(None, "--since", formats=["%Y-%m-%d"], help="Announced on or after this day.")
SOURCE = source_option("Only papers this source listed.", many=False)
CATEGORY = typer.Option(None, "--category", "-c", help="Only papers in this category.")
LIMIT = typer.Option(50, "--limit", "-n", min=1, help="Most papers to show.")


def _since(day: datetime | None) -> datetime | None:
    return None if day is None else day.replace(tzinfo=UTC)


def _table(rows: list[dict], json_out: bool) -> None:
    if json_out:
        print_json(rows)
        return
    table = Table("key", "announced", "v", "category", "title", "sources")
    for r in rows:
        add_row(
            table,
            r["key"],
            r["announced_at"].date().isoformat() if r["announced_at"] else "",
            r["version"],
            (r["categories"] or [""])[0],
            r["title"],
            ", ".join(r["sources"]),
        )
    console.print(table)
    console.print(f"{len(rows)} paper(s)")


def _list(text, since, source, category, limit, json_out) -> None:
    from models.store.paper_queries import list_papers

    rows = list_papers(
        engine=engine(),
        since=_since(since),
        source=source,
        category=category,
        text=text,
        limit=limit,
    )
    _table(rows, json_out)


@app.command("list")
def list_(
    since: datetime | None = SINCE,
    source: str | None = SOURCE,
    category: str | None = CATEGORY,
    limit: int = LIMIT,
    json_out: bool = JSON,
) -> None:
    """List stored papers, newest first.

    Example: paperround papers list --since 2026-04-27 --category cs.LG --limit 20
    """
    _list(None, since, source, category, limit, json_out)


@app.command("search")
def search(
    text: str = typer.Argument(..., help="Words to find in the title or abstract."),
    since: datetime | None = SINCE,
    source: str | None = SOURCE,
    category: str | None = CATEGORY,
    limit: int = LIMIT,
    json_out: bool = JSON,
) -> None:
    """Find stored papers whose title or abstract contains TEXT (case-insensitive).

    Example: paperround papers search "diffusion model" --source arxiv-cs.LG --json
    """
    _list(text, since, source, category, limit, json_out)


@app.command("show")
def show(
    paper: str = typer.Argument(..., help="arXiv id or URL, DOI, or paper key."),
    json_out: bool = JSON,
) -> None:
    """Show one paper with every source that listed it.

    Example: paperround papers show 2604.21952
    """
    from models.store.paper_queries import find_paper

    data = find_paper(paper, engine=engine())
    if json_out:
        print_json(data)
        return
    table = Table(show_header=False)
    for k, v in data.items():
        if k == "occurrences":
            v = "; ".join(
                f"{o['source']} ({o['announce_type'] or '-'}, {o['external_id']})" for o in v
            )
        add_row(table, k, v)
    console.print(table)


def export_cmd(
    output: Path | None = typer.Option(
        None, "--output", "-o", dir_okay=False, help="File to write (default: stdout)."
    ),
    include_secrets: bool = typer.Option(
        False, "--include-secrets", help="Write channel URLs as stored (they may hold passwords)."
    ),
) -> None:
    """Export profiles (seeds, channels), feedback and delivery history as JSON.

    Channel URLs are redacted unless --include-secrets; redacted channels are not restored
    by import (add them again with `paperround profile channel add`).

    Example: paperround export --output paperround-backup.json --include-secrets
    """
    import json

    from paperround.portable import export_store

    data = export_store(engine=engine(), include_secrets=include_secrets, now=datetime.now(UTC))
    text = json.dumps(data, indent=2, ensure_ascii=False, default=lambda o: o.isoformat())
    if output is None:
        print(text)
        return
    write_output(output, text + "\n")
    n = len(data["profiles"])
    console.print(f"exported {n} profile(s) to {esc(output)}")


def import_cmd(
    file: Path = typer.Argument(
        ...,
        metavar="FILE",
        help="A file written by paperround export.",
        exists=True,
        dir_okay=False,
    ),
) -> None:
    """Restore an export; importing the same file twice changes nothing.

    Example: paperround import paperround-backup.json
    """
    from paperround.portable import import_store, read_export

    report = import_store(read_export(file), engine=engine(), now=datetime.now(UTC))
    console.print(report.summary())
    for note in report.notes:
        console.print(f"  note: {esc(note)}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="papers")
    root.command("export")(export_cmd)
    root.command("import")(import_cmd)
