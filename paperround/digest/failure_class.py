"""Class a failed delivery as temporary, permanent or unknown, with the server's code.

Apprise's notify() only answers True/False; the cause is in what it logged (deliver.py
captures it). Classes come from codes, not from prose: the SMTP reply code inside the smtplib
exception Apprise logs ("Socket Exception: (554, b'5.7.1 ...')", or a dict of refused
recipients), or the HTTP status of Apprise's "...error=503." convention. Without a code, a
network fault (timeout, refused, reset, dropped connection, which OSError and requests spell
the same in every locale) is temporary: the next run may get through. Anything else is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

TEMPORARY, PERMANENT, UNKNOWN = "temporary", "permanent", "unknown"

# smtplib's SMTPResponseException and its refused-recipients dict: (code, b'reply text').
_SMTP_REPLY = re.compile(r"\((\d{3}), b(['\"])(.*?)(?<!\\)\2")
_HTTP_STATUS = re.compile(r"\berror=(\d{3})\.")
# Python's and requests' own wording for network faults (errno texts vary by libc: the
# "[Errno N]" prefix does not).
_NETWORK = (
    "timed out",
    "[errno",
    "connection unexpectedly closed",
    "connection refused",
    "connection reset",
    "connection aborted",
    "remote end closed",
)
_HTTP_TEMPORARY = {408, 425, 429}


@dataclass(frozen=True)
class Failure:
    """Why a delivery failed: its class, the server's code if any, and that code's text."""

    failure_class: str
    code: int | None = None
    detail: str | None = None  # "SMTP 451 4.3.0 Try again later", "HTTP 503"


def smtp_class(code: int) -> str:
    """RFC 5321: 4yz is a transient negative reply, 5yz a permanent one."""
    return {4: TEMPORARY, 5: PERMANENT}.get(code // 100, UNKNOWN)


def http_class(status: int) -> str:
    """5xx and 408/425/429 may pass on a later try; any other 4xx will not."""
    if status >= 500 or status in _HTTP_TEMPORARY:
        return TEMPORARY
    return PERMANENT if 400 <= status < 500 else UNKNOWN


def classify(lines: Sequence[str]) -> Failure:
    """The failure Apprise's log lines describe (lines of one failed notify, in order)."""
    replies = [(int(m.group(1)), m.group(3)) for line in lines for m in _SMTP_REPLY.finditer(line)]
    if replies:
        # Recipients refused differently: a temporary refusal means a retry may still help.
        code, text = next(((c, t) for c, t in replies if smtp_class(c) == TEMPORARY), replies[0])
        text = " ".join(text.replace("\\r", " ").replace("\\n", " ").split())
        return Failure(smtp_class(code), code, f"SMTP {code} {text}".strip())
    statuses = [int(m.group(1)) for line in lines for m in _HTTP_STATUS.finditer(line)]
    if statuses:
        return Failure(http_class(statuses[-1]), statuses[-1], f"HTTP {statuses[-1]}")
    if any(marker in line.lower() for line in lines for marker in _NETWORK):
        return Failure(TEMPORARY)
    return Failure(UNKNOWN)
