"""The `paperround` command: a thin Typer layer over the library.

Library errors (PaperroundError) become one red line and exit code 1, never a traceback.
Prefect is imported only by the commands that run a flow (it costs ~1.5 s to import).
"""

from __future__ import annotations

import sys

import typer

from paperround import __version__
from paperround.cli import db, digest, feedback, papers, profile, run, serve, source
from paperround.cli.common import err_console, esc
from paperround.cli.helpformat import App
from paperround.errors import PaperroundError

app = App(
    name="paperround",
    help=(
        "Paperround: your daily research-paper digest.\n\n"
        "Example: paperround demo   (runs the whole job offline on bundled feeds)"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"paperround {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Paperround: your daily research-paper digest."""


# Each command module adds its commands; their order here is the order in --help.
for module in (run, digest, profile, feedback, source, papers, db, serve):
    module.register(app)


def main() -> None:
    """Console entry point: run the app, turning library errors into one clear line."""
    try:
        # Without standalone mode click returns typer.Exit's code instead of raising it.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except PaperroundError as exc:
        # The message may quote feed text or a typed name: shown as written, never as markup.
        err_console.print(f"[red]error:[/red] {esc(exc)}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except Exception as exc:
        # Usage errors (Typer ships its own copy of click, so match on the interface).
        if hasattr(exc, "show") and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()
            sys.exit(exc.exit_code)
        raise
