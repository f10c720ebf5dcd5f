"""`paperround web`: serve the digest's feedback links (confirm, record, undo, view)."""

from __future__ import annotations

import signal
from typing import Any

import typer

from paperround.cli.common import console, err_console, esc


def _public_url(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    from models.settings import check_public_url

    try:
        return check_public_url(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


HOST = typer.Option(
    "127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this machine only)."
)
PORT = typer.Option(8300, "--port", min=0, max=65535, envvar="PAPERROUND_WEB_PORT", help="Port.")
PUBLIC_URL = typer.Option(
    None, "--public-url", metavar="URL", parser=_public_url,
    help="Where readers reach it, e.g. https://papers.example.org (else PAPERROUND_PUBLIC_URL).",
)  # fmt: skip
PROXY = typer.Option(
    False, "--proxy-headers", help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips."
)
ALLOW = typer.Option(
    None, "--forwarded-allow-ips", metavar="IPS",
    help="Proxies whose X-Forwarded-* are trusted, comma-separated (implies --proxy-headers).",
)  # fmt: skip


def web_config(public_url: str | None):
    """The app's config from the settings; public_url overrides PAPERROUND_PUBLIC_URL."""
    from models.settings import get_settings
    from paperround.cli.common import engine
    from paperround.web.app import WebConfig

    settings = get_settings()
    return WebConfig(
        engine=engine(),
        home=settings.home,
        public_url=public_url or settings.public_url,
        ttl_days=settings.link_ttl_days,
    )


def web_cmd(
    host: str = HOST,
    port: int = PORT,
    public_url: str | None = PUBLIC_URL,
    proxy_headers: bool = PROXY,
    forwarded_allow_ips: str | None = ALLOW,
    rotate_secret: bool = typer.Option(
        False, "--rotate-secret", help="Sign new links with a new secret, then exit."
    ),
    grace_days: int = typer.Option(
        60, "--grace-days", min=0, help="With --rotate-secret: days old links keep working."
    ),
) -> None:
    """Serve the digest's "more/less like this" links and its "view in browser" page.

    Links are signed with a secret kept in the home (web-secret); a GET only shows a
    confirmation page, the button records. Put it behind an HTTPS reverse proxy to reach
    it from outside (docs/web.md). Stop with Ctrl-C.

    Example: paperround web --port 8300 --public-url https://papers.example.org
    """
    from models.errors import ConfigError
    from models.settings import get_settings

    if rotate_secret:
        from paperround.web.tokens import rotate_secret as rotate

        rotate(get_settings().home, grace_days=grace_days)
        console.print(f"new web secret; links signed before keep working for {grace_days} day(s)")
        return
    from paperround.web.server import Listen, bind, make_server

    config = web_config(public_url)
    listen = Listen(host, port, proxy_headers, forwarded_allow_ips)
    try:
        sock = bind(listen)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror}); try --port") from None
    shown = f"[{host}]" if ":" in host else host
    public = f" as {esc(config.public_url)}" if config.public_url else " (no public URL)"
    console.print(
        f"feedback links served on http://{esc(shown)}:{sock.getsockname()[1]}{public}",
        highlight=False,
    )
    if host not in ("127.0.0.1", "::1", "localhost"):
        err_console.print(
            f"warning: listening on {esc(host)}: put an HTTPS proxy in front (docs/web.md)",
            highlight=False,
        )
    # Uvicorn stops on SIGINT/SIGTERM, then re-raises the signal to the handler it found:
    # a quiet one here, so the command ends with "stopped" and exit 0, not a kill or "aborted".
    quiet = {sig: signal.signal(sig, _stopped) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        make_server(config, listen).run(sockets=[sock])
    finally:
        for sig, handler in quiet.items():
            signal.signal(sig, handler)
    console.print("stopped")


def _stopped(*_args: object) -> None:
    """What a stop signal does once uvicorn has shut down: nothing more."""


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("web")(web_cmd)
