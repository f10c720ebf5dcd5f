"""The SMTP sink of bench/faults.py and the arithmetic of what reached it.

The sink is a real aiosmtpd server on 127.0.0.1. Every message is parsed as it arrives:
its Message-ID and the paper ids its links name (https://arxiv.org/abs/ID). The sink also
counts open SMTP sessions, so the harness can wait, without sleeping, until a killed
client's connection is closed and anything it sent has been handled (`settle`).
"""

from __future__ import annotations

import email
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from email import policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

ABS_LINK = re.compile(r"arxiv\.org/abs/([0-9]{4}\.[0-9]{4,5})")


@dataclass(frozen=True)
class Mail:
    """One message the sink accepted."""

    seq: int
    message_id: str
    papers: frozenset[str]
    subject: str


def parse_mail(raw: bytes, seq: int) -> Mail:
    """Message-ID and the paper ids in every text part (HTML and plain) of a message."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    found: set[str] = set()
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            found.update(ABS_LINK.findall(part.get_content()))
    # A message without a Message-ID can never be "the same message" as another.
    message_id = str(msg.get("Message-ID") or f"<missing-{seq}>").strip()
    return Mail(seq, message_id, frozenset(found), str(msg.get("Subject") or ""))


class Sink:
    """aiosmtpd on 127.0.0.1 keeping a parsed record of every message, in arrival order."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.active = 0
        # Called after a message is recorded and before the server answers 250: the harness
        # kills the sender there, inside the window where the server has the email and the
        # sender's ledger cannot know it.
        self.on_accept: Callable[[], None] | None = None
        self._cond = threading.Condition()
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope) -> str:
                with outer._cond:
                    outer.mails.append(parse_mail(envelope.content, len(outer.mails)))
                    hook = outer.on_accept
                if hook is not None:
                    hook()
                return "250 OK"

        class Counted(SMTP):
            def connection_made(self, transport) -> None:
                with outer._cond:
                    outer.active += 1
                super().connection_made(transport)

            def connection_lost(self, error) -> None:
                try:
                    super().connection_lost(error)
                finally:
                    with outer._cond:
                        outer.active -= 1
                        outer._cond.notify_all()

        class CountingController(Controller):
            def factory(self) -> SMTP:
                return Counted(self.handler, **self.SMTP_kwargs)

        from tests.servers import free_port

        self.controller = CountingController(Handler(), hostname="127.0.0.1", port=free_port())

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def mailto(self, to: str = "reader@example.org") -> str:
        port = self.controller.port
        return f"mailto://127.0.0.1:{port}?mode=insecure&from=digest@example.org&to={to}"

    def mark(self) -> int:
        with self._cond:
            return len(self.mails)

    def since(self, mark: int) -> list[Mail]:
        with self._cond:
            return self.mails[mark:]

    def settle(self, timeout: float = 60.0) -> bool:
        """Wait until no SMTP session is open (the clients are dead or done)."""
        with self._cond:
            return self._cond.wait_for(lambda: self.active == 0, timeout)


@dataclass(frozen=True)
class Tally:
    """What the sink received, against the papers that should each arrive once."""

    expected: int
    lost: tuple[str, ...]
    dup: tuple[str, ...]  # delivered in more than one message
    dup_not_same: tuple[str, ...]  # ... and those messages' Message-IDs differ
    messages: int
    resent_same: int  # messages whose Message-ID had been seen before (a resend)

    def counts(self) -> dict[str, int]:
        return {
            "expected": self.expected,
            "lost": len(self.lost),
            "dup_papers": len(self.dup),
            "dup_not_same_message": len(self.dup_not_same),
            "messages": self.messages,
            "resent_same_message": self.resent_same,
        }


def tally(mails: Sequence[Mail], expected: Iterable[str]) -> Tally:
    """Per expected paper, the messages that carried it; only expected ids are counted."""
    want = list(dict.fromkeys(expected))
    carried: dict[str, list[str]] = {p: [] for p in want}
    for mail in mails:
        for paper in mail.papers:
            if paper in carried:
                carried[paper].append(mail.message_id)
    ids = [m.message_id for m in mails]
    return Tally(
        expected=len(want),
        lost=tuple(p for p in want if not carried[p]),
        dup=tuple(p for p in want if len(carried[p]) > 1),
        dup_not_same=tuple(p for p in want if len(set(carried[p])) > 1),
        messages=len(mails),
        resent_same=len(ids) - len(set(ids)),
    )
