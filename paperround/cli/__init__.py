"""The `paperround` command: a thin Typer layer over the library.

Every error becomes one red line on stderr and exit code 1, never a traceback: library
errors (PaperroundError) and database driver errors (classified by code) say what is wrong
and what to do; anything unexpected says what it was and points at --debug (or
PAPERROUND_DEBUG=1), which prints the full traceback first.
Prefect is imported only by the commands that run a flow (it costs ~1.5 s to import).
"""

from __future__ import annotations

import logging
import sys
import traceback

import typer

from models.errors import ConfigError, PaperroundError
from paperround import __version__
from paperround.cli import db, digest, feedback, papers, profile, run, serve, source, web
from paperround.cli.common import err_console, esc, plain
from paperround.cli.helpformat import App

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


class _Edge:
    """What the error handler in main() needs from the command line: --debug."""

    debug = False


def _debugging() -> bool:
    """--debug, or PAPERROUND_DEBUG: read only when an error is shown, so a command that
    fails nothing never loads the settings for it (pydantic: ~0.27 s of `--help`)."""
    return _Edge.debug or _debug_setting()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"paperround {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(
        False, "--debug", help="On an error, print the full traceback (or PAPERROUND_DEBUG=1)."
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Show what the run does (and Apprise's own log lines)."
    ),
) -> None:
    """Paperround: your daily research-paper digest."""
    _Edge.debug = _Edge.debug or debug
    _configure_logging(verbose=verbose)


class _OneLine(logging.Formatter):
    """A log record as one line on stderr ("warning: ..."): a record that carries an exception
    names it in a few words; the traceback only with --debug."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{record.levelname.lower()}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            if _debugging():
                return f"{text}\n{self.formatException(record.exc_info)}"
            exc = record.exc_info[1]
            first = (str(exc).strip().splitlines() or [""])[0]
            text += f" ({type(exc).__name__}: {first})" if first else f" ({type(exc).__name__})"
        return " ".join(text.split())


class _Stderr(logging.Handler):
    """Writes to whatever sys.stderr is now (a progress bar redirects it while it shows)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(plain(self.format(record)).plain, file=sys.stderr)
        except Exception:
            self.handleError(record)


def _configure_logging(*, verbose: bool) -> None:
    root = logging.getLogger()
    if not any(isinstance(h, _Stderr) for h in root.handlers):
        handler = _Stderr()
        handler.setFormatter(_OneLine())
        root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    if verbose:  # paperround.digest.deliver keeps them to itself otherwise (they name recipients)
        logging.getLogger("apprise").propagate = True


# Each command module adds its commands; their order here is the order in --help.
for module in (run, digest, profile, feedback, source, papers, db, serve, web):
    module.register(app)


def main() -> None:
    """Console entry point: run the app; every error is one line on stderr and exit 1."""
    try:
        # Without standalone mode click returns typer.Exit's code instead of raising it.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        sys.exit(130)
    except Exception as exc:
        # Usage errors (Typer ships its own copy of click, so match on the interface).
        show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            sys.exit(code)
        if _debugging():
            traceback.print_exception(exc)
        err_console.print(
            f"[red]error:[/red] {esc(_one_line(exc))}", highlight=False, soft_wrap=True
        )
        sys.exit(1)


def _debug_setting() -> bool:
    """PAPERROUND_DEBUG; settings that do not validate are the command's one-line error."""
    from models.settings import get_settings

    try:
        return get_settings().debug
    except ConfigError:
        return False


def _one_line(exc: Exception) -> str:
    """What went wrong, in one line: the library's message, or what the exception was."""
    if not isinstance(exc, PaperroundError):
        from models.db_errors import store_error

        exc = store_error(exc, _store_url()) or exc
    if isinstance(exc, PaperroundError):
        return " ".join(str(exc).split())
    if isinstance(exc, OSError) and exc.strerror:  # a file or folder: say which, not the class
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}. Rerun with --debug for the traceback."
    lines = str(exc).strip().splitlines()
    what = f"{type(exc).__name__}: {lines[0].strip().rstrip('.')}" if lines else type(exc).__name__
    return f"{what}. Rerun with --debug for the traceback."


def _store_url() -> str | None:
    """The store the command used, only to name it in an error."""
    try:
        from models.settings import get_settings

        return get_settings().db_url
    except Exception:  # the settings themselves are broken: the error names no store
        return None
