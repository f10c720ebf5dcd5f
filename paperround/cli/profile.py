"""`paperround profile ...`: create and change interest profiles.

List and show (profile_show.py), rename/clone/pause/resume/remove/history
(profile_lifecycle.py), YAML export/apply and seeds (profile_io.py) and channels
(profile_channel.py) join the same `profile` group in `register`, in that order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from models.schedule_words import DEFAULT_SCHEDULE_WORD
from paperround.cli import profile_channel, profile_io, profile_lifecycle, profile_show
from paperround.cli.common import console, esc
from paperround.cli.complete import source_names
from paperround.cli.helpformat import App
from paperround.cli.profile_common import (
    CATCH_UP_HELP,
    KEYWORD,
    MIN_SCORE,
    SEED_FILES,
    WEIGHT,
    CatchUp,
    load_config,
    looked_up_seeds,
    name_argument,
    save,
    schedule_option,
    seed_refs,
    timezone_option,
    warn,
)

app = App(help="Manage interest profiles.", no_args_is_help=True)
SOURCE_HELP = "Read only this stored source (repeat for several; default: all)."


@app.command("add")
def add(
    name: str = typer.Argument(..., metavar="NAME", help="Unique profile name."),
    keyword: list[str] = typer.Option(
        [], "--keyword", "-k", metavar="PHRASE[:WEIGHT]", help="Keyword or phrase.", parser=KEYWORD
    ),
    exclude: list[str] = typer.Option(
        [], "--exclude", "-x", metavar="WORD", help="Drop papers with this word."
    ),
    category: list[str] = typer.Option(
        [], "--category", "-c", metavar="CATEGORY", help="arXiv category, e.g. cs.LG."
    ),
    author: list[str] = typer.Option(
        [], "--author", "-a", metavar="NAME", help="Follow this author."
    ),
    seed: list[str] = typer.Option(
        [], "--seed", metavar="ARXIV_ID", help="Seed paper: arXiv id or URL."
    ),
    from_file: list[Path] = typer.Option(
        [], "--from-file", help="Seeds from a BibTeX, CSL JSON or id-list file.", **SEED_FILES
    ),
    source: list[str] = typer.Option(
        [], "--source", "-s", metavar="SOURCE", help=SOURCE_HELP, autocompletion=source_names
    ),
    channel: list[str] = typer.Option(
        [], "--channel", metavar="URL", help="Apprise URL to deliver to."
    ),
    schedule: str = schedule_option(DEFAULT_SCHEDULE_WORD),
    timezone: str = timezone_option("UTC"),
    max_items: int = typer.Option(10, min=1, max=200, help="Most papers per digest."),
    min_score: float = typer.Option(0.0, help="Drop papers scoring below this.", parser=MIN_SCORE),
    send_empty: bool = typer.Option(False, help="Send a short note saying why when empty."),
    catch_up: CatchUp = typer.Option("one", help=CATCH_UP_HELP),
    description: str = typer.Option("", help="What this profile is for."),
) -> None:
    """Create a profile.

    A seed the arXiv API cannot be asked about (offline) is kept as pending and looked up
    at the next ingest or profile command; the profile is created all the same.

    Example: paperround profile add theory -k "neural tangent kernel:2" -c cs.LG
    -a "Cengiz Pehlevan" --seed 2006.14599 --schedule weekdays --tz Europe/Paris
    """
    from models.profile_config import parse_keyword
    from paperround.profiles import build_config

    data = {
        "name": name,
        "description": description,
        "schedule": schedule,
        "timezone": timezone,
        "max_items": max_items,
        "min_score": min_score,
        "send_empty": send_empty,
        "catch_up": catch_up,
        "keywords": dict(parse_keyword(k) for k in keyword),
        "excluded": exclude,
        "categories": category,
        "authors": author,
        "sources": source,
        "channels": channel,
    }
    from models.store.sources import check_source_names
    from paperround.cli.common import engine

    config = build_config(data, require_signal=False)  # fail on bad input before any lookup
    check_source_names(config.sources, engine=engine(), reader=config.name)
    data["seeds"], warnings = looked_up_seeds(seed_refs(seed, from_file))
    prof, _ = save(data, "create")
    console.print(f"created profile [bold]{esc(prof.name)}[/bold]")
    for line in warnings:
        warn(line)


@app.command("edit")
def edit(
    name: Annotated[str, name_argument()],
    keyword: list[str] = typer.Option(
        None, "--keyword", "-k", metavar="PHRASE[:WEIGHT]", help="Replace keywords.", parser=KEYWORD
    ),
    add_keyword: list[str] = typer.Option(
        [], "--add-keyword", metavar="PHRASE[:WEIGHT]", help="Add a keyword.", parser=KEYWORD
    ),
    remove_keyword: list[str] = typer.Option(
        [], "--remove-keyword", metavar="PHRASE", help="Remove a keyword."
    ),
    exclude: list[str] = typer.Option(
        None, "--exclude", "-x", metavar="WORD", help="Replace excluded words."
    ),
    category: list[str] = typer.Option(
        None, "--category", "-c", metavar="CATEGORY", help="Replace categories."
    ),
    author: list[str] = typer.Option(
        None, "--author", "-a", metavar="NAME", help="Replace followed authors."
    ),
    source: list[str] = typer.Option(
        None,
        "--source",
        "-s",
        metavar="SOURCE",
        help="Replace the sources read (stored ones).",
        autocompletion=source_names,
    ),
    all_sources: bool = typer.Option(
        False, "--all-sources", help="Read every source again (clears the --source list)."
    ),
    schedule: str | None = schedule_option(None),
    timezone: str | None = timezone_option(None),
    max_items: int | None = typer.Option(None, min=1, max=200, help="Most papers per digest."),
    min_score: float | None = typer.Option(
        None, help="Drop papers scoring below this.", parser=MIN_SCORE
    ),
    send_empty: bool | None = typer.Option(
        None, "--send-empty/--no-send-empty", help="Send a short note saying why when empty."
    ),
    catch_up: CatchUp | None = typer.Option(None, help=CATCH_UP_HELP),
    description: str | None = typer.Option(None, help="What this profile is for."),
    weight: list[str] = typer.Option(
        [], "--weight", metavar="SIGNAL=NUMBER", help="Ranking weight, e.g. seeds=2.", parser=WEIGHT
    ),
) -> None:
    """Change only the given settings (a list option replaces that list).

    Example: paperround profile edit theory --add-keyword "mean field:1.5" --tz America/New_York
    """
    from models.errors import ConfigError
    from models.profile_config import parse_keyword, parse_weight

    if all_sources and source:
        raise ConfigError("give --all-sources or --source, not both")
    data = load_config(name, look_up_pending=True).model_dump(mode="json")
    if all_sources:
        data["sources"] = []
    if keyword is not None:
        data["keywords"] = dict(parse_keyword(k) for k in keyword)
    for k in add_keyword:
        term, w = parse_keyword(k)
        data["keywords"][term] = w
    for k in remove_keyword:
        if data["keywords"].pop(k.strip().lower(), None) is None:
            raise ConfigError(f"profile {name!r} has no keyword {k!r}")
    lists = (
        ("excluded", exclude),
        ("categories", category),
        ("authors", author),
        ("sources", source),
    )
    scalars = (
        ("schedule", schedule),
        ("timezone", timezone),
        ("max_items", max_items),
        ("min_score", min_score),
        ("send_empty", send_empty),
        ("catch_up", catch_up),
        ("description", description),
    )
    for field, value in (*lists, *scalars):
        if value is not None:
            data[field] = value
    for spec in weight:
        key, share = parse_weight(spec)
        data["weights"][key] = share
    save(data, "update")
    console.print(f"updated profile [bold]{esc(name)}[/bold]")


def register(root: typer.Typer) -> None:
    profile_show.register(app)
    profile_lifecycle.register(app)
    profile_io.register(app)
    profile_channel.register(app)
    root.add_typer(app, name="profile")
