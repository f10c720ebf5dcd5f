"""What the `profile` commands share: loading and saving a profile, its public view, seed
lookup with its warnings, and the parameters several of them take."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import typer

from models.schedule_words import SCHEDULE_HELP
from models.userinput import finite
from paperround.cli.common import checked, engine, err_console, esc
from paperround.cli.complete import profile_names

CatchUp = Literal["one", "each"]
CATCH_UP_HELP = (
    "After downtime: one digest with everything missed, or each missed slot its own "
    "digest, oldest first (the last 7 slots at most)."
)
TIMEZONE_HELP = "IANA timezone the schedule is read in, e.g. Europe/Paris."


def _profiles():
    """models.profile_config, imported when a value is checked (pydantic models cost time
    that `--help` should not pay)."""
    from models import profile_config

    return profile_config


# Checked as they are parsed: a bad value is a usage error naming the option.
KEYWORD = checked(lambda text: _profiles().parse_keyword(text), keep_text=True)
WEIGHT = checked(lambda text: _profiles().parse_weight(text), keep_text=True)
MIN_SCORE = checked(lambda text: finite(text, "min score"))
SCHEDULE = checked(lambda text: _profiles().parse_schedule(text), keep_text=True)
TIMEZONE = checked(lambda text: _profiles().parse_timezone(text))
SEED_FILES: dict[str, Any] = dict(exists=True, dir_okay=False, readable=True)


def schedule_option(default: str | None):
    """--schedule: a shortcut (its meaning stated in the help) or a cron string."""
    return typer.Option(default, metavar="SCHEDULE", help=SCHEDULE_HELP, parser=SCHEDULE)


def timezone_option(default: str | None):
    """--timezone/--tz: the IANA zone the schedule is read in, checked as it is parsed."""
    return typer.Option(
        default, "--timezone", "--tz", metavar="ZONE", help=TIMEZONE_HELP, parser=TIMEZONE
    )


def name_argument(help: str = "The profile's name.") -> typer.models.ArgumentInfo:
    """A profile named as a command's argument, completed from the store."""
    return typer.Argument(..., metavar="PROFILE", help=help, autocompletion=profile_names)


def now() -> datetime:
    return datetime.now(UTC)


def warn(message: str) -> None:
    """One warning line on stderr (the command goes on)."""
    err_console.print(f"[yellow]warning:[/yellow] {message}", highlight=False, soft_wrap=True)


def load_config(name: str, *, look_up_pending: bool = False):
    """A stored profile's configuration. look_up_pending: first try again to look up its
    pending seeds (store, then the arXiv API), warning about any still pending."""
    from models.store.profile_views import config_of
    from models.store.profiles import get_profile

    eng = engine()
    prof = get_profile(name, engine=eng)
    if look_up_pending:
        from paperround.seed_lookup import resolve_pending

        report = resolve_pending(engine=eng, profile=prof.name)
        if report.pending:
            warn(_pending_line(report.pending, report.problem))
    return config_of(prof, engine=eng)


def save(data: dict, mode: str):
    from models.store.profiles import save_profile
    from paperround.profiles import build_config

    return save_profile(build_config(data), engine=engine(), now=now(), mode=mode)


def public(config, *, include_secrets: bool = False) -> dict:
    """A profile for display: channel URLs redacted unless asked otherwise."""
    from paperround.digest.deliver import shown_url

    data = config.model_dump(mode="json")
    if not include_secrets:
        data["channels"] = [shown_url(u) for u in data["channels"]]
    return data


def seed_refs(seed: list[str], from_file: list[Path]) -> list:
    from paperround.seeds import read_seed_file, ref_from_text

    refs = [ref_from_text(s) for s in seed]
    for path in from_file:
        refs.extend(read_seed_file(path))
    return refs


def _pending_line(keys, problem: str | None) -> str:
    return (
        f"seed {esc(', '.join(keys))} kept as pending: {esc(problem)}; it is looked up again "
        "at the next ingest or profile command"
    )


def looked_up_seeds(refs) -> tuple[list[dict], list[str]]:
    """Seed dicts for a ProfileConfig, and the warnings to print once the command succeeded:
    seeds kept pending (the arXiv API could not be asked), seeds with no abstract (named)."""
    from paperround.seed_lookup import resolve

    found = resolve(refs, engine=engine())
    seeds = [
        {
            "key": s.key,
            "title": s.title,
            "abstract": s.abstract,
            "authors": list(s.authors),
            "pending": s.key in found.pending,
        }
        for s in found.papers
    ]
    warnings = [_pending_line(found.pending, found.problem)] if found.pending else []
    bare = found.without_abstract()
    if bare:
        titles = "; ".join(f"“{esc(s.title)}”" for s in bare[:5])
        more = f" and {len(bare) - 5} more" if len(bare) > 5 else ""
        warnings.append(
            f"{len(bare)} seed(s) have no abstract, so only their title is used: {titles}{more}"
        )
    return seeds, warnings
