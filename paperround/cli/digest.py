"""`paperround digest ...`: run, preview, send and browse digests."""

from __future__ import annotations

import webbrowser
from datetime import UTC, datetime
from typing import Annotated, Literal

import typer
from rich.table import Column, Table

from models.errors import NotFoundError
from paperround.cli.common import add_row, console, engine, esc, print_json
from paperround.cli.helpformat import App
from paperround.cli.params import JSON, profile_option
from paperround.cli.profile_common import name_argument

app = App(
    help="Send digests (no subcommand: run the digest flow for every enabled profile).",
    invoke_without_command=True,
)
Format = Literal["html", "text", "md"]
FORMAT = typer.Option("text", "--format", "-f", help="Which body: HTML, plain text or Markdown.")


@app.callback()
def run(
    ctx: typer.Context,
    profile: list[str] = profile_option("Only these profiles (repeat for several).", many=True),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Rank, render and deliver each enabled profile's digest now, whatever its schedule.

    Runs in this process; a flow run on the Prefect server when PREFECT_API_URL is set.

    Example: paperround digest --profile theory
    """
    if ctx.invoked_subcommand is not None:
        return
    from paperround.cli.run import finish, print_digest, run_digest

    summary, error = run_digest(profile or None, datetime.now(UTC))
    finish(summary, error, "digest", print_json if json_out else print_digest)


def _pick(rendered, fmt: str) -> str:
    return {"html": rendered.html, "text": rendered.text, "md": rendered.markdown}[fmt]


@app.command("preview")
def preview(
    profile: Annotated[str, name_argument()],
    fmt: Format = FORMAT,
    open_: bool = typer.Option(False, "--open", help="Open the HTML in a browser."),
) -> None:
    """Render a profile's next digest without sending or recording anything.

    Example: paperround digest preview theory --format html --open
    """
    from models.settings import get_settings
    from models.store.profiles import get_profile
    from paperround.digest.run import preview_digest

    eng = engine()
    rendered = preview_digest(get_profile(profile, engine=eng), engine=eng, now=datetime.now(UTC))
    body = _pick(rendered, fmt)
    if open_:
        path = get_settings().home / "preview" / f"{profile}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered.html, encoding="utf-8")
        webbrowser.open(path.as_uri())
        console.print(f"opened {esc(path)}")
        return
    print(body)


@app.command("send")
def send(
    profile: Annotated[str, name_argument()],
    dry_run: bool = typer.Option(False, "--dry-run", help="Rank and render only."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Send one profile's digest now, without Prefect (what is unsent, to every channel).

    Example: paperround digest send theory --dry-run
    """
    from dataclasses import asdict

    from models.settings import get_settings
    from models.store.profiles import get_profile
    from paperround.digest.run import digest_profile

    eng = engine()
    outcome = digest_profile(
        get_profile(profile, engine=eng),
        engine=eng,
        now=datetime.now(UTC),
        home=get_settings().home,
        dry_run=dry_run,
    )
    if json_out:
        print_json(asdict(outcome))
    else:
        table = Table("channel", "papers", "result")
        for c in outcome.channels:
            add_row(table, c.channel, c.items, "ok" if c.ok and not c.error else c.error)
        if not outcome.channels:
            table.add_row("-", "0", "nothing to send")
        console.print(table)
    if not outcome.ok:
        raise typer.Exit(1)


@app.command("list")
def list_(
    profile: str | None = profile_option("Only this profile."),
    limit: int = typer.Option(20, min=1, help="Most recent N."),
    json_out: bool = JSON,
) -> None:
    """List archived digests, newest first, with their delivery status (a failed one says
    whether a later run may get through: temporary, permanent or unknown).

    Example: paperround digest list --profile theory
    """
    from models.store.digest_archive import list_digests

    rows = list_digests(engine=engine(), profile=profile, limit=limit)
    if json_out:
        print_json(rows)
        return
    table = Table("id", "profile", "created", "papers", Column("status", no_wrap=True), "subject")
    for r in rows:
        add_row(
            table,
            r["id"],
            r["profile"],
            r["created_at"].strftime("%Y-%m-%d %H:%M"),
            r["item_count"],
            f"{r['status']} ({r['error_class']})" if r["error_class"] else r["status"],
            r["subject"],
        )
    console.print(table)


@app.command("show")
def show(
    digest_id: int = typer.Argument(
        ..., metavar="DIGEST_ID", help="The digest's id (see `paperround digest list`)."
    ),
    fmt: Format = FORMAT,
    json_out: bool = typer.Option(
        False, "--json", help="Print JSON: metadata, papers, deliveries and the body."
    ),
) -> None:
    """Print an archived digest (with --json, channel URLs are shown redacted).

    Example: paperround digest show 12 --format md
    """
    from models.store.digest_archive import get_digest

    digest = get_digest(digest_id, engine=engine())
    if digest is None:
        raise NotFoundError(f"no digest with id {digest_id} (see: paperround digest list)")
    body = {"html": digest["html"], "text": digest["text"], "md": digest["markdown"]}[fmt]
    if not json_out:
        print(body)
        return
    from paperround.digest.deliver import shown_url

    url = digest.pop("channel_url")  # None: the file channel, or a channel removed since
    channel = digest["channel_key"] if url is None else shown_url(url)
    for name in ("html", "text", "markdown"):
        del digest[name]
    print_json({**digest, "channel": channel, "format": fmt, "body": body})


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="digest")
