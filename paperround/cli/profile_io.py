"""`paperround profile export | apply` (profiles as YAML, for version control) and
`paperround profile seeds ...` (the papers a profile starts from)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from paperround.cli.common import add_row, console, engine, esc, print_json
from paperround.cli.complete import profile_names
from paperround.cli.helpformat import App
from paperround.cli.params import JSON
from paperround.cli.profile_common import (
    SEED_FILES,
    load_config,
    looked_up_seeds,
    name_argument,
    now,
    public,
    save,
    seed_refs,
    warn,
)

if TYPE_CHECKING:
    from models.profile_config import ProfileConfig

seeds_app = App(help="Manage a profile's seed papers.", no_args_is_help=True)


def export(
    names: list[str] = typer.Argument(
        None,
        metavar="PROFILES",
        help="Profiles to export (default: all).",
        autocompletion=profile_names,
    ),
    include_secrets: bool = typer.Option(
        False, help="Write channel URLs as stored (else literal secrets are redacted)."
    ),
) -> None:
    """Print profiles as YAML, for version control and `profile apply`.

    Example: paperround profile export theory > theory.yaml
    """
    from models.profile_config import ProfileConfig, SeedConfig
    from models.store.profiles import list_profiles
    from paperround.profiles import to_yaml

    names = names or [p.name for p in list_profiles(engine=engine())]
    configs = []
    for n in names:
        data = public(load_config(n), include_secrets=include_secrets)
        data["seeds"] = [SeedConfig(**s) for s in data["seeds"]]
        configs.append(ProfileConfig.model_construct(**data))
    print(to_yaml(configs), end="")


def apply(
    path: Path = typer.Argument(
        ...,
        metavar="FILE",
        help="A YAML file of one or more profiles.",
        exists=True,
        dir_okay=False,
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would change; change nothing."),
) -> None:
    """Create or update the profiles in a YAML file (idempotent; all or nothing).

    Says, per profile, "unchanged" or what changed (seeds by key, channels redacted).
    Channel entries redacted by `export` (without --include-secrets) keep the stored URL; one
    the store does not hold for that profile is refused.

    Example: paperround profile apply profiles.yaml --dry-run
    """
    from models.errors import NotFoundError
    from models.store.profile_views import config_of
    from models.store.profiles import get_profile, save_profile
    from models.store.sources import check_source_names
    from models.userinput import MAX_YAML_FILE, read_text
    from paperround.profile_diff import profile_changes
    from paperround.profiles import from_yaml

    text = read_text(path, limit=MAX_YAML_FILE, what="YAML file of profiles")
    configs = from_yaml(text, source=str(path), stored_channels=_stored_channels)
    eng = engine()
    plan: list[tuple[ProfileConfig, list[str] | None]] = []
    for config in configs:  # every change is known (and shown) before the first write
        try:
            old = config_of(get_profile(config.name, engine=eng), engine=eng)
        except NotFoundError:
            plan.append((config, None))
            continue
        config = _keep_looked_up_seeds(config, old)
        plan.append((config, profile_changes(old, config)))
    for config, changes in plan:  # a source no source has fails the file, dry run or not
        try:
            if changes != []:
                check_source_names(config.sources, engine=eng, reader=config.name)
        except NotFoundError as exc:
            raise NotFoundError(f"{path}: {exc}") from None
    would = "would " if dry_run else ""
    for config, changes in plan:
        name = f"[bold]{esc(config.name)}[/bold]"
        if changes == []:
            console.print(f"unchanged profile {name}")
            continue
        if not dry_run:
            save_profile(config, engine=eng, now=now())
        if changes is None:
            console.print(f"{would}create profile {name}" if dry_run else f"created profile {name}")
        else:
            verb = "update" if dry_run else "updated"
            what = "; ".join(esc(c) for c in changes)
            console.print(f"{would}{verb} profile {name}: {what}", soft_wrap=True)


def _keep_looked_up_seeds(config, old):
    """A seed a YAML file holds as pending, and the store has since looked up, stays
    looked up: applying an older export does not forget its title and abstract."""
    known = {s.key: s for s in old.seeds if not s.pending}
    seeds = [known.get(s.key, s) if s.pending else s for s in config.seeds]
    return config.model_copy(update={"seeds": seeds})


def _stored_channels(name: str) -> list[str]:
    """The channel URLs the store holds for a profile (none if there is no such profile)."""
    from models.errors import ConfigError, NotFoundError
    from models.store.profiles import channels_of, get_profile

    try:
        prof = get_profile(name, engine=engine())
    except (NotFoundError, ConfigError):
        return []
    return [c.url for c in channels_of(prof.id, engine=engine())]


@seeds_app.command("list")
def seeds_list(name: Annotated[str, name_argument()], json_out: bool = JSON) -> None:
    """List a profile's seed papers (a pending one is looked up again first).

    Example: paperround profile seeds list theory
    """
    seeds = load_config(name, look_up_pending=True).model_dump(mode="json")["seeds"]
    if json_out:
        print_json(seeds)
        return
    table = Table("key", "title", "authors")
    for s in seeds:
        title = "(pending: not looked up yet)" if s["pending"] else s["title"]
        add_row(table, s["key"], title, ", ".join(s["authors"][:3]))
    console.print(table)


@seeds_app.command("add")
def seeds_add(
    name: Annotated[str, name_argument()],
    papers: list[str] = typer.Argument(None, metavar="PAPERS", help="arXiv ids or URLs."),
    from_file: list[Path] = typer.Option(
        [], "--from-file", help="BibTeX, CSL JSON or id list.", **SEED_FILES
    ),
) -> None:
    """Add seed papers (metadata from the store, else the arXiv API, else the file).

    Example: paperround profile seeds add theory 2006.14599 --from-file zotero.bib
    """
    data = load_config(name, look_up_pending=True).model_dump(mode="json")
    have = {s["key"] for s in data["seeds"]}
    refs = [r for r in seed_refs(papers or [], from_file)]
    found, warnings = looked_up_seeds(refs)
    new = [s for s in found if s["key"] not in have]
    data["seeds"].extend(new)
    save(data, "update")
    console.print(f"added {len(new)} seed(s) to [bold]{esc(name)}[/bold]")
    for line in warnings:
        warn(line)


@seeds_app.command("remove")
def seeds_remove(
    name: Annotated[str, name_argument()],
    keys: list[str] = typer.Argument(
        ..., metavar="KEYS", help="Seed keys (see `profile seeds list`)."
    ),
) -> None:
    """Remove seed papers by key (see `profile seeds list`).

    Example: paperround profile seeds remove theory 2006.14599
    """
    from models.errors import NotFoundError

    data = load_config(name).model_dump(mode="json")
    present = {s["key"] for s in data["seeds"]}
    missing = [k for k in keys if k not in present]
    if missing:
        raise NotFoundError(f"profile {name!r} has no seed {', '.join(missing)}")
    data["seeds"] = [s for s in data["seeds"] if s["key"] not in keys]
    save(data, "update")
    console.print(f"removed {len(keys)} seed(s) from [bold]{esc(name)}[/bold]")


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("apply")(apply)
    app.add_typer(seeds_app, name="seeds")
