"""The email Apprise sends, made the one a digest recorded: its Message-ID and its text part.

Apprise's email plugin has no way to pass either. It gives every message a fresh Message-ID
(make_msgid; a custom "Message-ID" header would make it the second of two), and it derives
the text/plain part from the HTML (convert_between), dropping every href, so "More like
this" would reach a plain-text reader without its link. Both module-level functions are
wrapped once; `as_recorded` sets, for one delivery, the ID recorded with the digest (a
resend after a crash is then the same message, which mail clients fold into one) and the
digest's own text rendering (links, paper ids, the CLI line). Every other call goes to
Apprise's functions. tests/test_reliability.py and tests/test_deliver.py read both at a real
SMTP sink, so a change in Apprise shows there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from email import utils as email_utils

from apprise.plugins.email import base as apprise_email

# (Message-ID, text part) of the delivery under way; None for either: Apprise's own.
_recorded: ContextVar[tuple[str | None, str | None]] = ContextVar(
    "paperround_email", default=(None, None)
)
_apprise_make_msgid = apprise_email.make_msgid
_apprise_convert_between = apprise_email.convert_between


def _make_msgid(*args, **kwargs) -> str:
    return _recorded.get()[0] or _apprise_make_msgid(*args, **kwargs)


def _convert_between(from_format, to_format, content, *args, **kwargs):
    text = _recorded.get()[1]
    if text is not None and (from_format, to_format) == ("html", "text"):
        return text
    return _apprise_convert_between(from_format, to_format, content, *args, **kwargs)


apprise_email.make_msgid = _make_msgid
apprise_email.convert_between = _convert_between


def new_message_id() -> str:
    """A Message-ID for a digest, fixed when it is recorded."""
    return email_utils.make_msgid(idstring="paperround")


@contextmanager
def as_recorded(message_id: str | None, text: str | None) -> Iterator[None]:
    """Emails sent inside carry this Message-ID and this text part (None: Apprise's)."""
    token = _recorded.set((message_id, text))
    try:
        yield
    finally:
        _recorded.reset(token)
