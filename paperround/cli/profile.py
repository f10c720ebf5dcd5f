"""`paperround profile ...`: manage interest profiles, their seeds and channels."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table

from paperround.cli.common import add_row, checked, console, engine, esc, plain, print_json
from paperround.cli.helpformat import App
from paperround.userinput import finite

app = App(help="Manage interest profiles.", no_args_is_help=True)
seeds_app = App(help="Manage a profile's seed papers.", no_args_is_help=True)
channel_app = App(help="Manage where a profile's digest is delivered.", no_args_is_help=True)
app.add_typer(seeds_app, name="seeds")
app.add_typer(channel_app, name="channel")

JSON = typer.Option(False, "--json", help="Print JSON.")
CATCH_UP_HELP = (
    "After downtime: one digest with everything missed, or each missed slot its own "
    "digest, oldest first (the last 7 slots at most)."
)


def _now() -> datetime:
    return datetime.now(UTC)


def _keyword(text: str):
    from paperround.profiles import parse_keyword

    return parse_keyword(text)


def _weight(text: str):
    from paperround.profiles import parse_weight

    return parse_weight(text)


# Checked as they are parsed: a bad value is a usage error naming the option.
KEYWORD = checked(_keyword, keep_text=True)
WEIGHT = checked(_weight, keep_text=True)
MIN_SCORE = checked(lambda text: finite(text, "min score"))
SEED_FILES = dict(exists=True, dir_okay=False, readable=True)


def _config(name: str):
    from models.store.profiles import config_of, get_profile

    eng = engine()
    return config_of(get_profile(name, engine=eng), engine=eng)


def _save(data: dict, mode: str):
    from models.store.profiles import save_profile
    from paperround.profiles import build_config

    return save_profile(build_config(data), engine=engine(), now=_now(), mode=mode)


def _public(config, *, include_secrets: bool = False) -> dict:
    """A profile for display: channel URLs redacted unless asked otherwise."""
    from paperround.deliver import shown_url

    data = config.model_dump(mode="json")
    if not include_secrets:
        data["channels"] = [shown_url(u) for u in data["channels"]]
    return data


def _seed_dicts(refs) -> list[dict]:
    from paperround.seeds import resolve

    return [
        {"key": s.key, "title": s.title, "abstract": s.abstract, "authors": list(s.authors)}
        for s in resolve(refs, engine=engine())
    ]


def _seed_refs(seed: list[str], from_file: list[Path]) -> list:
    from paperround.seeds import read_seed_file, ref_from_text

    refs = [ref_from_text(s) for s in seed]
    for path in from_file:
        refs.extend(read_seed_file(path))
    return refs


@app.command("add")
def add(
    name: str = typer.Argument(..., help="Unique profile name."),
    keyword: list[str] = typer.Option(
        [], "--keyword", "-k", help="Keyword or phrase[:weight].", parser=KEYWORD
    ),
    exclude: list[str] = typer.Option([], "--exclude", "-x", help="Drop papers with this word."),
    category: list[str] = typer.Option([], "--category", "-c", help="arXiv category, e.g. cs.LG."),
    author: list[str] = typer.Option([], "--author", "-a", help="Follow this author."),
    seed: list[str] = typer.Option([], "--seed", "-s", help="Seed paper: arXiv id or URL."),
    from_file: list[Path] = typer.Option(
        [], "--from-file", help="Seeds from a BibTeX, CSL JSON or id-list file.", **SEED_FILES
    ),
    source: list[str] = typer.Option([], "--source", help="Read only these sources."),
    channel: list[str] = typer.Option([], "--channel", help="Apprise URL to deliver to."),
    schedule: str = typer.Option("daily", help="Cron string or daily|weekdays|weekly."),
    timezone: str = typer.Option("UTC", "--timezone", "--tz", help="IANA timezone."),
    max_items: int = typer.Option(10, help="Most papers per digest."),
    min_score: float = typer.Option(0.0, help="Drop papers scoring below this.", parser=MIN_SCORE),
    send_empty: bool = typer.Option(False, help="Send a short note saying why when empty."),
    catch_up: str = typer.Option("one", metavar="one|each", help=CATCH_UP_HELP),
    description: str = typer.Option("", help="What this profile is for."),
) -> None:
    """Create a profile.

    Example: paperround profile add theory -k "neural tangent kernel:2" -c cs.LG
    -a "Cengiz Pehlevan" --seed 2006.14599 --schedule weekdays --tz Europe/Paris
    """
    from paperround.profiles import parse_keyword

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
    from paperround.profiles import build_config

    build_config(data, require_signal=False)  # fail on bad input before any seed lookup
    data["seeds"] = _seed_dicts(_seed_refs(seed, from_file))
    prof, _ = _save(data, "create")
    console.print(f"created profile [bold]{esc(prof.name)}[/bold]")


@app.command("edit")
def edit(
    name: str,
    keyword: list[str] = typer.Option(
        None, "--keyword", "-k", help="Replace keywords.", parser=KEYWORD
    ),
    add_keyword: list[str] = typer.Option(
        [], "--add-keyword", help="Add a keyword[:weight].", parser=KEYWORD
    ),
    remove_keyword: list[str] = typer.Option([], "--remove-keyword", help="Remove a keyword."),
    exclude: list[str] = typer.Option(None, "--exclude", "-x", help="Replace excluded words."),
    category: list[str] = typer.Option(None, "--category", "-c", help="Replace categories."),
    author: list[str] = typer.Option(None, "--author", "-a", help="Replace followed authors."),
    source: list[str] = typer.Option(None, "--source", help="Replace the sources read."),
    schedule: str | None = typer.Option(None, help="Cron string or daily|weekdays|weekly."),
    timezone: str | None = typer.Option(None, "--timezone", "--tz", help="IANA timezone."),
    max_items: int | None = typer.Option(None, help="Most papers per digest."),
    min_score: float | None = typer.Option(
        None, help="Drop papers scoring below this.", parser=MIN_SCORE
    ),
    send_empty: bool | None = typer.Option(
        None, "--send-empty/--no-send-empty", help="Empty note."
    ),
    catch_up: str | None = typer.Option(None, metavar="one|each", help=CATCH_UP_HELP),
    description: str | None = typer.Option(None, help="What this profile is for."),
    weight: list[str] = typer.Option(
        [], "--weight", help="Ranking weight, e.g. seeds=2.", parser=WEIGHT
    ),
) -> None:
    """Change only the given settings (a list option replaces that list).

    Example: paperround profile edit theory --add-keyword "mean field:1.5" --tz America/New_York
    """
    from paperround.errors import ConfigError
    from paperround.profiles import parse_keyword, parse_weight

    data = _config(name).model_dump(mode="json")
    if keyword is not None:
        data["keywords"] = dict(parse_keyword(k) for k in keyword)
    for k in add_keyword:
        term, w = parse_keyword(k)
        data["keywords"][term] = w
    for k in remove_keyword:
        if data["keywords"].pop(k.strip().lower(), None) is None:
            raise ConfigError(f"profile {name!r} has no keyword {k!r}")
    for field, value in (
        ("excluded", exclude),
        ("categories", category),
        ("authors", author),
        ("sources", source),
    ):
        if value is not None:
            data[field] = value
    for field, value in (
        ("schedule", schedule),
        ("timezone", timezone),
        ("max_items", max_items),
        ("min_score", min_score),
        ("send_empty", send_empty),
        ("catch_up", catch_up),
        ("description", description),
    ):
        if value is not None:
            data[field] = value
    for w in weight:
        key, value = parse_weight(w)
        data["weights"][key] = value
    _save(data, "update")
    console.print(f"updated profile [bold]{esc(name)}[/bold]")


@app.command("list")
def list_(json_out: bool = JSON) -> None:
    """List profiles.

    Example: paperround profile list --json
    """
    from models.store.profiles import list_profiles

    profs = list_profiles(engine=engine())
    rows = [
        {
            "name": p.name,
            "schedule": p.schedule,
            "timezone": p.timezone,
            "enabled": p.enabled,
            "description": p.description,
        }
        for p in profs
    ]
    if json_out:
        print_json(rows)
        return
    table = Table("name", "schedule", "timezone", "state", "description")
    for r in rows:
        add_row(
            table,
            r["name"],
            r["schedule"],
            r["timezone"],
            "active" if r["enabled"] else "paused",
            r["description"],
        )
    console.print(table)


@app.command("show")
def show(name: str, json_out: bool = JSON) -> None:
    """Show one profile (channel URLs are shown redacted).

    Example: paperround profile show theory --json
    """
    data = _public(_config(name))
    if json_out:
        print_json(data)
        return
    table = Table(show_header=False)
    for k, v in data.items():
        if k == "seeds":
            v = "\n".join(f"{s['key']}: {s['title']}" for s in v)
        elif isinstance(v, list | dict):
            v = ", ".join(f"{a}:{b}" for a, b in v.items()) if isinstance(v, dict) else "\n".join(v)
        add_row(table, k, v)
    console.print(table)


@app.command("remove")
def remove(name: str) -> None:
    """Delete a profile with its seeds, channels, feedback and history.

    Example: paperround profile remove theory
    """
    from models.store.profiles import remove_profile

    remove_profile(name, engine=engine())
    console.print(f"removed profile [bold]{esc(name)}[/bold]")


@app.command("rename")
def rename(old: str, new: str) -> None:
    """Rename a profile (its history follows).

    Example: paperround profile rename theory dl-theory
    """
    from models.store.profiles import rename_profile

    new = rename_profile(old, new, engine=engine())
    console.print(f"renamed [bold]{esc(old)}[/bold] to [bold]{esc(new)}[/bold]")


@app.command("clone")
def clone(source: str, new: str) -> None:
    """Copy a profile's settings, seeds and channels under a new name (no history).

    Example: paperround profile clone theory theory-weekly
    """
    data = _config(source).model_dump(mode="json")
    data["name"] = new
    prof, _ = _save(data, "create")
    console.print(f"cloned [bold]{esc(source)}[/bold] as [bold]{esc(prof.name)}[/bold]")


@app.command("pause")
def pause(name: str) -> None:
    """Stop sending this profile's digest (settings are kept).

    Example: paperround profile pause theory
    """
    from models.store.profiles import set_enabled

    set_enabled(name, False, engine=engine())
    console.print(f"paused [bold]{esc(name)}[/bold]")


@app.command("resume")
def resume(name: str) -> None:
    """Send this profile's digest again.

    Example: paperround profile resume theory
    """
    from models.store.profiles import set_enabled

    set_enabled(name, True, engine=engine())
    console.print(f"resumed [bold]{esc(name)}[/bold]")


@app.command("export")
def export(
    names: list[str] = typer.Argument(None, help="Profiles to export (default: all)."),
    include_secrets: bool = typer.Option(
        False, help="Write channel URLs as stored (else literal secrets are redacted)."
    ),
) -> None:
    """Print profiles as YAML, for version control and `profile apply`.

    Example: paperround profile export theory > theory.yaml
    """
    from models.store.profiles import list_profiles
    from paperround.profiles import ProfileConfig, SeedConfig, to_yaml

    names = names or [p.name for p in list_profiles(engine=engine())]
    configs = []
    for n in names:
        data = _public(_config(n), include_secrets=include_secrets)
        data["seeds"] = [SeedConfig(**s) for s in data["seeds"]]
        configs.append(ProfileConfig.model_construct(**data))
    print(to_yaml(configs), end="")


@app.command("apply")
def apply(
    path: Path = typer.Argument(
        ..., help="A YAML file of one or more profiles.", exists=True, dir_okay=False
    ),
) -> None:
    """Create or update the profiles in a YAML file (idempotent; all or nothing).

    Channel entries redacted by `export` (without --include-secrets) keep the stored URL.

    Example: paperround profile apply profiles.yaml
    """
    from models.store.profiles import save_profile
    from paperround.profiles import from_yaml
    from paperround.userinput import MAX_YAML_FILE, read_text

    text = read_text(path, limit=MAX_YAML_FILE, what="YAML file of profiles")
    configs = [_keep_redacted_channels(c) for c in from_yaml(text, source=str(path))]
    eng = engine()
    for config in configs:
        _, created = save_profile(config, engine=eng, now=_now())
        verb = "created" if created else "updated"
        console.print(f"{verb} profile [bold]{esc(config.name)}[/bold]")


def _keep_redacted_channels(config):
    """A channel exported redacted stands for the stored URL it was made from."""
    from models.store.profiles import channels_of, get_profile
    from paperround.deliver import redact_url
    from paperround.errors import NotFoundError

    if not any("****" in u or "..." in u for u in config.channels):
        return config
    try:
        prof = get_profile(config.name, engine=engine())
        stored = {redact_url(c.url): c.url for c in channels_of(prof.id, engine=engine())}
    except NotFoundError:
        stored = {}
    return config.model_copy(update={"channels": [stored.get(u, u) for u in config.channels]})


@app.command("history")
def history(
    name: str, limit: int = typer.Option(20, help="Most recent N digests."), json_out: bool = JSON
) -> None:
    """What was sent when, with the reasons and the feedback you gave.

    Example: paperround profile history theory --json
    """
    from models.store.profiles import history as load

    rows = load(name, engine=engine(), limit=limit)
    if json_out:
        print_json(rows)
        return
    table = Table("digest", "when", "status", "#", "paper", "feedback")
    for r in rows:
        for p in r["papers"] or [{"rank": "-", "title": r["error"] or "", "feedback": None}]:
            add_row(
                table,
                r["digest"],
                r["created_at"].strftime("%Y-%m-%d %H:%M"),
                r["status"],
                p["rank"],
                p["title"],
                p["feedback"] or "",
            )
    console.print(table)


# -- seeds ----------------------------------------------------------------------------------


@seeds_app.command("list")
def seeds_list(name: str, json_out: bool = JSON) -> None:
    """List a profile's seed papers.

    Example: paperround profile seeds list theory
    """
    seeds = _config(name).model_dump(mode="json")["seeds"]
    if json_out:
        print_json(seeds)
        return
    table = Table("key", "title", "authors")
    for s in seeds:
        add_row(table, s["key"], s["title"], ", ".join(s["authors"][:3]))
    console.print(table)


@seeds_app.command("add")
def seeds_add(
    name: str,
    papers: list[str] = typer.Argument(None, help="arXiv ids or URLs."),
    from_file: list[Path] = typer.Option(
        [], "--from-file", help="BibTeX, CSL JSON or id list.", **SEED_FILES
    ),
) -> None:
    """Add seed papers (metadata from the store, else the arXiv API, else the file).

    Example: paperround profile seeds add theory 2006.14599 --from-file zotero.bib
    """
    data = _config(name).model_dump(mode="json")
    have = {s["key"] for s in data["seeds"]}
    new = [s for s in _seed_dicts(_seed_refs(papers or [], from_file)) if s["key"] not in have]
    data["seeds"].extend(new)
    _save(data, "update")
    console.print(f"added {len(new)} seed(s) to [bold]{esc(name)}[/bold]")


@seeds_app.command("remove")
def seeds_remove(name: str, keys: list[str] = typer.Argument(..., help="Seed keys.")) -> None:
    """Remove seed papers by key (see `profile seeds list`).

    Example: paperround profile seeds remove theory 2006.14599
    """
    from paperround.errors import NotFoundError

    data = _config(name).model_dump(mode="json")
    present = {s["key"] for s in data["seeds"]}
    missing = [k for k in keys if k not in present]
    if missing:
        raise NotFoundError(f"profile {name!r} has no seed {', '.join(missing)}")
    data["seeds"] = [s for s in data["seeds"] if s["key"] not in keys]
    _save(data, "update")
    console.print(f"removed {len(keys)} seed(s) from [bold]{esc(name)}[/bold]")


# -- channels -------------------------------------------------------------------------------


@channel_app.command("add")
def channel_add(name: str, url: str) -> None:
    """Deliver this profile's digest to an Apprise URL too ({env:NAME} is resolved at send time).

    Example: paperround profile channel add theory 'mailtos://me:{env:SMTP_PASSWORD}@smtp.example.org'
    """
    from paperround.deliver import redact_url

    data = _config(name).model_dump(mode="json")
    data["channels"].append(url)
    _save(data, "update")
    console.print(f"added channel {esc(redact_url(url))} to [bold]{esc(name)}[/bold]")


@channel_app.command("remove")
def channel_remove(
    name: str, url: str = typer.Argument(..., help="The URL, or its redacted form.")
) -> None:
    """Stop delivering to a channel.

    Example: paperround profile channel remove theory 'discord://1...0/a...z/'
    """
    from paperround.deliver import redact_url
    from paperround.errors import NotFoundError

    data = _config(name).model_dump(mode="json")
    keep = [u for u in data["channels"] if url not in (u, redact_url(u))]
    if len(keep) == len(data["channels"]):
        raise NotFoundError(f"profile {name!r} has no channel {redact_url(url)}")
    data["channels"] = keep
    _save(data, "update")
    console.print(f"removed channel from [bold]{esc(name)}[/bold]")


@channel_app.command("list")
def channel_list(name: str, json_out: bool = JSON) -> None:
    """List a profile's channels (redacted).

    Example: paperround profile channel list theory
    """
    urls = _public(_config(name))["channels"]
    if json_out:
        print_json(urls)
        return
    for url in urls:
        console.print(plain(url), highlight=False, soft_wrap=True)


@channel_app.command("test")
def channel_test(name: str) -> None:
    """Send a short test message to each channel and report the real reason of any failure.

    Example: paperround profile channel test theory
    """
    from paperround.deliver import redact_url, send_test_message

    failed = 0
    for url in _config(name).channels:
        result = send_test_message(url)
        mark = "[green]ok[/green]" if result.ok else f"[red]failed:[/red] {esc(result.error)}"
        console.print(f"{esc(redact_url(url))}: {mark}", highlight=False, soft_wrap=True)
        failed += not result.ok
    if failed:
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="profile")
