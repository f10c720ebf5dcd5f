"""`paperround profile list | show`: the profiles as stored, and one profile with its next
send time and last delivery (channel URLs redacted)."""

from __future__ import annotations

import shlex
from typing import Annotated

import typer
from rich.table import Table

from paperround.cli.common import add_row, console, esc, print_json
from paperround.cli.params import JSON
from paperround.cli.profile_common import load_config, name_argument, public, warn


def list_(json_out: bool = JSON) -> None:
    """List profiles.

    Example: paperround profile list --json
    """
    from models.store.profiles import list_profiles
    from paperround.cli.common import engine

    rows = [
        {
            "name": p.name,
            "schedule": p.schedule,
            "timezone": p.timezone,
            "enabled": p.enabled,
            "description": p.description,
        }
        for p in list_profiles(engine=engine())
    ]
    if json_out:
        print_json(rows)
        return
    table = Table("name", "schedule", "timezone", "state", "description")
    for r in rows:
        state = "active" if r["enabled"] else "paused"
        add_row(table, r["name"], r["schedule"], r["timezone"], state, r["description"])
    console.print(table)


def _when(config, now) -> tuple[str | None, dict | None]:
    """The next send time (None when paused, or when the stored schedule cannot be read: then
    a warning says how to fix it) and the last delivery, for `show`."""
    from models.errors import ConfigError
    from models.store.digest_archive import history
    from paperround.cli.common import engine
    from paperround.schedule.slots import next_slots, unreadable

    try:
        upcoming = next_slots(config.schedule, config.timezone, now) if config.enabled else []
    except (ConfigError, ValueError, KeyError) as exc:
        warn(esc(unreadable(config.name, config.timezone, exc)))
        upcoming = []
    last = history(config.name, engine=engine(), limit=1)
    delivery = None
    if last:
        row = last[0]
        delivery = {
            "at": row["created_at"],
            "status": row["status"],
            "papers": len(row["papers"]),
            "error": row["error"],
        }
    return (upcoming[0].isoformat() if upcoming else None), delivery


def _shown_when(config, next_send: str | None, delivery: dict | None) -> tuple[str, str]:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    if next_send is None and config.enabled:
        nxt = "never: its schedule cannot be read (see the warning)"
    elif next_send is None:
        nxt = f"paused (paperround profile resume {shlex.quote(config.name)} to send again)"
    else:
        local = datetime.fromisoformat(next_send).astimezone(ZoneInfo(config.timezone))
        nxt = f"{local:%a %Y-%m-%d %H:%M} {config.timezone}"
    if delivery is None:
        last = "none yet"
    else:
        last = f"{delivery['at']:%Y-%m-%d %H:%M} UTC: {delivery['status']}"
        last += f", {delivery['papers']} paper(s)" if delivery["papers"] else ""
        last += f" ({delivery['error']})" if delivery["error"] else ""
    return nxt, last


def show(name: Annotated[str, name_argument()], json_out: bool = JSON) -> None:
    """Show one profile, its next send time and its last delivery (channel URLs redacted).

    Example: paperround profile show theory --json
    """
    from paperround.cli.profile_common import now

    config = load_config(name, look_up_pending=True)
    next_send, delivery = _when(config, now())
    data = public(config)
    if json_out:
        print_json(data | {"next_send": next_send, "last_delivery": delivery})
        return
    table = Table(show_header=False)
    for k, v in data.items():
        if k == "seeds":
            v = "\n".join(f"{s['key']}: {s['title'] or '(pending lookup)'}" for s in v)
        elif isinstance(v, dict):
            v = ", ".join(f"{a}:{b}" for a, b in v.items())
        elif isinstance(v, list):
            v = "\n".join(v)
        add_row(table, k, v)
    nxt, last = _shown_when(config, next_send, delivery)
    add_row(table, "next send", nxt)
    add_row(table, "last delivery", last)
    console.print(table)


def register(app: typer.Typer) -> None:
    for name, command in (("list", list_), ("show", show)):
        app.command(name)(command)
