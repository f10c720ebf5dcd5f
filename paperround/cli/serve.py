"""`paperround serve`: run the schedules (ingest + digest dispatcher) until stopped.

Without PREFECT_API_URL it starts its own Prefect server on 127.0.0.1 (embedded mode);
with it, it serves against that server. SIGTERM or Ctrl-C stops both and exits 0.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import UTC, datetime

import typer

from models.settings import DISPATCH_EVERY_SECONDS
from paperround.cli.common import console, esc


def _exit_cleanly(*_args) -> None:
    raise SystemExit(0)  # unwinds through the finally that stops the server


def _print_next_runs(dispatch_every: int, now: datetime) -> None:
    from models.db import get_engine
    from models.store.profiles import list_profiles
    from paperround.schedule.slots import INGEST_SCHEDULES, next_slots

    console.print("[bold]next runs[/bold] (UTC):")
    for cron, tz in INGEST_SCHEDULES:
        [at] = next_slots(cron, tz, now)
        console.print(f"  ingest     {at:%Y-%m-%d %H:%M}  ({cron} {tz})")
    console.print(f"  dispatch   every {dispatch_every} s")
    for prof in list_profiles(engine=get_engine(), enabled_only=True):
        try:
            [at] = next_slots(prof.schedule, prof.timezone, now)
        except (ValueError, KeyError):
            console.print(f"  digest     {esc(prof.name)}: unreadable schedule {prof.schedule!r}")
            continue
        console.print(
            f"  digest     {at:%Y-%m-%d %H:%M}  {esc(prof.name)} ({prof.schedule} {prof.timezone})"
        )


def serve_cmd(
    port: int | None = typer.Option(
        None,
        min=0,
        max=65535,
        show_default=False,
        help="Embedded server port (0: any free port; default: PAPERROUND_PREFECT_PORT or 0).",
    ),
    dispatch_every: int = typer.Option(
        DISPATCH_EVERY_SECONDS,
        min=10,
        help="Seconds between dispatcher runs (due profiles are sent).",
    ),
    ui: bool = typer.Option(True, help="Serve Prefect's web UI (embedded mode)."),
) -> None:
    """Run ingest on its schedule and send each profile's digest at its own time.

    Starts a local Prefect server unless PREFECT_API_URL points at one. Stop with Ctrl-C.

    Example: paperround serve --port 4200
    """
    signal.signal(signal.SIGTERM, _exit_cleanly)
    from models.settings import get_settings
    from paperround.env import prepare_prefect_env

    settings = get_settings()
    prepare_prefect_env()
    server = None
    api_url = settings.prefect_api_url
    if not api_url:
        from paperround.server import PrefectServer

        port = settings.prefect_port if port is None else port
        server = PrefectServer(home=settings.prefect_home / "server", port=port or None, ui=ui)
        console.print(f"starting a local Prefect server on {server.api_url} ...")
        server.start()
        api_url = server.api_url
        os.environ["PREFECT_API_URL"] = api_url  # Prefect reads its API URL from the environment
        ui_note = f" · UI http://{server.host}:{server.port}" if ui else ""
        console.print(f"Prefect server ready{ui_note} · log {server.log_path}")
    else:
        console.print(f"using the Prefect server at {api_url}")
    from paperround.server import announce_serving

    marker = announce_serving(settings.home, api_url)
    try:
        from flows.serve import run_served, served_deployments

        deployments = served_deployments(dispatch_every=dispatch_every)
        _print_next_runs(dispatch_every, datetime.now(UTC))
        console.print("serving: Ctrl-C or SIGTERM stops", highlight=False)
        sys.stdout.flush()
        run_served(deployments)
    except KeyboardInterrupt:
        pass
    finally:
        marker.unlink(missing_ok=True)
        if server is not None:
            console.print("stopping the Prefect server ...")
            server.stop()
    console.print("stopped")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("serve")(serve_cmd)
