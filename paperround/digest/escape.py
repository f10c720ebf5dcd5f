"""Feed text made safe for each output: Markdown, Slack, chat titles, one-line text, links.

Every string from a feed is hostile: it must not format, link, mention ("@everyone") or
break out of a link in any digest format. Pure and free of Jinja2, so delivery can use it
without loading the templates.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()<>#|~])")
_MD_SPECIAL_NO_ANGLE = re.compile(r"([\\`*_\[\]()#|~])")
_ZWSP = "\u200b"


def neutralise_mentions(text: str) -> str:
    """A zero-width space after every "@": "@everyone", "@here", "@channel" and "<@123>"
    read the same but ping nobody (Discord's own advice; Apprise sends no allowed_mentions)."""
    return text.replace("@", "@" + _ZWSP)


def escape_markdown(text: object) -> str:
    """Escape Markdown's special characters so feed text cannot format, link or mention."""
    return neutralise_mentions(_MD_SPECIAL.sub(r"\\\1", _CONTROL.sub(" ", str(text))))


def escape_slack(text: object) -> str:
    """Slack mrkdwn needs &, < and > escaped (they open links and mentions)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_slack_markdown(text: object) -> str:
    """For Slack: Markdown specials backslashed, and &, <, > as entities (not both), so
    "<!channel>" and "<@U123>" are text; "@channel" gets a zero-width space too."""
    escaped = escape_slack(_MD_SPECIAL_NO_ANGLE.sub(r"\\\1", _CONTROL.sub(" ", str(text))))
    return neutralise_mentions(escaped)


def clean_line(text: object) -> str:
    """One line of plain text: control characters and newlines become single spaces."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())


_LINK_OPENERS = re.compile(r"([\\\[\]<>])")
# Services that show a title as plain text (a notification's title, a webhook's field): no
# Markdown there to escape, and a backslash would show.
PLAIN_TITLE_SCHEMES = frozenset(
    {"json", "jsons", "xml", "xmls", "form", "forms", "ntfy", "ntfys", "pover", "gotify", "gotifys"}
)


def chat_title(subject: str, *, scheme: str = "") -> str:
    """The subject as a chat message's title, which Apprise sends beside the body (Discord
    puts it in the message's text): never an "@everyone" ping, and where the service reads
    Markdown, no "[text](url)" or "<@123>" from a feed's title. Slack's plugin escapes &, <
    and > itself, and Slack has no [text](url)."""
    if scheme == "slack" or scheme in PLAIN_TITLE_SCHEMES:
        return neutralise_mentions(subject)
    return neutralise_mentions(_LINK_OPENERS.sub(r"\\\1", subject))


# Characters that end or open a link in Markdown "[t](url)" or Slack "<url|t>", percent-encoded
# so a feed's URL cannot close the link and append text or links of its own.
_URL_BREAKERS = str.maketrans({c: f"%{ord(c):02X}" for c in "()[]<>|`\\"})


def safe_url(url: str | None) -> str | None:
    """Only http(s) links reach a digest: a feed cannot smuggle in javascript: or data: URLs.

    Link-breaking characters are percent-encoded, which leaves the address the same page.
    """
    if not url:
        return None
    url = url.strip()
    if not re.match(r"^https?://[^\s<>\"']+$", url, re.IGNORECASE):
        return None
    return url.translate(_URL_BREAKERS)
