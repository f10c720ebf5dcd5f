"""`paperround like | dislike | unlike PAPER [--profile NAME]`: teach a profile your taste."""

from __future__ import annotations

import typer

from paperround.cli.common import console, engine, esc
from paperround.cli.params import profile_option

PAPER = typer.Argument(..., metavar="PAPER", help="arXiv id/URL, DOI or paper key.")
PROFILE = profile_option("The profile this feedback is for (default: the only profile).")


def _key(paper: str) -> str:
    from models.ids import normalize_doi, parse_arxiv_id

    found = parse_arxiv_id(paper)
    if found:
        return found[0]
    doi = normalize_doi(paper)
    return f"doi:{doi}" if doi else paper


def _the_profile(profile: str | None) -> str:
    """The profile named, or the only one there is; with several, say which exist."""
    if profile is not None:
        return profile
    from models.errors import ConfigError, NotFoundError
    from models.store.profiles import list_profiles

    names = [p.name for p in list_profiles(engine=engine())]
    if len(names) == 1:
        return names[0]
    if not names:
        raise NotFoundError("there is no profile yet: create one with `paperround profile add`")
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    raise ConfigError(f"say which profile with --profile: there are {len(names)} ({shown})")


def _set(paper: str, profile: str | None, value: int | None, verb: str) -> None:
    from models.store.feedback import set_feedback

    name = _the_profile(profile)
    title = set_feedback(name, _key(paper), value, engine=engine())
    console.print(f"{verb} for [bold]{esc(name)}[/bold]: {esc(title)}", highlight=False)


def like(paper: str = PAPER, profile: str | None = PROFILE) -> None:
    """Mark a paper as one you want more of.

    Example: paperround like 2507.01752 --profile theory
    """
    _set(paper, profile, 1, "liked")


def dislike(paper: str = PAPER, profile: str | None = PROFILE) -> None:
    """Mark a paper as one you want less of.

    Example: paperround dislike https://arxiv.org/abs/2507.02092 --profile theory
    """
    _set(paper, profile, -1, "disliked")


def unlike(paper: str = PAPER, profile: str | None = PROFILE) -> None:
    """Forget your feedback on a paper.

    Example: paperround unlike 2507.01752 --profile theory
    """
    _set(paper, profile, None, "feedback removed")


def register(root: typer.Typer) -> None:
    root.command("like")(like)
    root.command("dislike")(dislike)
    root.command("unlike")(unlike)
