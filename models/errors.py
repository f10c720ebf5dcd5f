"""Typed errors raised by the library; the CLI turns each into one clear line."""

from __future__ import annotations


class PaperroundError(Exception):
    """Base class: any error a person can act on. str(e) is the one-line message."""


class ConfigError(PaperroundError):
    """Bad settings or user input: a cron string, timezone, URL, name..."""


class NotFoundError(PaperroundError):
    """A named profile, source, paper or digest does not exist."""


class DuplicateError(PaperroundError):
    """A unique name is already taken."""


class InUseError(PaperroundError):
    """A named thing cannot go while others still use it (a source that profiles read)."""


class FeedError(PaperroundError):
    """A response could not be read as the feed it should be (HTML page, garbage, API error)."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = message


class FetchError(PaperroundError):
    """The HTTP exchange failed: timeout, connection, status, size cap."""

    def __init__(
        self,
        url: str,
        message: str,
        *,
        status: int | None = None,
        transient: bool = False,
        retry_after: float | None = None,
        offline: bool = False,
    ) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.reason = message
        self.status = status
        self.transient = transient  # worth retrying (connection error, 429, 5xx)
        self.retry_after = retry_after  # seconds the server asked us to wait
        # The host could not be resolved or the network is unreachable: this machine is
        # probably offline (a hint for the person, and no point retrying within seconds).
        self.offline = offline


class StoreError(PaperroundError):
    """The store cannot be used as asked; the message says which store and what to do."""


class StoreUnavailableError(StoreError):
    """The store cannot be opened or reached: missing directory, read-only, server down."""


class StoreBusyError(StoreError):
    """Another process held a lock on the store past the busy timeout; retrying may work."""


class StoreCorruptError(StoreError):
    """The file is not a SQLite database, or its pages are damaged."""


class TokenInvalid(PaperroundError):
    """A feedback link's token is malformed, tampered with or signed by an unknown secret (400)."""


class TokenExpired(PaperroundError):
    """A feedback link's token was genuine but its expiry has passed (410)."""
