"""`paperround profile ...`: manage interest profiles."""

from __future__ import annotations

import typer
from rich.table import Table

from paperround.cli.common import console, engine, print_json

app = typer.Typer(help="Manage interest profiles.", no_args_is_help=True)


def _profile_dict(p, channels: list[str], seeds: list[str]) -> dict:
    from paperround.deliver import redact_url

    return {
        "name": p.name,
        "description": p.description,
        "keywords": [[k, w] for k, w in p.keywords],
        "excluded": p.excluded,
        "categories": p.categories,
        "authors": p.authors,
        "seeds": seeds,
        "sources": p.sources,
        "schedule": p.schedule,
        "timezone": p.timezone,
        "max_items": p.max_items,
        "min_score": p.min_score,
        "send_empty": p.send_empty,
        "enabled": p.enabled,
        "channels": [redact_url(u) for u in channels],
    }


@app.command("add")
def add(
    name: str = typer.Argument(..., help="Unique profile name."),
    keyword: list[str] = typer.Option([], "--keyword", "-k", help="Keyword or phrase[:weight]."),
    exclude: list[str] = typer.Option([], "--exclude", "-x", help="Drop papers with this word."),
    category: list[str] = typer.Option([], "--category", "-c", help="arXiv category, e.g. cs.LG."),
    author: list[str] = typer.Option([], "--author", "-a", help="Follow this author."),
    channel: list[str] = typer.Option([], "--channel", help="Apprise URL to deliver to."),
    schedule: str = typer.Option("daily", help="Cron string or daily|weekdays|weekly."),
    timezone: str = typer.Option("UTC", "--timezone", "--tz", help="IANA timezone."),
    max_items: int = typer.Option(10, min=1, max=200, help="Most papers per digest."),
    min_score: float = typer.Option(0.0, help="Drop papers scoring below this."),
    send_empty: bool = typer.Option(False, help="Send a short note when nothing matched."),
    description: str = typer.Option("", help="What this profile is for."),
) -> None:
    """Create a profile.

    Example: paperround profile add theory -k "neural tangent kernel" -c cs.LG --tz Europe/Paris
    """
    from models.store.profiles import create_profile
    from models.tables import Profile
    from paperround.deliver import validate_channel_url
    from paperround.errors import ConfigError
    from paperround.profiles import parse_keyword, parse_schedule, parse_timezone

    keywords = [list(parse_keyword(k)) for k in keyword]
    if not (keywords or category or author):
        raise ConfigError(
            f"profile {name!r} has no signal: give a --keyword, --category or --author"
        )
    prof = Profile(
        name=name,
        description=description,
        keywords=keywords,
        excluded=[x.lower() for x in exclude],
        categories=category,
        authors=author,
        schedule=parse_schedule(schedule),
        timezone=parse_timezone(timezone),
        max_items=max_items,
        min_score=min_score,
        send_empty=send_empty,
    )
    urls = [validate_channel_url(u) for u in channel]
    create_profile(prof, engine=engine(), channels=urls)
    console.print(f"created profile [bold]{name}[/bold]")


@app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List profiles.

    Example: paperround profile list --json
    """
    from models.store.profiles import list_profiles

    profs = list_profiles(engine=engine())
    if json_out:
        print_json(
            [
                {
                    "name": p.name,
                    "schedule": p.schedule,
                    "timezone": p.timezone,
                    "enabled": p.enabled,
                }
                for p in profs
            ]
        )
        return
    table = Table("name", "schedule", "timezone", "enabled", "description")
    for p in profs:
        table.add_row(
            p.name, p.schedule, p.timezone, "yes" if p.enabled else "paused", p.description
        )
    console.print(table)


@app.command("show")
def show(
    name: str,
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show one profile (channel URLs are shown redacted).

    Example: paperround profile show theory --json
    """
    from models.store.profiles import channels_of, get_profile, seeds_of

    eng = engine()
    p = get_profile(name, engine=eng)
    data = _profile_dict(
        p,
        [c.url for c in channels_of(p.id, engine=eng)],
        [s.key for s in seeds_of(p.id, engine=eng)],
    )
    if json_out:
        print_json(data)
        return
    table = Table(show_header=False)
    for k, v in data.items():
        table.add_row(k, str(v))
    console.print(table)


@app.command("remove")
def remove(name: str) -> None:
    """Delete a profile with its seeds, channels, feedback and history.

    Example: paperround profile remove theory
    """
    from models.store.profiles import remove_profile

    remove_profile(name, engine=engine())
    console.print(f"removed profile [bold]{name}[/bold]")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="profile")
