"""`paperround source ...` and `paperround backfill`: where papers come from."""

from __future__ import annotations

from datetime import UTC, date, datetime

import typer
from rich.table import Table

from paperround.cli.common import add_row, console, engine, esc, print_json

app = typer.Typer(help="Manage the listings papers are fetched from.", no_args_is_help=True)


def _source_dict(s) -> dict:
    return {
        "name": s.name,
        "kind": s.kind,
        "url": s.url,
        "enabled": s.enabled,
        "error_count": s.error_count,
        "last_error": s.last_error,
        "last_success_at": s.last_success_at,
        "last_empty_reason": s.last_empty_reason,
    }


def _check_kind(kind: str) -> str:
    from paperround.errors import ConfigError
    from paperround.sources import SOURCE_KINDS

    if kind not in SOURCE_KINDS:
        raise ConfigError(f"unknown source kind {kind!r}: use one of {', '.join(SOURCE_KINDS)}")
    return kind


@app.command("add")
def add(
    name: str = typer.Argument(..., help="Unique source name."),
    kind: str = typer.Argument(..., help="arxiv-rss | arxiv-api | hf-daily | feed"),
    url: str = typer.Argument(..., help="Feed URL (or a local file path)."),
) -> None:
    """Add a source.

    Example: paperround source add arxiv-math.PR arxiv-rss https://rss.arxiv.org/rss/math.PR
    """
    from models.store.sources import add_source
    from paperround.errors import ConfigError

    _check_kind(kind)
    if not (url.startswith(("http://", "https://", "file://", "/")) or "." in url):
        raise ConfigError(f"invalid URL {url!r}: give an http(s) URL or a file path")
    src = add_source(name, kind, url, engine=engine())
    console.print(f"added source [bold]{esc(src.name)}[/bold] ({kind})")


@app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List sources with their health (a fresh install shows the defaults).

    Example: paperround source list --json
    """
    from models.store.sources import ensure_default_sources, list_sources

    eng = engine()
    ensure_default_sources(engine=eng)
    rows = [_source_dict(s) for s in list_sources(engine=eng)]
    if json_out:
        print_json(rows)
        return
    table = Table("name", "kind", "url", "errors", "last success", "note")
    for r in rows:
        last = r["last_success_at"].strftime("%Y-%m-%d %H:%M") if r["last_success_at"] else "-"
        note = r["last_error"] or r["last_empty_reason"] or ""
        add_row(table, r["name"], r["kind"], r["url"], r["error_count"], last, note)
    console.print(table)


@app.command("remove")
def remove(name: str) -> None:
    """Remove a source (papers already stored stay).

    Example: paperround source remove hf-daily
    """
    from models.store.sources import remove_source

    remove_source(name, engine=engine())
    console.print(f"removed source [bold]{esc(name)}[/bold]")


@app.command("test")
def test(
    name_or_url: str = typer.Argument(..., help="A configured source name, or a URL/file."),
    kind: str = typer.Option("feed", help="Kind, when testing a URL rather than a source."),
    limit: int = typer.Option(20, help="Rows to show."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Fetch once and show what would be ingested; stores nothing.

    Example: paperround source test https://rss.arxiv.org/rss/cs.LG --kind arxiv-rss
    """
    from models.store.sources import list_sources
    from models.tables import Source
    from paperround.pipeline import fetch_source, parse_source

    known = {s.name: s for s in list_sources(engine=engine())}
    src = known.get(name_or_url) or Source(
        name=name_or_url, kind=_check_kind(kind), url=name_or_url
    )
    src.etag = src.last_modified = None  # a test always fetches the whole body
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
    since: str = typer.Option(..., help="First day to fetch, YYYY-MM-DD."),
    source: list[str] = typer.Option([], "--source", "-s", help="Only these sources."),
) -> None:
    """Fetch the days a source missed (arXiv API date ranges, Hugging Face by date).

    Example: paperround backfill --since 2026-11-16 --source arxiv-cs.LG
    """
    from paperround.errors import ConfigError

    try:
        start = date.fromisoformat(since)
    except ValueError:
        raise ConfigError(f"invalid date {since!r}: use YYYY-MM-DD") from None
    now = datetime.now(UTC)
    if start > now.date():
        raise ConfigError(f"--since {since} is in the future")
    from paperround.backfill import run_backfill

    run_backfill(engine=engine(), since=start, now=now, names=source or None, console=console)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="source")
    root.command("backfill")(backfill)
