"""`paperround profile rename | clone | pause | resume | remove | history`: a profile as a
whole, from its name to what it was sent."""

from __future__ import annotations

import typer
from rich.table import Column, Table

from paperround.cli.common import add_row, console, engine, esc, print_json
from paperround.cli.params import JSON
from paperround.cli.profile_common import load_config, name_argument, save


def remove(name: str = name_argument()) -> None:
    """Delete a profile with its seeds, channels, feedback and history.

    Example: paperround profile remove theory
    """
    from models.store.profiles import remove_profile

    remove_profile(name, engine=engine())
    console.print(f"removed profile [bold]{esc(name)}[/bold]")


def rename(
    old: str = name_argument("The profile's current name."),
    new: str = typer.Argument(..., metavar="NEW", help="Its new name."),
) -> None:
    """Rename a profile (its history follows).

    Example: paperround profile rename theory dl-theory
    """
    from models.store.profiles import rename_profile

    new = rename_profile(old, new, engine=engine())
    console.print(f"renamed [bold]{esc(old)}[/bold] to [bold]{esc(new)}[/bold]")


def clone(
    source: str = name_argument("The profile to copy."),
    new: str = typer.Argument(..., metavar="NEW", help="The copy's name."),
) -> None:
    """Copy a profile's settings, seeds and channels under a new name (no history).

    Example: paperround profile clone theory theory-weekly
    """
    data = load_config(source).model_dump(mode="json")
    data["name"] = new
    prof, _ = save(data, "create")
    console.print(f"cloned [bold]{esc(source)}[/bold] as [bold]{esc(prof.name)}[/bold]")


def pause(name: str = name_argument()) -> None:
    """Stop sending this profile's digest (settings are kept).

    Example: paperround profile pause theory
    """
    from models.store.profiles import set_enabled

    set_enabled(name, False, engine=engine())
    console.print(f"paused [bold]{esc(name)}[/bold]")


def resume(name: str = name_argument()) -> None:
    """Send this profile's digest again.

    Example: paperround profile resume theory
    """
    from models.store.profiles import set_enabled

    set_enabled(name, True, engine=engine())
    console.print(f"resumed [bold]{esc(name)}[/bold]")


def history(
    name: str = name_argument(),
    limit: int = typer.Option(20, min=1, help="Most recent N digests."),
    json_out: bool = JSON,
) -> None:
    """What was sent when: each paper's id (what `paperround like` takes), the reasons it
    was picked, and the feedback you gave (with where: cli, email, chat or web).

    Example: paperround profile history theory --json
    """
    from models.store.feedback import history as load

    rows = load(name, engine=engine(), limit=limit)
    if json_out:
        print_json(rows)
        return
    table = Table(
        "digest", "when", "status", "#", Column("id", no_wrap=True), "paper (why)",
        Column("feedback", no_wrap=True),
    )  # fmt: skip
    for r in rows:
        when = r["created_at"].strftime("%Y-%m-%d %H:%M")
        for p in r["papers"] or [{"rank": "-", "title": r["error"] or ""}]:
            feedback = p.get("feedback") or ""
            if feedback and p.get("origin"):
                feedback += f" ({p['origin']})"
            paper = "\n".join([p["title"], *(f"- {why}" for why in p.get("reasons") or [])])
            add_row(
                table,
                r["digest"],
                when,
                r["status"],
                p["rank"],
                p.get("paper", ""),
                paper,
                feedback,
            )
    console.print(table)


def register(app: typer.Typer) -> None:
    for name, command in (
        ("rename", rename),
        ("clone", clone),
        ("pause", pause),
        ("resume", resume),
        ("remove", remove),
        ("history", history),
    ):
        app.command(name)(command)
