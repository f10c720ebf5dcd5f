"""`paperround profile channel ...`: where a profile's digest is delivered (Apprise URLs)."""

from __future__ import annotations

from typing import Annotated

import typer

from paperround.cli.common import console, esc, plain, print_json
from paperround.cli.complete import channel_urls
from paperround.cli.helpformat import App
from paperround.cli.params import JSON
from paperround.cli.profile_common import load_config, name_argument, public, save

channel_app = App(help="Manage where a profile's digest is delivered.", no_args_is_help=True)


@channel_app.command("add")
def channel_add(
    name: Annotated[str, name_argument()],
    url: str = typer.Argument(
        ..., metavar="URL", help="An Apprise URL; {env:NAME} is read from the environment."
    ),
) -> None:
    """Deliver this profile's digest to an Apprise URL too ({env:NAME} is resolved at send time).

    Example: paperround profile channel add theory 'mailtos://me:{env:SMTP_PASSWORD}@smtp.example.org'
    """
    from paperround.digest.deliver import redact_url

    data = load_config(name).model_dump(mode="json")
    data["channels"].append(url)
    save(data, "update")
    console.print(f"added channel {esc(redact_url(url))} to [bold]{esc(name)}[/bold]")


def _stored_channel(metavar: str):
    return typer.Argument(
        ...,
        metavar=metavar,
        help="The URL, or its redacted form (see `profile channel list`).",
        autocompletion=channel_urls,
    )


def _matching(name: str, channels: list[str], url: str) -> list[int]:
    """Where a URL, given in full or redacted, is in a profile's channels (NotFoundError)."""
    from models.errors import NotFoundError
    from paperround.digest.deliver import redact_url

    found = [i for i, u in enumerate(channels) if url in (u, redact_url(u))]
    if not found:
        raise NotFoundError(f"profile {name!r} has no channel {redact_url(url)}")
    return found


@channel_app.command("remove")
def channel_remove(
    name: Annotated[str, name_argument()], url: str = _stored_channel("URL")
) -> None:
    """Stop delivering to a channel.

    Example: paperround profile channel remove theory 'discord://1...0/a...z/'
    """
    data = load_config(name).model_dump(mode="json")
    gone = set(_matching(name, data["channels"], url))
    data["channels"] = [u for i, u in enumerate(data["channels"]) if i not in gone]
    save(data, "update")
    console.print(f"removed channel from [bold]{esc(name)}[/bold]")


@channel_app.command("replace")
def channel_replace(
    name: Annotated[str, name_argument()],
    old: str = _stored_channel("OLD"),
    new: str = typer.Argument(..., metavar="NEW", help="The Apprise URL to deliver to instead."),
) -> None:
    """Change a channel's URL (a rotated token, a fixed password) and keep its history: what
    it was sent is not sent again, and a digest that failed on the old URL goes to the new one.

    (`profile apply` does the same when a file swaps one URL for another of the same service.)

    Example: paperround profile channel replace theory 'discord://1...0/a...z/' 'discord://{env:HOOK}'
    """
    from models.errors import ConfigError
    from paperround.digest.deliver import redact_url
    from paperround.digest.redact import scheme_of

    data = load_config(name).model_dump(mode="json")
    at = _matching(name, data["channels"], old)[0]
    if scheme_of(new) and scheme_of(data["channels"][at]) != scheme_of(new):  # else: save says
        raise ConfigError(
            f"{redact_url(data['channels'][at])} and {redact_url(new)} are different services: "
            "add the new one with `profile channel add` (and remove the old)"
        )
    data["channels"][at] = new
    save(data, "update")
    console.print(f"channel of [bold]{esc(name)}[/bold] now delivers to {esc(redact_url(new))}")


@channel_app.command("list")
def channel_list(name: Annotated[str, name_argument()], json_out: bool = JSON) -> None:
    """List a profile's channels (redacted).

    Example: paperround profile channel list theory
    """
    urls = public(load_config(name))["channels"]
    if json_out:
        print_json(urls)
        return
    for url in urls:
        console.print(plain(url), highlight=False, soft_wrap=True)


@channel_app.command("test")
def channel_test(name: Annotated[str, name_argument()]) -> None:
    """Send a short test message to each channel and report the real reason of any failure.

    Example: paperround profile channel test theory
    """
    from paperround.digest.deliver import redact_url, send_test_message

    failed = 0
    for url in load_config(name).channels:
        result = send_test_message(url)
        mark = "[green]ok[/green]" if result.ok else f"[red]failed:[/red] {esc(result.error)}"
        console.print(f"{esc(redact_url(url))}: {mark}", highlight=False, soft_wrap=True)
        failed += not result.ok
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(channel_app, name="channel")
