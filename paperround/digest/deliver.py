"""Deliver a rendered digest through Apprise, one channel at a time, with honest results.

Apprise's notify() answers True, False or None and never raises; anything but True is a
failure, and its reason (logged by Apprise at DEBUG only) is captured, classed (temporary,
permanent, unknown, with the server's code: see failure_class.py) and redacted here. Every
network wait is bounded by PAPERROUND_DELIVERY_TIMEOUT unless the URL sets its own cto/rto.
Email gets the HTML, with the digest's text rendering as its text part (email_message.py);
chat services get Markdown split under the service's own length limit, whole papers only.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import apprise

from models.errors import ConfigError
from models.records import RenderedDigest
from paperround.digest.chat_split import _pack, chat_measure
from paperround.digest.email_message import as_recorded
from paperround.digest.escape import chat_title
from paperround.digest.failure_class import PERMANENT, Failure, classify
from paperround.digest.redact import (
    EMAIL_SCHEMES,
    ENV_PLACEHOLDER,
    instantiate,
    placeholders_readable,
    redact_url,
    scheme_of,
    scrub,
    secrets_of,
)

DEFAULT_CHAT_LIMIT = 4000


@dataclass(frozen=True)
class DeliveryResult:
    """One channel's outcome; error is one line with secrets redacted.

    failure_class: "temporary" (a later run may get through: 4xx SMTP reply, HTTP 5xx/429,
    timeout, refused connection), "permanent" (5xx SMTP, other HTTP 4xx, a bad or incomplete
    channel URL) or "unknown"; failure_code: the server's SMTP or HTTP code, when it gave one.
    """

    ok: bool
    error: str | None = None
    messages_sent: int = 0
    # Papers (in digest order) inside the messages that went out before a failure: a chat
    # digest split in parts that fails at part 2 has still delivered part 1's papers.
    papers_sent: int = 0
    failure_class: str | None = None
    failure_code: int | None = None


def resolve_env(url: str) -> str:
    """Replace {env:NAME} placeholders with environment values (so secrets need not be stored).

    Not a setting: the user names the variable in the URL, and it is read at send time so a
    rotated secret needs no restart.
    """

    def sub(m: re.Match) -> str:
        value = os.environ.get(m.group(1))
        if value is None:
            raise ConfigError(
                f"environment variable {m.group(1)} (used in a channel URL) is not set"
            )
        return value

    return ENV_PLACEHOLDER.sub(sub, url)


def shown_url(url: str) -> str:
    """A channel URL as listings show it (the same as redact_url: a URL holding {env:NAME}
    placeholders is shown as written, literal secrets masked)."""
    return redact_url(url)


def validate_channel_url(url: str) -> str:
    """Check an Apprise URL parses; return it unchanged. With {env:NAME} placeholders, it
    must parse for some shape of values (a Telegram token, digits, ...), or at least name a
    service Apprise has: the rest is checked at send time, once the values are known."""
    from apprise.manager_plugins import NotificationManager

    if ENV_PLACEHOLDER.search(url):
        if placeholders_readable(url) or scheme_of(url) in NotificationManager():
            return url
    elif instantiate(url) is not None:
        return url
    from paperround.apprise_hints import channel_url_hint

    scheme = scheme_of(url) if "://" in url else url[:12]
    hint = channel_url_hint(ENV_PLACEHOLDER.sub("placeholder", url))
    raise ConfigError(f"unparseable Apprise URL (scheme {scheme!r}): {hint}")


def _env_values(url: str) -> list[str]:
    """The values a URL's {env:NAME} placeholders stand for (set ones only)."""
    return [os.environ.get(name) or "" for name in ENV_PLACEHOLDER.findall(url)]


# Apprise logs recipient addresses and URLs (DEBUG) and its own view of failures: they go to
# the delivery's capture only, never on to a console's handlers (serve's, Prefect's); the
# reason is reported, redacted, in the delivery's error. `paperround -v` lets them through,
# with the channel's secrets taken out (Apprise logs request URLs, tokens and all).
logging.getLogger("apprise").propagate = False


