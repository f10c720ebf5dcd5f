"""`paperround like | dislike | unlike PAPER --profile NAME`: teach a profile your taste."""

from __future__ import annotations

import typer

from paperround.cli.common import console, engine, esc

PROFILE = typer.Option(..., "--profile", "-p", help="The profile this feedback is for.")


def _key(paper: str) -> str:
    from paperround.ids import normalize_doi, parse_arxiv_id

    found = parse_arxiv_id(paper)
    if found:
        return found[0]
    doi = normalize_doi(paper)
    return f"doi:{doi}" if doi else paper


def _set(paper: str, profile: str, value: int | None, verb: str) -> None:
    from models.store.profiles import set_feedback

    title = set_feedback(profile, _key(paper), value, engine=engine())
    console.print(f"{verb} for [bold]{esc(profile)}[/bold]: {esc(title)}", highlight=False)


def like(
    paper: str = typer.Argument(..., help="arXiv id/URL, DOI or paper key."), profile: str = PROFILE
) -> None:
    """Mark a paper as one you want more of.

    Example: paperround like 2507.01752 --profile theory
    """
    _set(paper, profile, 1, "liked")


def dislike(
    paper: str = typer.Argument(..., help="arXiv id/URL, DOI or paper key."), profile: str = PROFILE
) -> None:
    """Mark a paper as one you want less of.

    Example: paperround dislike https://arxiv.org/abs/2507.02092 --profile theory
    """
    _set(paper, profile, -1, "disliked")


def unlike(
    paper: str = typer.Argument(..., help="arXiv id/URL, DOI or paper key."), profile: str = PROFILE
) -> None:
    """Forget your feedback on a paper.

    Example: paperround unlike 2507.01752 --profile theory
    """
    _set(paper, profile, None, "feedback removed")


def register(root: typer.Typer) -> None:
    root.command("like")(like)
    root.command("dislike")(dislike)
    root.command("unlike")(unlike)
