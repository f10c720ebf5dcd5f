"""Shared CLI helpers: consoles, the engine, JSON output, and printing hostile text safely.

Every string that came from a feed, a file or the store is shown through `plain` (a Rich
Text, never parsed as markup) or `esc` (escaped inside a markup string): a title such as
"[/b]" or "[link=https://evil.example]here[/link]" prints as written, and terminal control
sequences (ESC, BEL...) are removed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # sqlalchemy costs ~0.5 s to import: not for `--help`
    from sqlalchemy import Engine

from models.errors import ConfigError

console = Console()
err_console = Console(stderr=True)
# C0 and C1 controls but tab and newline (a cell may hold several lines).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def engine() -> Engine:
    """The configured store, migrated on first use."""
    from models.db import get_engine

    return get_engine()


def _default(obj: Any) -> Any:
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def print_json(data: Any) -> None:
    """Machine-readable output on stdout (for --json)."""
    print(json.dumps(data, default=_default, indent=2, ensure_ascii=False))


def plain(value: object) -> Text:
    """A value as literal text for Rich: markup is not interpreted, controls are dropped."""
    return Text(_CONTROL.sub(" ", "" if value is None else str(value)))


def esc(value: object) -> str:
    """A value to put inside a Rich markup string (f"added [bold]{esc(name)}[/bold]")."""
    return escape(_CONTROL.sub(" ", "" if value is None else str(value)))


def add_row(table: Table, *cells: object) -> None:
    """Add a table row whose every cell is shown as written (see `plain`)."""
    table.add_row(*(plain(c) for c in cells))


def checked(check: Callable[[str], Any], *, keep_text: bool = False) -> Callable[[Any], Any]:
    """A Typer `parser` from a library check: its ConfigError becomes a usage error naming
    the option. keep_text: pass the text on once checked (the command parses it again)."""

    def parse(value: Any) -> Any:
        if not isinstance(value, str):
            return value  # a default
        try:
            result = check(value)
        except ConfigError as exc:
            raise typer.BadParameter(str(exc)) from None
        return value if keep_text else result

    return parse


def write_output(path: Path, text: str) -> None:
    """Write a file the person named (--output); a path that cannot be written is one line."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        if not path.parent.is_dir():
            why = f"there is no directory {path.parent} (create it, or choose another path)"
        else:
            why = f"{exc.strerror or exc} (choose a path you can write to)"
        raise ConfigError(f"cannot write {path}: {why}") from exc
