"""Parameters several commands share: one spelling, one short option, one help text and one
completion for each, so `-s` means `--source` and `-p` means `--profile` everywhere."""

from __future__ import annotations

from typing import Any

import typer

from paperround.cli.complete import profile_names, source_names

JSON = typer.Option(False, "--json", help="Print JSON.")

# A profile named as the command's first argument.
PROFILE_NAME = typer.Argument(
    ..., metavar="PROFILE", help="The profile's name.", autocompletion=profile_names
)


def profile_option(help: str, *, required: bool = False, many: bool = False) -> Any:
    """--profile/-p: which profile(s) a command is about."""
    default: Any = [] if many else (... if required else None)
    return typer.Option(
        default, "--profile", "-p", metavar="PROFILE", help=help, autocompletion=profile_names
    )


def source_option(
    help: str = "Only these sources (repeat for several).", *, many: bool = True
) -> Any:
    """--source/-s: which source(s) a command reads."""
    return typer.Option(
        [] if many else None,
        "--source",
        "-s",
        metavar="SOURCE",
        help=help,
        autocompletion=source_names,
    )
