"""Delivery (walking-skeleton version): one Apprise object per channel, honest results."""

from __future__ import annotations

from dataclasses import dataclass

import apprise

from models.records import RenderedDigest
from paperround.errors import ConfigError


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    error: str | None = None
    messages_sent: int = 0


def redact_url(url: str) -> str:
    obj = apprise.Apprise.instantiate(url)
    return obj.url(privacy=True) if obj else url.split("://", 1)[0] + "://***"


def validate_channel_url(url: str) -> str:
    if apprise.Apprise.instantiate(url) is None:
        raise ConfigError(f"unparseable Apprise URL: {redact_url(url)}")
    return url


def deliver(rendered: RenderedDigest, channel_url: str) -> DeliveryResult:
    app = apprise.Apprise()
    if not app.add(channel_url):
        return DeliveryResult(False, f"unparseable Apprise URL: {redact_url(channel_url)}")
    ok = app.notify(
        title=rendered.subject, body=rendered.html, body_format=apprise.NotifyFormat.HTML
    )
    if ok is True:
        return DeliveryResult(True, None, 1)
    return DeliveryResult(False, f"delivery to {redact_url(channel_url)} failed")
