"""`paperround db`: the store's schema."""

from __future__ import annotations

import typer

from paperround.cli.common import console
from paperround.cli.helpformat import App

app = App(help="Manage the database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Check the store, then apply pending migrations (also done automatically on first use).

    A damaged SQLite store is reported and left as it is. Several processes may run this at
    once: one migrates, the others wait for it.

    Example: paperround db upgrade   (PostgreSQL: set PAPERROUND_DATABASE_URL first)
    """
    from models.db import check_store, current_revision, open_engine, upgrade

    engine = open_engine()
    try:
        check_store(engine)
        upgrade(engine)
        revision = current_revision(engine)
    finally:
        engine.dispose()
    console.print(f"database at revision {revision}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")
