"""`paperround db`: the store's schema."""

from __future__ import annotations

import typer

from paperround.cli.common import console
from paperround.cli.helpformat import App

app = App(help="Manage the database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Apply pending migrations (also done automatically on first use).

    Example: paperround db upgrade   (PostgreSQL: set PAPERROUND_DATABASE_URL first)
    """
    from models.db import current_revision, make_engine, upgrade
    from models.settings import get_settings

    engine = make_engine(get_settings().db_url)
    upgrade(engine)
    console.print(f"database at revision {current_revision(engine)}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")
