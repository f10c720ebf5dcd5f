"""`paperround serve`: run the schedules (ingest + digest dispatcher) until stopped.

Without PREFECT_API_URL it starts its own Prefect server on 127.0.0.1 (embedded mode);
with it, it serves against that server. SIGTERM or Ctrl-C stops both and exits 0.

With a public URL (PAPERROUND_PUBLIC_URL) it also serves the digest's feedback links
(`paperround web`) in a thread of this process: the app does a few milliseconds of work per
click, the flow runs themselves are separate processes, and one process means one thing to
start, supervise and stop (SIGTERM stops both; the thread dies with the process). A
subprocess would isolate a crash, but the app has no state worth isolating and its failures
are pages, not crashes.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import UTC, datetime

import typer

from models.defaults import DISPATCH_EVERY_SECONDS
from paperround.cli.common import console, esc


def _exit_cleanly(*_args) -> None:
    raise SystemExit(0)  # unwinds through the finally that stops the server


def _print_next_runs(dispatch_every: int, now: datetime) -> None:
    from models.db import get_engine
    from models.errors import ConfigError
    from models.store.profiles import list_profiles
    from paperround.schedule.slots import INGEST_SCHEDULES, next_slots, unreadable

    console.print("[bold]next runs[/bold] (UTC):")
    for cron, tz in INGEST_SCHEDULES:
        [at] = next_slots(cron, tz, now)
        console.print(f"  ingest     {at:%Y-%m-%d %H:%M}  ({cron} {tz})")
    console.print(f"  dispatch   every {dispatch_every} s")
    for prof in list_profiles(engine=get_engine(), enabled_only=True):
        try:
            [at] = next_slots(prof.schedule, prof.timezone, now)
        except (ConfigError, ValueError, KeyError) as exc:
            console.print(f"  digest     {esc(unreadable(prof.name, prof.timezone, exc))}")
            continue
        console.print(
            f"  digest     {at:%Y-%m-%d %H:%M}  {esc(prof.name)} ({prof.schedule} {prof.timezone})"
        )


def _start_web(host: str, port: int, forwarded_allow_ips: str | None):
    """The feedback app in a thread when a public URL is configured, else None."""
    from models.errors import ConfigError
    from models.settings import get_settings

    if not get_settings().public_url:
        console.print("feedback links: off (no PAPERROUND_PUBLIC_URL; feedback by CLI)")
        return None
    from paperround.cli.web import web_config
    from paperround.web.server import Listen, WebThread, bind

    listen = Listen(host, port, forwarded_allow_ips=forwarded_allow_ips)
    try:
        sock = bind(listen)
    except OSError as exc:
        raise ConfigError(
            f"feedback links: cannot listen on {host}:{port} ({exc.strerror}); try --web-port"
        ) from None
    web = WebThread(web_config(None), listen, sock).__enter__()
    console.print(
        f"feedback links on {esc(web.url)} as {esc(get_settings().public_url)}", highlight=False
    )
    return web


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
    web_host: str = typer.Option(
        "127.0.0.1", help="With a public URL: the feedback app's address (paperround web)."
    ),
    web_port: int | None = typer.Option(
        None,
        min=0,
        max=65535,
        show_default=False,
        help="The feedback app's port (default: PAPERROUND_WEB_PORT or 8300).",
    ),
    forwarded_allow_ips: str | None = typer.Option(
        None, metavar="IPS", help="Proxies whose X-Forwarded-* the feedback app trusts."
    ),
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
    web = None
    try:
        port_for_web = settings.web_port if web_port is None else web_port
        web = _start_web(web_host, port_for_web, forwarded_allow_ips)
        from flows.serve import run_served, served_deployments

        deployments = served_deployments(dispatch_every=dispatch_every)
        _print_next_runs(dispatch_every, datetime.now(UTC))
        console.print("serving: Ctrl-C or SIGTERM stops", highlight=False)
        sys.stdout.flush()
        run_served(deployments)
    except KeyboardInterrupt:
        pass
    finally:
        if web is not None:
            web.stop()
        marker.unlink(missing_ok=True)
        if server is not None:
            console.print("stopping the Prefect server ...")
            server.stop()
    console.print("stopped")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("serve")(serve_cmd)