class _Scrub(logging.Filter):
    """Takes a channel's secrets out of each Apprise record, before any handler sees it."""

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = list(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = scrub(record.getMessage(), self.secrets), None
        return True


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def _captured_apprise_log(secrets: Sequence[str]):
    logger = logging.getLogger("apprise")
    handler, scrubbing = _Capture(), _Scrub(secrets)
    old_level = logger.level
    logger.addFilter(scrubbing)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.removeFilter(scrubbing)
        logger.setLevel(old_level)


def _reason(lines: Sequence[str], secrets: Sequence[str], failure: Failure) -> str:
    """The server's code and words if it gave them, then the most telling line Apprise
    logged, with secrets removed."""
    keys = ("error", "fail", "refused", "timed out", "timeout", "unauthor", "denied", "invalid")
    picked = [ln for ln in lines if any(k in ln.lower() for k in keys)] or list(lines[-1:])
    said = [failure.detail] if failure.detail else []
    text = " / ".join(dict.fromkeys([*said, *(ln.strip() for ln in picked[-2:])]))
    text = scrub(text or "no reason logged", list(secrets))
    return " ".join(text.split())[:300]


def bound_timeouts(service, url: str, timeout: float):
    """Set the service's connect and read timeouts (Apprise's cto/rto) to `timeout`, except
    one the URL sets itself. Email uses the connect timeout for every SMTP reply it waits for.
    """
    from urllib.parse import parse_qs, urlsplit

    own = {key.lower() for key in parse_qs(urlsplit(url).query)}
    if "cto" not in own:
        service.socket_connect_timeout = timeout
    if "rto" not in own:
        service.socket_read_timeout = timeout
    return service


def deliver(
    rendered: RenderedDigest,
    channel_url: str,
    *,
    chat_limit: int | None = None,
    message_id: str | None = None,
    timeout: float | None = None,
) -> DeliveryResult:
    """Send one digest to one channel. Never raises for a delivery problem: returns it.

    message_id: the email's Message-ID (a resend passes the one recorded with the digest).
    `timeout` (default: settings' delivery_timeout) bounds each network wait: a server that
    stops answering fails the channel, as temporary, after about that long.
    """
    try:
        url = resolve_env(channel_url)
    except ConfigError as exc:
        return DeliveryResult(False, str(exc), failure_class=PERMANENT)
    app = apprise.Apprise()
    if not app.add(url):
        return DeliveryResult(
            False, f"unparseable Apprise URL {redact_url(channel_url)}", failure_class=PERMANENT
        )
    if timeout is None:
        from models.settings import get_settings

        timeout = get_settings().delivery_timeout
    service = bound_timeouts(app[0], url, timeout)
    scheme = url.split("://", 1)[0].lower()
    if scheme in EMAIL_SCHEMES:
        bodies = [(rendered.subject, rendered.html, apprise.NotifyFormat.HTML)]
        papers_in = [0]  # one message: all or nothing
    else:
        limit = chat_limit or min(getattr(service, "body_maxlen", 0) or DEFAULT_CHAT_LIMIT, 32768)
        blocks = rendered.markdown_blocks or (rendered.markdown,)
        if scheme == "slack" and rendered.slack_blocks:
            blocks = rendered.slack_blocks
        packed = _pack(blocks, limit, chat_measure(service, f"{rendered.subject} (99/99)"))
        parts = [message for message, _ in packed]
        # Blocks are header, one per paper, footer: count the paper blocks in each part.
        papers_in = [sum(1 for i in held if 0 < i < len(blocks) - 1) for _, held in packed]
        title = chat_title(rendered.subject, scheme=scheme)
        bodies = [
            (
                title if i == 0 else f"{title} ({i + 1}/{len(parts)})",
                body,
                apprise.NotifyFormat.MARKDOWN,
            )
            for i, body in enumerate(parts)
        ]
    sent = 0
    own_text = rendered.text if scheme in EMAIL_SCHEMES else None
    secrets = [*secrets_of(url), *_env_values(channel_url)]
    with _captured_apprise_log(secrets) as log, as_recorded(message_id, own_text):
        for title, body, fmt in bodies:
            log.lines.clear()  # this message's lines only
            ok = app.notify(title=title, body=body, body_format=fmt)
            if ok is not True:
                failure = classify(log.lines)
                reason = _reason(log.lines, secrets, failure)
                return DeliveryResult(
                    False,
                    f"{redact_url(channel_url)}: {reason}",
                    sent,
                    sum(papers_in[:sent]),
                    failure.failure_class,
                    failure.code,
                )
            sent += 1
    return DeliveryResult(True, None, sent)


def send_test_message(channel_url: str) -> DeliveryResult:
    """A short message through a channel, to check it works (and why not, if it does not)."""
    text = "Paperround test message: this channel will receive your digests."
    rendered = RenderedDigest(
        "Paperround test", f"<p>{text}</p>", text, text, markdown_blocks=(text,)
    )
    return deliver(rendered, channel_url)
