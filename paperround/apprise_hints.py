"""Why Apprise could not parse a channel URL, where we know: a hint for the error line.

Apprise answers an unparseable URL with None and a log line; these are the causes people
meet first, checked on the URL's parts (not on Apprise's words, which change by version).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qs, urlsplit

WIKI = "see https://github.com/caronc/apprise/wiki"


def _is_ip(host: str | None) -> bool:
    try:
        ipaddress.ip_address(host or "")
    except ValueError:
        return False
    return True


def channel_url_hint(url: str) -> str:
    """What to change in a URL Apprise refused (else where to read about its URLs)."""
    from apprise.manager_plugins import NotificationManager

    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed [IPv6 bracket
        return f"not a URL; {WIKI}"
    scheme = parts.scheme.lower()
    if not scheme or "://" not in url:
        return f"an Apprise URL starts with its service, e.g. mailtos:// or discord://; {WIKI}"
    if scheme not in NotificationManager():
        return f"Apprise has no service {scheme!r}; {WIKI}"
    has_sender = parts.username or "from" in {k.lower() for k in parse_qs(parts.query)}
    if scheme in ("mailto", "mailtos") and not has_sender:
        if _is_ip(host):
            return "email to an IP host needs a sender: add from=you@example.org"
        return "email needs a sender: add from=you@example.org, or a user (user:password@host)"
    return WIKI
