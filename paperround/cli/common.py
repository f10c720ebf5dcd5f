"""Shared CLI helpers: consoles, the engine, JSON output."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:  # sqlalchemy costs ~0.5 s to import: not for `--help`
    from sqlalchemy import Engine

console = Console()
err_console = Console(stderr=True)


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
